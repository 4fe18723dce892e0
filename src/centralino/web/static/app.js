// Centralino pages: small progressive enhancements, no framework, no CDN.
"use strict";

// The live event stream (/api/v1/events: only what this user may see), kept open: on a
// drop it reconnects after a randomised, doubling wait (1 s to 30 s, so that a whole floor
// of pages does not reconnect in the same instant after a restart) and pings every 25 s
// through idle-closing proxies. `onEvent(ev)` gets each parsed event; `onOpen` and
// `onClose` say when it is live.
function eventStream({ onEvent, onOpen = () => {}, onClose = () => {} }) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  let wait = 1000;
  const connect = () => {
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/events`);
    let keepAlive = null;
    ws.onopen = () => {
      wait = 1000;
      keepAlive = setInterval(() => ws.send("ping"), 25000);
      onOpen();
    };
    ws.onmessage = (msg) => {
      let ev;
      try {
        ev = JSON.parse(msg.data);
      } catch (_err) {
        return;
      }
      onEvent(ev);
    };
    ws.onclose = () => {
      clearInterval(keepAlive);
      onClose();
      setTimeout(connect, wait / 2 + Math.random() * wait);
      wait = Math.min(wait * 2, 30000);
    };
  };
  connect();
}

// Fetch a page's JSON twin and show it; the badge says whether the figures are live.
function liveRefresh(box, badge, show) {
  return async () => {
    try {
      const r = await fetch(box.dataset.url, { headers: { accept: "application/json" } });
      if (!r.ok) throw new Error(String(r.status));
      show(await r.json());
      badge.textContent = badge.dataset.labelOn;
      badge.classList.add("on");
    } catch (_err) {
      badge.textContent = badge.dataset.labelOff;
      badge.classList.remove("on");
    }
  };
}

document.addEventListener("change", (ev) => {
  const el = ev.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit")) el.form.submit();
});

document.addEventListener("submit", (ev) => {
  const form = ev.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) ev.preventDefault();
});

// Live activity: the event stream sends only what this user may see.
function startLiveEvents() {
  const list = document.getElementById("live-events");
  if (!list) return;
  const state = document.getElementById("live-state");
  eventStream({
    onOpen: () => {
      state.textContent = list.dataset.labelConnected;
      state.classList.add("on");
    },
    onEvent: (ev) => {
      if (ev.kind === "hello" || ev.kind === "pong") return;
      const li = document.createElement("li");
      const at = new Date(ev.at).toLocaleTimeString(document.documentElement.lang, {
        timeZone: list.dataset.tz,
      });
      const what = ev.payload && ev.payload.after && ev.payload.after.name ? ` ${ev.payload.after.name}` : "";
      li.textContent = `${at} · ${ev.kind} #${ev.payload.id}${what} · ${ev.payload.by || ""}`;
      list.prepend(li);
      while (list.children.length > 50) list.lastChild.remove();
    },
    onClose: () => {
      state.textContent = list.dataset.labelClosed;
      state.classList.remove("on");
    },
  });
}

startLiveEvents();

// Campaign page: live figures from /campaigns/{id}/live.json every few seconds.
function startCampaignFigures() {
  const box = document.getElementById("live");
  if (!box) return;
  const lang = document.documentElement.lang;
  const pct = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  const badge = document.getElementById("live-badge");
  const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
  const cell = (text, cls) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  };
  const show = (data) => {
    document.querySelectorAll("[data-k]").forEach((el) => {
      const v = pick(data, el.dataset.k);
      el.textContent = v == null ? "—" : el.hasAttribute("data-pct") ? pct.format(v) : String(v);
    });
    box.querySelectorAll("[data-warn]").forEach((el) => el.toggleAttribute("data-on", !!data[el.dataset.warn]));
    const alertBox = document.getElementById("target-alert");
    if (alertBox) alertBox.hidden = !data.alert;
    const table = document.getElementById("last-attempts");
    const rows = data.last_attempts.map((a) => {
      const tr = document.createElement("tr");
      const at = new Date(a.at).toLocaleTimeString(lang, { timeZone: box.dataset.tz, hourCycle: "h23" });
      tr.append(cell(at, "nowrap"), cell(a.phone, "nowrap"), cell(a.outcome_label || "…"), cell(a.operator || ""));
      return tr;
    });
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = cell(table.dataset.empty, "muted");
      td.colSpan = 4;
      tr.append(td);
      rows.push(tr);
    }
    table.tBodies[0].replaceChildren(...rows);
  };
  const refresh = liveRefresh(box, badge, show);
  badge.classList.add("on");
  box.refreshFigures = refresh;
  setInterval(refresh, 5000);
}

// Campaign page: list imports in progress follow their job until it is done.
function followImports() {
  const table = document.getElementById("imports-table");
  if (!table) return;
  const labels = JSON.parse(table.dataset.states || "{}");
  table.querySelectorAll("tr[data-poll]").forEach((row) => {
    const poll = async () => {
      let job;
      try {
        const r = await fetch(row.dataset.poll, { headers: { accept: "application/json" } });
        if (!r.ok) throw new Error(String(r.status));
        job = await r.json();
      } catch (_err) {
        setTimeout(poll, 3000);
        return;
      }
      row.querySelector("progress").value = job.percent;
      for (const f of ["rows_read", "rows_imported", "rows_rejected", "message"]) {
        row.querySelector(`[data-f="${f}"]`).textContent = job[f] == null ? "" : String(job[f]);
      }
      row.querySelector('[data-f="percent"]').textContent = `${job.percent}%`;
      const state = row.querySelector('[data-f="state"]');
      state.textContent = labels[job.state] || job.state;
      state.className = `state state-${job.state}`;
      if (job.state === "done" || job.state === "failed") {
        row.removeAttribute("data-poll");
        const link = row.querySelector(".errors-link");
        if (link) link.hidden = !job.rows_rejected;
        const box = document.getElementById("live");
        if (box && box.refreshFigures) box.refreshFigures();
      } else {
        setTimeout(poll, 1000);
      }
    };
    poll();
  });
}

startCampaignFigures();
followImports();

// Inbound page: queues, operators and the last calls from /inbound/live.json every 2 s;
// times in state and waits count on between refreshes.
function startInbound() {
  const box = document.getElementById("inbound");
  if (!box) return;
  const badge = document.getElementById("live-badge");
  const open = new Set(); // calls whose phases are shown
  let fetchedAt = performance.now();
  const clock = (s) => {
    const t = Math.max(0, Math.floor(s));
    const h = Math.floor(t / 3600);
    const m = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
    const sec = String(t % 60).padStart(2, "0");
    return h ? `${h}:${m}:${sec}` : `${m}:${sec}`;
  };
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text != null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const dash = (x) => (x == null ? "—" : x);
  const counter = (seconds) => {
    const span = el("span", clock(seconds));
    span.dataset.count = String(seconds);
    return span;
  };
  const fill = (table, rows, width) => {
    if (!table) return;
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", table.dataset.empty, "muted");
      td.colSpan = width;
      tr.append(td);
      rows.push(tr);
    }
    table.tBodies[0].replaceChildren(...rows);
  };
  const queueRow = (q) => {
    const tr = el("tr");
    const name = el("td");
    name.append(el("strong", q.queue), el("span", q.group, "muted small block"));
    const longest = el("td", null, "num");
    if (q.waiting) longest.append(counter(q.longest_wait));
    else longest.textContent = q.live ? "00:00" : "—";
    const waiting = el("td", dash(q.waiting), q.waiting ? "num hot" : "num");
    tr.append(name, el("td", q.strategy_label), el("td", dash(q.tiers), "num"), waiting, longest,
      el("td", dash(q.ringing), "num"));
    for (const s of ["ready", "ringing", "talking", "wrap_up", "paused"]) {
      tr.append(el("td", dash(q.operators[s]), "num"));
    }
    const blend = el("td");
    if (q.blending) {
      blend.append(el("span", box.dataset.labelBlending, "state state-blending"),
        el("span", q.blend_reason, "muted small block"));
    }
    tr.append(blend);
    return tr;
  };
  const operatorRow = (o) => {
    const tr = el("tr");
    const who = el("td", o.username);
    who.title = o.name;
    const state = el("td");
    state.append(el("span", o.state_label, `state op-${o.state}`));
    const since = el("td", null, "num");
    since.append(counter(o.in_state));
    const call = el("td");
    if (o.call) {
      if (o.call.number) call.append(`${o.call.number} · `);
      call.append(el("span", o.call.service, "muted"));
    }
    tr.append(who, state, since, el("td", o.reason), el("td", o.queues.join(", ")), call);
    return tr;
  };
  const callRows = (c) => {
    const tr = el("tr");
    tr.dataset.call = String(c.id);
    const at = el("td", c.at_local, "nowrap");
    at.title = c.at_full;
    const result = el("td");
    result.append(el("span", c.result_label, `state result-${c.result}`));
    const toggle = el("button", `${box.dataset.labelPhases} (${c.phases.length})`, "link phases-toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-controls", `phases-${c.id}`);
    toggle.setAttribute("aria-expanded", String(open.has(String(c.id))));
    const cell = el("td");
    cell.append(toggle);
    tr.append(at, el("td", c.number, "nowrap"), el("td", c.service), el("td", c.queue), result,
      el("td", c.operator), el("td", c.wait_text, "num"), el("td", c.talk_text, "num"), cell);
    const more = el("tr", null, "phases-row");
    more.id = `phases-${c.id}`;
    more.hidden = !open.has(String(c.id));
    const td = el("td");
    td.colSpan = 9;
    const list = el("table", null, "phases");
    for (const p of c.phases) {
      const row = el("tr");
      row.append(el("td", p.at_local, "nowrap"),
        el("td", p.offset == null ? "" : `+${p.offset.toFixed(1)} s`, "num muted"),
        el("td", p.phase_label), el("td", p.detail, "muted"));
      list.append(row);
    }
    td.append(list);
    more.append(td);
    return [tr, more];
  };
  let shownCalls = "";
  const show = (data) => {
    fetchedAt = performance.now();
    box.querySelectorAll("[data-k]").forEach((e) => { e.textContent = String(data[e.dataset.k]); });
    fill(document.getElementById("queues-table"), data.queues.map(queueRow), 12);
    fill(document.getElementById("operators-table"), data.operators.map(operatorRow), 6);
    const calls = document.getElementById("calls-table");
    if (calls && data.calls) {
      const ids = data.calls.map((c) => c.id).join(",");
      if (ids !== shownCalls) { // finished calls do not change: rebuild only on news
        shownCalls = ids;
        fill(calls, data.calls.flatMap(callRows), 9);
      }
    }
  };
  // Times in state and waits go on counting between two refreshes.
  const tick = () => {
    const gone = (performance.now() - fetchedAt) / 1000;
    box.querySelectorAll("[data-count]").forEach((e) => {
      e.textContent = clock(Number(e.dataset.count) + gone);
    });
  };
  box.addEventListener("click", (ev) => {
    const button = ev.target.closest(".phases-toggle");
    if (!button) return;
    const row = document.getElementById(button.getAttribute("aria-controls"));
    const id = button.getAttribute("aria-controls").slice("phases-".length);
    const show = row.hidden;
    row.hidden = !show;
    button.setAttribute("aria-expanded", String(show));
    if (show) open.add(id); else open.delete(id);
  });
  const calls = document.getElementById("calls-table");
  if (calls) {
    shownCalls = [...calls.querySelectorAll("tr[data-call]")].map((r) => r.dataset.call).join(",");
  }
  if (!badge) return; // the live engine is off: nothing moves
  const refresh = liveRefresh(box, badge, show);
  setInterval(refresh, 2000);
  setInterval(tick, 1000);
}

startInbound();

// Operator panel: my phone through /api/v1/me/phone, read again at once whenever the event
// stream says something of mine changed (and every 15 s in case an event went missing);
// the buttons post to the same API and show the problem's detail when the engine refuses.
function startPanel() {
  const box = document.getElementById("panel");
  if (!box) return;
  const API = "/api/v1";
  const labels = box.dataset;
  const states = JSON.parse(labels.states);
  const $ = (id) => document.getElementById(id);
  const btn = (act) => box.querySelector(`[data-act="${act}"]`);
  const errorBox = $("panel-error");
  let view = null;
  let skew = 0; // server clock minus ours, from the Date header
  let busy = false;
  let targetsFor = null; // the call the transfer targets were read for
  let wrapFor = null; // the call the after-call form is filled for

  const showError = (text) => {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  };
  const detailOf = async (r) => {
    try {
      const p = await r.json();
      return p.detail || p.title || `HTTP ${r.status}`;
    } catch (_err) {
      return `HTTP ${r.status}`;
    }
  };
  const call = async (method, path, body) => {
    const headers = { accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = labels.csrf;
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", cache: "no-store",
    });
    if (!r.ok) throw new Error(await detailOf(r));
    const date = Date.parse(r.headers.get("date") || "");
    if (!Number.isNaN(date)) skew = date - Date.now();
    return r.json();
  };
  const clock = (s) => {
    const t = Math.max(0, Math.floor(s));
    const h = Math.floor(t / 3600);
    const m = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
    const sec = String(t % 60).padStart(2, "0");
    return h ? `${h}:${m}:${sec}` : `${m}:${sec}`;
  };
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));
  const tick = () => {
    const t = $("phone-time");
    if (!view || !view.since) { t.textContent = ""; return; }
    t.textContent = clock((Date.now() + skew - Date.parse(view.since)) / 1000);
  };

  const loadReasons = async () => {
    try {
      const page = await call("GET", "/pause-reasons?limit=100");
      const select = $("pause-reason");
      select.replaceChildren(...page.items.map((r) => new Option(r.label, r.code)));
    } catch (err) {
      showError(err.message);
    }
  };
  const loadTargets = async () => {
    const select = $("transfer-target");
    const t = await call("GET", "/transfer-targets");
    const before = select.value;
    const people = document.createElement("optgroup");
    people.label = labels.labelColleagues;
    for (const c of t.items) {
      if (`operator:${c.user_id}` === view.operator) continue;
      const state = c.state ? ` (${states[c.state] || c.state})` : "";
      people.append(new Option(`${c.display_name}${state}`, c.target));
    }
    const queues = document.createElement("optgroup");
    queues.label = labels.labelQueues;
    for (const q of t.queues) queues.append(new Option(q, `queue:${q}`));
    select.replaceChildren(...[people, queues].filter((g) => g.children.length));
    if (before) select.value = before;
  };

  const show = (v) => {
    view = v;
    const s = v.state;
    const badge = $("phone-state");
    badge.textContent = states[s] || s;
    badge.className = `state state-big op-${s}`;
    tick();
    const inCall = s === "talking" || s === "wrap_up" || s === "reserved";
    // A line this browser did not log in is not worked from here yet (in the demo, a bot
    // works every queue member's line): logging in takes it over, and is harmless twice.
    const mine = `centralino.phone.${v.operator}`;
    if (s === "logged_out") localStorage.removeItem(mine);
    const takeOver = (s === "ready" || s === "paused") && !localStorage.getItem(mine);
    btn("login").disabled = !(s === "logged_out" || takeOver);
    btn("ready").disabled = !(s === "paused" || (v.pause_pending && s !== "logged_out"));
    btn("pause").disabled = !(s === "ready" || s === "paused" || (inCall && !v.pause_pending));
    btn("logout").disabled = s === "logged_out" || s === "ringing" || v.logout_pending;
    $("pause-reason").disabled = btn("pause").disabled;
    const auto = $("auto-answer");
    auto.disabled = s === "logged_out";
    auto.checked = v.auto_answer;
    const pending = [];
    if (v.pause_pending) pending.push(fmt(labels.labelPausePending, { reason: v.pause_pending }));
    if (v.logout_pending) pending.push(labels.labelLogoutPending);
    $("phone-pending").textContent = pending.join(" · ");
    $("phone-pending").hidden = !pending.length;
    $("phone-queues").textContent = v.queues.length
      ? v.queues.map((q) => `${q.queue} (${fmt(labels.labelTier, { n: q.tier })})`).join(", ")
      : "—";
    $("phone-campaign").textContent = v.campaign ? v.campaign.name : "—";
    $("phone-code").textContent = v.code || "—";

    const c = v.ringing || v.call;
    $("call-none").hidden = !!c;
    $("call-box").hidden = !c;
    $("call-ringing").hidden = !v.ringing;
    if (c) {
      $("call-number").textContent = c.number || "—";
      $("call-service").textContent = c.service || "—";
      $("call-queue").textContent = c.queue || "—";
      const pop = $("screen-pop");
      pop.hidden = !c.screen_pop;
      if (c.screen_pop && pop.getAttribute("href") !== c.screen_pop) pop.href = c.screen_pop;
    }
    btn("answer").hidden = !v.ringing;
    btn("hangup").hidden = !(s === "talking" && v.call);

    const talking = s === "talking" && !!v.call;
    $("transfer-box").hidden = !talking;
    if (talking && targetsFor !== v.call.call_id) {
      targetsFor = v.call.call_id;
      loadTargets().catch((err) => showError(err.message));
    }
    if (!talking) targetsFor = null;
    $("consult-box").hidden = !v.consulting;
    $("consulting").textContent = v.consulting || "";
    box.querySelector('#transfer-box button[type="submit"]').disabled = !!v.consulting;

    const wrapping = s === "wrap_up";
    $("wrapup-box").hidden = !wrapping;
    const wrapId = wrapping && v.call ? v.call.call_id : null;
    if (wrapping && wrapFor !== wrapId) {
      wrapFor = wrapId;
      $("wrapup-box").reset();
    }
    if (!wrapping) wrapFor = null;
    // The panel's other parts (script, order form, contact, callbacks, own figures: each
    // its own static/panel_*.js) follow my phone through this one event.
    document.dispatchEvent(new CustomEvent("panel:view", { detail: v }));
  };

  const load = async () => {
    try {
      show(await call("GET", "/me/phone"));
      if (errorBox.dataset.offline) { delete errorBox.dataset.offline; showError(""); }
    } catch (err) {
      errorBox.dataset.offline = "1";
      showError(err.message === "Failed to fetch" ? labels.labelOffline : err.message);
    }
  };
  // One read at a time, so an older answer never overwrites a newer one; events that
  // arrive meanwhile ask for one more read after it.
  let loading = null;
  let again = false;
  const refresh = () => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        await load();
      } while (again);
      loading = null;
    })();
    return loading;
  };

  // What each event of the stream does to the panel, by kind; kinds not listed are
  // ignored. `hello` comes on every (re)connection: read what changed while away.
  document.addEventListener("panel:refresh", () => refresh());
  const onEvent = {
    hello: () => refresh(),
    "phone.state": () => refresh(),
    "phone.offer": () => refresh(),
    "phone.notice": () => refresh(),
    "phone.message": (ev) => showPanelMessage(ev.payload),
  };
  const liveBadge = $("panel-live");
  const setLive = (on) => {
    liveBadge.textContent = on ? liveBadge.dataset.labelOn : liveBadge.dataset.labelOff;
    liveBadge.classList.toggle("on", on);
  };
  const listen = () =>
    eventStream({
      onEvent: (ev) => {
        const handle = onEvent[ev.kind];
        if (handle) handle(ev);
      },
      onOpen: () => setLive(true),
      onClose: () => setLive(false),
    });
  const act = async (path, body) => {
    if (busy) return;
    busy = true;
    try {
      show(await call("POST", `/me/phone/${path}`, body));
      showError("");
    } catch (err) {
      showError(err.message);
    } finally {
      busy = false;
    }
  };

  box.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-act]");
    if (!b || b.disabled) return;
    const what = b.dataset.act;
    if (what === "login") localStorage.setItem(`centralino.phone.${view.operator}`, "1");
    if (what === "pause") act("pause", { reason: $("pause-reason").value || null });
    else act(what);
  });
  $("auto-answer").addEventListener("change", (ev) => act("auto-answer", { on: ev.target.checked }));
  $("transfer-box").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const mode = ev.target.querySelector('input[name="mode"]:checked').value;
    act("transfer", { target: $("transfer-target").value, mode });
  });
  $("wrapup-box").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("wrap-up", {
      outcome: $("wrapup-outcome").value.trim() || null,
      positive: $("wrapup-positive").checked,
      notes: $("wrapup-notes").value.trim() || null,
    });
  });
  // A answers, H hangs up, R is ready: never while typing in a field.
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.repeat) return;
    const t = ev.target;
    if (t instanceof HTMLElement && (t.isContentEditable || t.closest("input, select, textarea"))) return;
    const key = { a: "answer", h: "hangup", r: "ready" }[ev.key.toLowerCase()];
    const b = key && btn(key);
    if (!b || b.disabled || b.hidden) return;
    ev.preventDefault();
    b.click();
  });

  loadReasons();
  refresh();
  listen();
  setInterval(refresh, 15000);
  setInterval(tick, 250);
}

startPanel();

// A supervisor's message to me: a pop-up on the operator panel, from the payload of a
// `phone.message` event ({from, from_name, text}) that the panel's event stream hands over.
function showPanelMessage(payload) {
  const dialog = document.getElementById("panel-message");
  if (!dialog) return;
  document.getElementById("panel-message-h").textContent =
    dialog.dataset.labelFrom.replace("%(name)s", payload.from_name || payload.from);
  document.getElementById("panel-message-text").textContent = payload.text;
  if (!dialog.open) dialog.showModal();
}
