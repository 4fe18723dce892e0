// The operator panel's outbound desk: the contact card and its history, preview's Dial
// and Skip, manual mode's list, the wrap-up with outcome and callback, colleagues with
// one-click transfer, my day. Painted from /api/v1/me/desk after each read of my phone
// (app.js dispatches "panel:view"); asks app.js for a fresh read with "panel:refresh".
"use strict";

(() => {
  const box = document.getElementById("desk");
  const panel = document.getElementById("panel");
  if (!box || !panel) return;
  const API = "/api/v1";
  const L = box.dataset;
  const $ = (id) => document.getElementById(id);
  let view = null; // the last GET /me/phone
  let desk = null; // the last GET /me/desk
  let wrapFor = null; // the call the wrap-up form was filled for
  let manualOf = {}; // campaign id -> true when dialed by hand
  let loading = false;
  let again = false;

  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const row = (cells) => {
    const tr = document.createElement("tr");
    tr.append(...cells.map((c) => (c instanceof Node ? wrapTd(c) : el("td", c ?? ""))));
    return tr;
  };
  const wrapTd = (node) => {
    const td = document.createElement("td");
    td.append(node);
    return td;
  };
  const duration = (s) => {
    const t = Math.max(0, Math.round(s || 0));
    const h = Math.floor(t / 3600);
    const m = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
    const sec = String(t % 60).padStart(2, "0");
    return h ? `${h}:${m}:${sec}` : `${m}:${sec}`;
  };
  const request = async (method, path, body) => {
    const headers = { accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = panel.dataset.csrf;
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", cache: "no-store",
    });
    let data = null;
    try { data = await r.json(); } catch (_err) { data = null; }
    return { ok: r.ok, status: r.status, data };
  };
  const problemText = (res) => (res.data && (res.data.detail || res.data.title)) || `HTTP ${res.status}`;
  const panelError = (text) => {
    const e = $("panel-error");
    e.textContent = text || "";
    e.hidden = !text;
  };
  const refreshPhone = () => document.dispatchEvent(new CustomEvent("panel:refresh"));

  // --- the contact card ---

  const paintRecord = (card, hand) => {
    const rec = card.record;
    $("desk-name").textContent = rec.name || "—";
    $("desk-phone").textContent = rec.phone;
    $("desk-campaign").textContent = rec.campaign;
    $("desk-list").textContent = rec.list;
    const dl = $("desk-columns");
    dl.replaceChildren();
    for (const c of rec.columns) dl.append(el("dt", c.name), el("dd", c.value ?? "—"));
    $("desk-preview").hidden = !(hand && hand.kind === "preview");
    // the attempt of this very offer or call is the one on screen: the history is the rest
    const done = card.attempts.filter((a) => a.result !== "in_progress");
    const attempts = $("desk-attempts").tBodies[0];
    attempts.replaceChildren(...done.map((a) => row([
      el("span", a.at_local, "nowrap"), a.operator || "—",
      a.result === "talked" ? L.labelTalked : (a.outcome_label || a.result),
      a.result === "talked" ? (a.outcome_label || "") : "",
      a.notes || "",
    ])));
    const cbs = $("desk-callbacks").tBodies[0];
    cbs.replaceChildren(...card.callbacks.map((c) => row([
      el("span", c.due_local, "nowrap"), L[`labelScope${c.scope[0].toUpperCase()}${c.scope.slice(1)}`] || c.scope,
      c.operator || "—", c.done ? L.labelDone : L.labelOpen, c.notes || "",
    ])));
    for (const [id, rows] of [["desk-attempts", done], ["desk-callbacks", card.callbacks]]) {
      $(id).closest(".table-wrap").hidden = !rows.length;
      $(`${id}-h`).hidden = !rows.length;
    }
    $("desk-history-none").hidden = !!(done.length || card.callbacks.length);
  };

  const paintNumber = (card) => {
    $("desk-name").textContent = card.number;
    $("desk-phone").textContent = "";
    const calls = $("desk-number-calls").tBodies[0];
    calls.replaceChildren(...card.calls.map((c) => row([
      el("span", c.at_local, "nowrap"), c.direction, c.queue, c.result, c.operator || "—",
    ])));
    const list = $("desk-number-records");
    list.replaceChildren(...card.records.map((r) => el("li", `${r.name || "—"} · ${r.campaign} · ${r.list}`)));
    $("desk-number-calls").closest(".table-wrap").hidden = !card.calls.length;
    $("desk-number-calls-h").hidden = !card.calls.length;
    list.hidden = $("desk-number-records-h").hidden = !card.records.length;
    $("desk-number-none").hidden = !!(card.calls.length || card.records.length);
  };

  const fillWrapUp = (card) => {
    const select = $("desk-outcome");
    const options = [new Option(L.labelChoose, "")];
    for (const o of card.outcomes) {
      const kind = o.positive ? L.labelPositive : o.kind === "negative" ? L.labelNegative : null;
      options.push(new Option(kind ? `${o.label} (${kind})` : o.label, o.code));
    }
    select.replaceChildren(...options);
    const users = $("desk-cb-user");
    users.replaceChildren(new Option("—", ""), ...card.colleagues.map((c) => new Option(c.name, c.user_id)));
    $("desk-wrapup-error").hidden = true;
  };

  const paintDesk = () => {
    const hand = desk && desk.hand;
    const card = desk && desk.card;
    const contact = $("desk-contact");
    contact.hidden = !card;
    if (!card) { dropWrapUp(); return; }
    const mode = $("desk-mode");
    mode.textContent = card.kind === "number" ? mode.dataset.labelCaller
      : hand && hand.kind === "preview" ? mode.dataset.labelPreview : mode.dataset.labelCall;
    $("desk-record").hidden = card.kind !== "record";
    $("desk-number").hidden = card.kind !== "number";
    if (card.kind === "record") paintRecord(card, hand);
    else paintNumber(card);
    const wrapping = card.kind === "record" && view && view.state === "wrap_up" && hand && hand.kind === "call";
    if (wrapping) {
      $("wrapup-box").hidden = true; // the campaign's own form replaces the plain one
      if (wrapFor !== hand.call_id || !$("desk-wrapup")) {
        wrapFor = hand.call_id;
        showWrapUp(card);
      }
    } else {
      dropWrapUp();
    }
  };
  const dropWrapUp = () => {
    wrapFor = null;
    const slot = $("desk-wrapup-slot");
    if (slot) slot.replaceChildren();
  };
  const showWrapUp = (card) => {
    let slot = $("desk-wrapup-slot");
    if (!slot) { // in the call's card, where the plain after-call form is
      slot = el("div");
      slot.id = "desk-wrapup-slot";
      $("wrapup-box").after(slot);
    }
    slot.replaceChildren($("desk-wrapup-template").content.cloneNode(true));
    const form = $("desk-wrapup");
    form.addEventListener("submit", saveWrapUp);
    form.addEventListener("change", () => {
      const who = form.querySelector('input[name="cb-for"]:checked').value;
      $("desk-cb-user-box").hidden = who !== "colleague";
    });
    fillWrapUp(card);
  };

  const loadDesk = async () => {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const res = await request("GET", "/me/desk");
      desk = res.ok ? res.data : null;
      paintDesk();
    } finally {
      loading = false;
      if (again) { again = false; loadDesk(); }
    }
  };

  $("desk-dial").addEventListener("click", async () => {
    const res = await request("POST", "/me/desk/preview/dial");
    panelError(res.ok ? "" : problemText(res));
    if (res.ok) { desk = res.data; paintDesk(); }
    refreshPhone();
  });
  $("desk-skip").addEventListener("click", async () => {
    const input = $("desk-skip-reason");
    const res = await request("POST", "/me/desk/preview/skip", { reason: input.value.trim() });
    panelError(res.ok ? "" : problemText(res));
    if (res.ok) { input.value = ""; desk = res.data; paintDesk(); }
    refreshPhone();
  });

  const saveWrapUp = async (ev) => {
    ev.preventDefault();
    if (!desk || !desk.hand) return;
    const at = $("desk-cb-at").value;
    const who = document.querySelector('#desk-wrapup input[name="cb-for"]:checked').value;
    const body = {
      call_id: desk.hand.call_id,
      outcome: $("desk-outcome").value || null,
      notes: $("desk-notes").value.trim() || null,
    };
    if (at) {
      body.callback = { due_at: at.length === 16 ? `${at}:00` : at, for: who };
      const user = $("desk-cb-user").value;
      if (who === "colleague" && user) body.callback.user_id = Number(user);
    }
    const res = await request("POST", "/me/desk/wrap-up", body);
    const err = $("desk-wrapup-error");
    err.textContent = res.ok ? "" : problemText(res);
    err.hidden = res.ok;
    if (res.ok) {
      wrapFor = null;
      refreshPhone();
      loadDay();
      setTimeout(loadDay, 4000); // the call leg is stored with the engine's next pass
    }
  };

  // --- manual mode ---

  const loadPicks = async () => {
    const campaign = view && view.campaign;
    const section = $("desk-manual");
    if (!campaign || manualOf[campaign.id] === false) { section.hidden = true; return; }
    const q = $("desk-q").value.trim();
    const res = await request("GET", `/me/desk/records${q ? `?q=${encodeURIComponent(q)}` : ""}`);
    if (!res.ok) {
      if (res.status === 422) manualOf[campaign.id] = false;
      section.hidden = true;
      return;
    }
    manualOf[campaign.id] = true;
    section.hidden = false;
    const ready = view.state === "ready";
    const body = $("desk-picks").tBodies[0];
    body.replaceChildren(...res.data.items.map((p) => {
      const dial = el("button", L.labelDial);
      dial.type = "button";
      dial.disabled = !ready;
      dial.setAttribute("aria-label", `${L.labelDial} ${p.name || p.phone}`);
      dial.addEventListener("click", async () => {
        const r = await request("POST", "/me/desk/records/dial", { record_id: p.record_id });
        panelError(r.ok ? "" : problemText(r));
        if (r.ok) { desk = r.data; paintDesk(); }
        refreshPhone();
      });
      const tr = row([p.name || "—", el("span", p.phone, "nowrap"),
        p.callback_due ? fmt(L.labelDue, { at: p.callback_local }) + (p.callback_notes ? ` · ${p.callback_notes}` : "") : "",
        dial]);
      if (p.callback_due) tr.className = "desk-due";
      return tr;
    }));
    if (!res.data.items.length) body.append(row([L.labelNone, "", "", ""]));
  };
  $("desk-search").addEventListener("submit", (ev) => { ev.preventDefault(); loadPicks(); });

  // --- colleagues ---

  const presence = (state) => {
    if (!state || state === "logged_out") return ["offline", L.labelOffline];
    if (state === "paused") return ["paused", L.labelPaused];
    return ["online", L.labelOnline];
  };
  const loadColleagues = async () => {
    const res = await request("GET", "/transfer-targets");
    const list = $("desk-colleagues");
    if (!res.ok) return;
    const talking = view && view.state === "talking" && !view.consulting;
    const rank = { online: 0, paused: 1, offline: 2 };
    const items = [...res.data.items].sort((a, b) => rank[presence(a.state)[0]] - rank[presence(b.state)[0]]);
    list.replaceChildren(...items.map((c) => {
      const li = el("li");
      const [cls, text] = presence(c.state);
      const name = el("span", c.display_name, "desk-colleague-name");
      const badge = el("span", text, `badge presence-${cls}`);
      const phone = el("span", c.state === "ready" ? L.labelAvailable : cls === "online" ? L.labelBusy : "", "muted");
      li.append(name, " ", badge, " ", phone);
      if (talking && c.state && c.state !== "logged_out") {
        for (const [mode, label] of [["blind", L.labelTransfer], ["consult", L.labelConsult]]) {
          const b = el("button", label, "small-button");
          b.type = "button";
          b.setAttribute("aria-label", `${label}: ${c.display_name}`);
          b.addEventListener("click", async () => {
            const r = await request("POST", "/me/phone/transfer", { target: c.target, mode });
            panelError(r.ok ? "" : problemText(r));
            refreshPhone();
          });
          li.append(" ", b);
        }
      }
      return li;
    }));
    if (!res.data.items.length) list.append(el("li", L.labelNone, "muted"));
  };

  // --- my day ---

  const loadDay = async () => {
    const res = await request("GET", "/me/desk/day");
    if (!res.ok) return;
    const d = res.data;
    $("day-calls").textContent = fmt(L.labelCalls, { n: d.calls, in: d.inbound, out: d.outbound });
    $("day-talk").textContent = duration(d.talk_seconds);
    $("day-pause").textContent = duration(d.pause_seconds);
    const reasons = {};
    for (const o of document.querySelectorAll("#pause-reason option")) reasons[o.value] = o.textContent;
    const outs = $("day-outcomes");
    outs.replaceChildren(...d.outcomes.map((o) => el("li", `${o.label}: ${o.count}`)));
    if (!d.outcomes.length) outs.append(el("li", L.labelNone, "muted"));
    const pauses = $("day-pauses");
    pauses.replaceChildren(...d.pauses.map((p) => el("li",
      `${p.reason ? reasons[p.reason] || p.reason : L.labelNoReason}: ${duration(p.seconds)}`)));
    if (!d.pauses.length) pauses.append(el("li", L.labelNone, "muted"));
  };

  // --- following my phone ---

  let lastKey = null;
  document.addEventListener("panel:view", (ev) => {
    const before = view;
    view = ev.detail;
    const call = view.call || view.ringing;
    const key = `${view.state}|${call ? call.call_id : ""}|${view.campaign ? view.campaign.id : ""}|${view.consulting || ""}`;
    if (view.state === "logged_out") {
      desk = null;
      paintDesk();
      $("desk-manual").hidden = true;
    } else {
      loadDesk();
    }
    if (key !== lastKey) {
      lastKey = key;
      if (view.state !== "logged_out") loadPicks();
      loadColleagues();
      if (before && before.state === "wrap_up" && view.state !== "wrap_up") loadDay();
    }
  });
  loadDay();
  loadColleagues();
  setInterval(loadColleagues, 10000);
  setInterval(loadDay, 60000);
})();
