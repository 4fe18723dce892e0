// The call script in the operator panel (OUT-6): while a call is in hand (talking or
// after-call work) and a script applies to it, show the step to answer now with its text
// (the contact's data filled in by the server), the answer input, Back and Next, and the
// path so far. Every answer is saved at once (POST /api/v1/me/phone/script with all the
// answers), so a reload re-reads them; the end's suggested outcome pre-selects the
// after-call outcome unless the operator typed another.
"use strict";

(() => {
  const box = document.getElementById("script-box");
  const panel = document.getElementById("panel");
  if (!box || !panel) return;
  const API = "/api/v1/me/phone/script";
  const labels = box.dataset;
  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));
  let data = null; // the last answer of the API: {call_id, script, answers, path, current, ...}
  let callId = null; // the call `data` belongs to
  let loading = false;
  let suggested = null; // the outcome we put in the after-call form
  let state = null;
  let memory = {}; // every answer given in this call, so Back shows the one taken back

  const showError = (text) => {
    $("script-error").textContent = text || "";
    $("script-error").hidden = !text;
  };

  const request = async (method, body) => {
    const headers = { accept: "application/json" };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = panel.dataset.csrf;
      headers["content-type"] = "application/json";
    }
    const r = await fetch(API, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = null;
    try { json = await r.json(); } catch (_err) { json = null; }
    if (!r.ok) {
      const first = json && json.errors && json.errors[0];
      throw new Error((first && first.message) || (json && (json.detail || json.title)) || `HTTP ${r.status}`);
    }
    return json;
  };

  const stepOf = (id) => data.script.steps.find((s) => s.id === id);

  // An option's label as the script says it; a yes/no left unlabelled in the page's language.
  const optionLabel = (step, o) => {
    if (step.kind === "yes_no" && o.label === o.value) {
      return o.value === "yes" ? labels.labelYes : labels.labelNo;
    }
    return o.label;
  };

  const answerLabel = (step, value) => {
    if (step.kind === "choice" || step.kind === "yes_no") {
      const o = step.options.find((x) => x.value === value);
      return o ? optionLabel(step, o) : value;
    }
    if (step.kind === "none") return "✓";
    return value === "" ? labels.labelEmpty : value;
  };

  const input = (step) => {
    const wrap = document.createElement("div");
    const name = `script-${step.id}`;
    const previous = data.answers[step.id] ?? memory[step.id];
    if (step.kind === "choice" || step.kind === "yes_no") {
      const group = document.createElement("div");
      group.className = "script-choices";
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-labelledby", "script-text");
      step.options.forEach((o, i) => {
        const label = document.createElement("label");
        label.className = "check";
        const radio = document.createElement("input");
        Object.assign(radio, { type: "radio", name, value: o.value, required: true });
        radio.checked = previous === o.value;
        if (i === 0) radio.id = "script-input";
        label.append(radio, ` ${optionLabel(step, o)}`);
        group.append(label);
      });
      wrap.append(group);
    } else if (step.kind !== "none") {
      const field = document.createElement("input");
      field.id = "script-input";
      field.name = name;
      field.setAttribute("aria-labelledby", "script-text");
      field.type = step.kind === "date" ? "date" : "text";
      if (step.kind === "number") field.inputMode = "decimal";
      field.maxLength = 500;
      field.required = step.required;
      field.value = previous || "";
      wrap.append(field);
    }
    return wrap;
  };

  const valueOf = (step) => {
    if (step.kind === "choice" || step.kind === "yes_no") {
      const checked = box.querySelector(`input[name="script-${CSS.escape(step.id)}"]:checked`);
      return checked ? checked.value : null;
    }
    if (step.kind === "none") return "";
    return $("script-input").value;
  };

  const preselect = () => {
    const outcome = $("wrapup-outcome");
    if (!outcome || !data || !data.complete || !data.outcome || state !== "wrap_up") return;
    if (outcome.value === "" || outcome.value === suggested) {
      outcome.value = data.outcome;
      suggested = data.outcome;
    }
  };

  const render = () => {
    if (!data || !data.script) { box.hidden = true; return; }
    box.hidden = false;
    $("script-name").textContent = data.script.name;
    const path = $("script-path");
    path.replaceChildren(...data.path.map((id) => {
      const step = stepOf(id);
      const li = document.createElement("li");
      li.className = "tag";
      li.title = step.text;
      li.textContent = `${id}: ${answerLabel(step, data.answers[id] ?? "")}`;
      return li;
    }));
    path.hidden = data.path.length === 0;
    const form = $("script-step");
    const done = $("script-done");
    $("script-back").disabled = data.path.length === 0;
    if (data.complete) {
      form.hidden = false;
      $("script-text").textContent = "";
      $("script-answer").replaceChildren();
      $("script-next").hidden = true;
      done.hidden = false;
      done.textContent = labels.labelComplete +
        (data.outcome ? ` ${fmt(labels.labelOutcome, { code: data.outcome })}` : "");
      preselect();
      return;
    }
    done.hidden = true;
    $("script-next").hidden = false;
    const step = stepOf(data.current);
    $("script-text").textContent = step.text;
    $("script-answer").replaceChildren(input(step));
  };

  const save = async (answers, focus) => {
    showError("");
    memory = { ...memory, ...answers };
    try {
      const got = await request("POST", { call_id: callId, answers });
      data = got.call;
      render();
      if (focus) {
        const target = $("script-input") || $("script-next");
        if (target && !target.hidden) target.focus();
        else $("script-back").focus();
      }
    } catch (err) {
      showError(err.message);
    }
  };

  const load = async () => {
    if (loading) return;
    loading = true;
    try {
      const got = await request("GET");
      data = got.call;
      if (data && data.call_id !== callId) { callId = data.call_id; suggested = null; memory = {}; }
      showError("");
      render();
    } catch (err) {
      showError(err.message);
    } finally {
      loading = false;
    }
  };

  $("script-step").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!data || data.complete || !data.current) return;
    const step = stepOf(data.current);
    const value = valueOf(step);
    if (value === null || (value.trim() === "" && step.required && step.kind !== "none")) {
      const first = $("script-input");
      if (first) { first.focus(); first.reportValidity && first.reportValidity(); }
      return;
    }
    save({ ...data.answers, [step.id]: value }, true);
  });
  $("script-back").addEventListener("click", () => {
    if (!data || data.path.length === 0) return;
    const answers = { ...data.answers };
    delete answers[data.path[data.path.length - 1]];
    save(answers, true);
  });

  document.addEventListener("panel:view", (ev) => {
    const v = ev.detail || {};
    state = v.state;
    const inHand = (v.state === "talking" || v.state === "wrap_up") && v.call;
    if (!inHand) {
      data = null;
      callId = null;
      suggested = null;
      memory = {};
      box.hidden = true;
      return;
    }
    if (v.call.call_id !== callId || data === null) {
      if (v.call.call_id !== callId) memory = {};
      callId = v.call.call_id;
      suggested = null;
      load();
    } else {
      preselect();
    }
  });
})();
