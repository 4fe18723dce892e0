// The IVR menu editor of the service page: add and remove menus and keys, and offer the
// right names (queues or menus) as a key's target. The form works without it; this only
// adds rows, which the server reads by their numbered names (m<menu>_o<key>_...).
"use strict";

(() => {
  const menus = document.getElementById("menus");
  const addMenu = document.getElementById("add-menu");
  const menuTemplate = document.getElementById("menu-template");
  const keyTemplate = document.getElementById("key-template");
  const menuNames = document.getElementById("dl-menus");
  if (!menus || !addMenu || !menuTemplate || !keyTemplate) return;
  if (addMenu.closest("fieldset[disabled]")) return;

  const nextIndex = (items, attr) =>
    Array.from(items).reduce((n, el) => Math.max(n, Number(el.dataset[attr]) + 1), 0);

  const fromTemplate = (template, replacements) => {
    let html = template.innerHTML;
    for (const [from, to] of Object.entries(replacements)) html = html.split(from).join(to);
    const box = document.createElement(template === keyTemplate ? "tbody" : "div");
    box.innerHTML = html;
    return box.firstElementChild;
  };

  // Queue-like targets take queue names; a menu target takes the names of the menus.
  const suggest = (kindSelect) => {
    const row = kindSelect.closest("tr") || kindSelect.closest(".row");
    const target = row && row.querySelector("[data-target]");
    if (!target) return;
    const kind = kindSelect.value;
    target.setAttribute("list", kind === "menu" ? "dl-menus" : "dl-queues");
    target.disabled = kind === "hangup" || (kind === "" && kindSelect.name.endsWith("_default_kind"));
  };

  const refreshMenuNames = () => {
    if (!menuNames) return;
    menuNames.replaceChildren(
      ...Array.from(menus.querySelectorAll("[data-menu-name]"))
        .map((input) => input.value.trim())
        .filter((name) => name)
        .map((name) => Object.assign(document.createElement("option"), { value: name })),
    );
  };

  addMenu.hidden = false;
  addMenu.addEventListener("click", () => {
    const i = String(nextIndex(menus.querySelectorAll("[data-menu]"), "menu"));
    const menu = fromTemplate(menuTemplate, { __M__: i });
    menus.append(menu);
    menu.querySelectorAll("[data-kind]").forEach(suggest);
    menu.querySelector("[data-menu-name]").focus();
  });

  menus.addEventListener("click", (ev) => {
    const button = ev.target.closest("button");
    if (!button) return;
    const menu = button.closest("[data-menu]");
    if (button.hasAttribute("data-add-key")) {
      const body = menu.querySelector("tbody");
      const j = String(nextIndex(body.querySelectorAll("[data-key]"), "key"));
      const row = fromTemplate(keyTemplate, { __M__: menu.dataset.menu, __K__: j });
      body.append(row);
      row.querySelector("select").focus();
    } else if (button.hasAttribute("data-remove-key")) {
      button.closest("tr").remove();
      menu.querySelector("[data-add-key]").focus();
    } else if (button.hasAttribute("data-remove-menu")) {
      const radio = menu.querySelector('input[name="root_menu"]');
      if (radio && radio.checked) {
        const none = document.querySelector('input[name="root_menu"][value=""]');
        if (none) none.checked = true;
      }
      menu.remove();
      refreshMenuNames();
      addMenu.focus();
    }
  });

  menus.addEventListener("change", (ev) => {
    if (ev.target.matches("[data-kind]")) suggest(ev.target);
  });
  menus.addEventListener("input", (ev) => {
    if (ev.target.matches("[data-menu-name]")) refreshMenuNames();
  });
  menus.querySelectorAll("[data-kind]").forEach(suggest);
})();
