// The phone bar (hold, mute, keypad, vocal order recording) and the order form (PDA) of
// the operator panel, under templates/_panel_orders.html. It follows my phone through the
// `panel:view` event of app.js and acts through /api/v1/me/phone/{hold,resume,mute,dtmf,
// record/start,record/stop,order}.
"use strict";

(function startOrders() {
  const box = document.getElementById("orders-box");
  const panel = document.getElementById("panel");
  if (!box || !panel) return;
  const API = "/api/v1/me/phone";
  const L = box.dataset;
  const $ = (id) => document.getElementById(id);
  const barBtn = (name) => box.querySelector(`button[data-bar="${name}"]`);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k] ?? ""));

  const call = async (method, path, body) => {
    const headers = { accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = panel.dataset.csrf;
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", cache: "no-store",
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const err = new Error(data.detail || r.statusText);
      err.status = r.status;
      err.field = data.errors && data.errors[0] ? data.errors[0].field : null;
      throw err;
    }
    return data;
  };
  const showError = (message) => {
    const e = $("panel-error");
    if (!e) return;
    e.textContent = message;
    e.hidden = !message;
  };

  let view = null; // the last view of my phone
  let bar = null; // the last state of the bar
  let formFor = null; // the call whose order form is shown
  let busy = false;

  const talking = () => !!view && view.state === "talking" && !!view.call;
  const inHand = () => !!view && (view.state === "talking" || view.state === "wrap_up") && !!view.call;

  const showBar = (b) => {
    bar = b;
    const on = talking();
    $("bar-box").hidden = !on;
    barBtn("hold").hidden = b.held;
    barBtn("resume").hidden = !b.held;
    const mute = barBtn("mute");
    mute.setAttribute("aria-pressed", String(b.muted));
    mute.classList.toggle("on", b.muted);
    barBtn("record/start").hidden = b.recording;
    barBtn("record/stop").hidden = !b.recording;
    const status = [];
    if (b.held) status.push(L.labelHeld);
    if (b.muted) status.push(L.labelMuted);
    if (b.recording) status.push(`● ${L.labelRecording}`);
    else if (b.recorded_seconds !== null) status.push(fmt(L.labelRecorded, { s: b.recorded_seconds }));
    if (b.digits) status.push(fmt(L.labelSent, { d: b.digits }));
    const line = $("bar-status");
    line.textContent = status.join(" · ");
    line.classList.toggle("recording", b.recording);
    box.classList.toggle("is-recording", b.recording);
  };

  // A stopped recording's file comes a moment later: read the bar until it is there.
  const untilWritten = async (b) => {
    for (let i = 0; b.stopping && i < 20; i += 1) {
      await new Promise((done) => setTimeout(done, 250));
      b = await call("GET", "/bar");
      showBar(b);
    }
  };
  const press = async (path, body) => {
    if (busy) return;
    busy = true;
    try {
      const b = await call("POST", `/${path}`, body);
      showBar(b);
      showError("");
      await untilWritten(b);
    } catch (err) {
      showError(err.message);
    } finally {
      busy = false;
    }
  };

  // --- the order form ---

  const input = (f) => {
    const id = `order-f-${f.name}`;
    let el;
    if (f.kind === "choice") {
      el = document.createElement("select");
      el.append(new Option(`— ${L.labelNone} —`, ""));
      for (const c of f.choices) el.append(new Option(c, c));
    } else if (f.kind === "checkbox") {
      el = document.createElement("input");
      el.type = "checkbox";
    } else {
      el = document.createElement("input");
      el.type = f.kind === "number" ? "number" : f.kind === "date" ? "date" : "text";
      if (f.kind === "number") {
        el.step = "any";
        if (f.minimum !== null) el.min = String(f.minimum);
        if (f.maximum !== null) el.max = String(f.maximum);
      }
      if (f.kind === "date") {
        if (f.min_date) el.min = f.min_date;
        if (f.max_date) el.max = f.max_date;
      }
      if (f.kind === "text") {
        el.maxLength = 1000;
        if (f.pattern) el.pattern = f.pattern;
      }
      el.autocomplete = "off";
    }
    el.id = id;
    el.name = f.name;
    el.dataset.kind = f.kind;
    if (f.required) el.required = true;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = f.label + (f.required ? " *" : "");
    const wrap = document.createElement("div");
    wrap.className = f.kind === "checkbox" ? "order-field check" : "order-field";
    if (f.kind === "checkbox") wrap.append(el, label);
    else wrap.append(label, el);
    return wrap;
  };

  const fill = (values) => {
    for (const el of $("order-fields").querySelectorAll("[name]")) {
      const v = values[el.name];
      if (el.type === "checkbox") el.checked = v === true;
      else el.value = v === null || v === undefined ? "" : String(v);
    }
  };

  const showSaved = (order) => {
    let text = "";
    if (order) {
      text = fmt(L.labelSaved, { t: new Date(order.updated_at).toLocaleTimeString() });
      if (order.recording_seconds !== null) text += ` ${fmt(L.labelSavedRec, { s: order.recording_seconds.toFixed(1) })}`;
    }
    $("order-saved").textContent = text;
  };

  const loadForm = async (callId) => {
    const form = $("order-form");
    try {
      const data = await call("GET", "/order");
      if (formFor !== callId) return;
      const fields = $("order-fields");
      if (!data.fields.length) {
        fields.replaceChildren(Object.assign(document.createElement("p"), {
          className: "muted", textContent: L.labelNoForm,
        }));
        form.querySelector('button[type="submit"]').hidden = true;
      } else {
        fields.replaceChildren(...data.fields.map(input));
        form.querySelector('button[type="submit"]').hidden = false;
        if (data.order) fill(data.order.values);
      }
      showSaved(data.order);
      showBar(data.bar);
      form.hidden = false;
    } catch (err) {
      form.hidden = true; // not a campaign call: no order to take
      if (err.status !== 409) showError(err.message);
    }
  };

  const values = () => {
    const out = {};
    for (const el of $("order-fields").querySelectorAll("[name]")) {
      if (el.type === "checkbox") out[el.name] = el.checked;
      else if (el.dataset.kind === "number") out[el.name] = el.value === "" ? null : Number(el.value);
      else out[el.name] = el.value.trim() || null;
    }
    return out;
  };

  $("order-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const err = $("order-error");
    for (const el of $("order-fields").querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    try {
      const order = await call("POST", "/order", { values: values() });
      err.hidden = true;
      showSaved(order);
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      const bad = e.field && $(`order-f-${e.field}`);
      if (bad) {
        bad.setAttribute("aria-invalid", "true");
        bad.setAttribute("aria-describedby", "order-error");
        bad.focus();
      }
    }
  });

  // --- following my phone ---

  document.addEventListener("panel:view", (ev) => {
    view = ev.detail;
    const callId = inHand() ? view.call.call_id : null;
    if (callId === null) {
      formFor = null;
      $("order-form").hidden = true;
      $("order-saved").textContent = "";
      $("order-error").hidden = true;
      $("keypad-digits").value = "";
      showBar({ held: false, muted: false, recording: false, recorded_seconds: null, digits: "" });
      return;
    }
    if (formFor !== callId) {
      formFor = callId;
      $("order-form").hidden = true;
      $("order-fields").replaceChildren();
      loadForm(callId);
    } else {
      call("GET", "/bar").then(showBar).catch(() => {});
    }
  });

  box.addEventListener("click", (ev) => {
    const key = ev.target.closest("button[data-key]");
    if (key) {
      const d = $("keypad-digits");
      if (d.value.length < 32) d.value += key.dataset.key;
      return;
    }
    const b = ev.target.closest("button[data-bar]");
    if (!b || b.hidden) return;
    const what = b.dataset.bar;
    if (what === "mute") press("mute", { on: !(bar && bar.muted) });
    else press(what);
  });
  $("keypad").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const d = $("keypad-digits");
    const digits = d.value.trim();
    if (!digits) return;
    await press("dtmf", { digits });
    if ($("panel-error").hidden) d.value = "";
  });
  // O holds or resumes, M mutes, V records or stops, K goes to the keypad: never while
  // typing in a field (A, H and R belong to app.js).
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.repeat || !talking()) return;
    const t = ev.target;
    if (t instanceof HTMLElement && (t.isContentEditable || t.closest("input, select, textarea"))) return;
    const k = ev.key.toLowerCase();
    let b = null;
    if (k === "o") b = bar && bar.held ? barBtn("resume") : barBtn("hold");
    else if (k === "m") b = barBtn("mute");
    else if (k === "v") b = bar && bar.recording ? barBtn("record/stop") : barBtn("record/start");
    else if (k === "k") {
      ev.preventDefault();
      $("keypad-digits").focus();
      return;
    }
    if (!b || b.hidden) return;
    ev.preventDefault();
    b.click();
  });
})();
