// The call-script editor of Setup: add and remove steps and options, show the options of a
// choice (or the "then" of other answers), fill yes/no options, and offer the step ids as
// next steps. The form works without it; the server reads rows by their numbered names
// (step-<i>-..., step-<i>-opt-<j>-...).
"use strict";

(() => {
  const form = document.getElementById("script-form");
  const steps = document.getElementById("steps");
  const addStep = document.getElementById("add-step");
  const stepTemplate = document.getElementById("step-template");
  const optionTemplate = document.getElementById("option-template");
  const ids = document.getElementById("dl-steps");
  if (!form || !steps || !addStep || !stepTemplate || !optionTemplate) return;
  const choosing = new Set((form.dataset.choosing || "").split(" "));
  const editable = !addStep.closest("fieldset[disabled]");

  const fromTemplate = (template, replacements, tag) => {
    let html = template.innerHTML;
    for (const [from, to] of Object.entries(replacements)) html = html.split(from).join(to);
    const box = document.createElement(tag);
    box.innerHTML = html;
    return box.firstElementChild;
  };

  const nextOption = (body) =>
    Array.from(body.querySelectorAll("[data-option]")).reduce(
      (n, el) => Math.max(n, Number(el.dataset.option) + 1), 0);

  const addOption = (step, value = "", label = "") => {
    const body = step.querySelector("tbody");
    const row = fromTemplate(optionTemplate,
      { __S__: step.dataset.step, __O__: String(nextOption(body)) }, "tbody");
    body.append(row);
    row.querySelector('[name$="-value"]').value = value;
    row.querySelector('[name$="-label"]').value = label;
    return row;
  };

  // A choice shows its options; any other answer shows where it leads ("then").
  const showKind = (step) => {
    const kind = step.querySelector("[data-kind]").value;
    step.dataset.stepKind = kind;
    const isChoice = choosing.has(kind);
    step.querySelectorAll("[data-choosing]").forEach((el) => { el.hidden = !isChoice; });
    step.querySelectorAll("[data-free]").forEach((el) => { el.hidden = isChoice; });
    const required = step.querySelector('[name$="-required"]');
    if (required) required.closest("label").hidden = isChoice || kind === "none";
  };

  const yesNo = (step) => {
    const values = Array.from(step.querySelectorAll('[data-option] [name$="-value"]'));
    if (values.some((v) => v.value.trim())) return;
    step.querySelectorAll("[data-option]").forEach((row) => row.remove());
    addOption(step, "yes", form.dataset.labelYes || "yes");
    addOption(step, "no", form.dataset.labelNo || "no");
  };

  const refreshIds = () => {
    if (!ids) return;
    ids.replaceChildren(
      ...Array.from(steps.querySelectorAll("[data-step-id]"))
        .map((input) => input.value.trim())
        .filter((id) => id)
        .map((id) => Object.assign(document.createElement("option"), { value: id })),
    );
  };

  steps.querySelectorAll("[data-step]").forEach(showKind);
  if (!editable) return;

  addStep.hidden = false;
  addStep.addEventListener("click", () => {
    const i = steps.dataset.next || "0";
    steps.dataset.next = String(Number(i) + 1);
    const step = fromTemplate(stepTemplate, { __S__: i }, "div");
    steps.append(step);
    showKind(step);
    step.querySelector("[data-step-id]").focus();
  });

  steps.addEventListener("click", (ev) => {
    const button = ev.target.closest("button");
    if (!button) return;
    const step = button.closest("[data-step]");
    if (button.hasAttribute("data-add-option")) {
      addOption(step).querySelector("input").focus();
    } else if (button.hasAttribute("data-remove-option")) {
      button.closest("tr").remove();
      step.querySelector("[data-add-option]").focus();
    } else if (button.hasAttribute("data-remove-step")) {
      step.remove();
      refreshIds();
      addStep.focus();
    }
  });

  steps.addEventListener("change", (ev) => {
    const kind = ev.target.closest("[data-kind]");
    if (kind && kind.tagName === "SELECT") {
      const step = kind.closest("[data-step]");
      showKind(step);
      if (kind.value === "yes_no") yesNo(step);
    }
  });
  steps.addEventListener("input", (ev) => {
    if (ev.target.hasAttribute("data-step-id")) refreshIds();
  });
})();
