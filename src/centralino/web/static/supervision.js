// Supervision page: paint the snapshot of /api/v1/supervision, then apply the
// supervision.* events of the event stream as they come (no reload, no polling); a
// one-second tick only advances the clocks shown (time in state, longest wait).
"use strict";

(() => {
  const box = document.getElementById("supervision");
  if (!box) return;
  const API = "/api/v1/supervision";
  const L = box.dataset;
  const states = JSON.parse(L.states);
  const modes = JSON.parse(L.modes);
  const lang = document.documentElement.lang || "en";
  const pct = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  const num = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const $ = (id) => document.getElementById(id);
  const fmt = (tpl, vals) => tpl.replace(/%\((\w+)\)s/g, (_m, k) => String(vals[k]));
  const KEY = {
    operator: (p) => String(p.user_id),
    queue: (p) => p.queue,
    service: (p) => p.service,
    campaign: (p) => String(p.campaign_id),
  };
  const data = { operator: new Map(), queue: new Map(), service: new Map(), campaign: new Map() };
  let seq = -1; // the snapshot's sequence number; -1 until it is painted
  let early = []; // events that came before the snapshot
  let skew = 0; // server clock minus ours, from the snapshot's Date header
  let monitor = null;

  const now = () => Date.now() + skew;
  const since = (iso) => (iso ? Math.max(0, (now() - Date.parse(iso)) / 1000) : null);
  const clock = (s) => {
    if (s === null) return "";
    const t = Math.floor(s);
    const h = Math.floor(t / 3600);
    const mm = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
    const ss = String(t % 60).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  };
  const rate = (x) => (x === null || x === undefined ? "—" : pct.format(x));
  const over = (o) => o.over_limit || (o.limit_seconds !== null && since(o.since) >= o.limit_seconds);

  // --- messages ---

  const note = (text) => {
    $("sv-note").textContent = text;
    $("sv-note").hidden = !text;
  };
  const error = (text) => {
    $("sv-error").textContent = text || "";
    $("sv-error").hidden = !text;
  };
  const badge = (on) => {
    const b = $("sv-badge");
    b.textContent = on ? L.labelOn : L.labelOff;
    b.classList.toggle("on", on);
  };

  // --- the tables: one row per thing, kept and updated in place ---

  const cell = (tr, i) => tr.children[i];
  const rowOf = (table, key, make) => {
    const body = $(table).tBodies[0];
    let tr = body.querySelector(`tr[data-key="${CSS.escape(key)}"]`);
    if (!tr) {
      tr = make();
      tr.dataset.key = key;
    }
    return tr;
  };
  const place = (table, rows) => {
    const body = $(table).tBodies[0];
    const empty = body.querySelector("tr.empty");
    const keep = new Set(rows);
    for (const tr of [...body.querySelectorAll("tr[data-key]")]) {
      if (!keep.has(tr)) tr.remove();
    }
    let prev = empty; // the rows follow the placeholder shown when there are none
    for (const tr of rows) {
      const want = prev ? prev.nextSibling : body.firstChild;
      if (want !== tr) body.insertBefore(tr, want); // moved only when the order changes
      prev = tr;
    }
    if (empty) empty.hidden = rows.length > 0;
  };
  const blank = (n) => {
    const tr = document.createElement("tr");
    for (let i = 0; i < n; i += 1) tr.appendChild(document.createElement("td"));
    return tr;
  };
  const sorted = (kind, by) => [...data[kind].values()].sort((a, b) => String(by(a)).localeCompare(String(by(b)), lang));

  // operators

  const button = (text, label, act) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.dataset.act = act;
    b.setAttribute("aria-label", label);
    return b;
  };
  const makeOperator = (o) => () => {
    const tr = blank(7);
    cell(tr, 2).className = "num";
    cell(tr, 1).appendChild(document.createElement("span")).className = "state";
    const acts = cell(tr, 6);
    acts.className = "sv-actions";
    const who = { name: o.name || o.username };
    acts.append(
      button(L.labelPause, fmt(L.labelPauseFor, who), "pause"),
      button(L.labelLogout, fmt(L.labelLogoutFor, who), "logout"),
      button(L.labelMessage, fmt(L.labelMessageFor, who), "message"),
    );
    for (const mode of ["listen", "whisper", "barge"]) {
      const text = L[`label${mode[0].toUpperCase()}${mode.slice(1)}`];
      acts.append(button(text, fmt(L.labelMonitorFor, { mode: text, name: who.name }), mode));
    }
    return tr;
  };
  const showCall = (td, c) => {
    td.textContent = "";
    if (!c) return;
    const where = c.campaign ? `${c.campaign} (${L.labelOutbound})` : c.service || c.queue || "";
    const line = Object.assign(document.createElement("span"), { className: "nowrap", textContent: `${c.number} · ` });
    line.append(Object.assign(document.createElement("span"), { className: "call-time", textContent: clock(since(c.since)) }));
    td.append(line);
    td.append(Object.assign(document.createElement("span"), { className: "muted small block", textContent: where }));
  };
  const paintOperators = () => {
    const rows = [];
    for (const o of sorted("operator", (x) => x.username)) {
      const tr = rowOf("sv-operators", KEY.operator(o), makeOperator(o));
      tr.dataset.state = o.state;
      tr.dataset.since = o.since || "";
      tr.classList.toggle("over", over(o));
      const name = cell(tr, 0);
      name.textContent = o.username;
      name.title = o.name;
      const badgeEl = cell(tr, 1).firstChild;
      badgeEl.textContent = states[o.state] || o.state;
      badgeEl.className = `state op-${o.state}`;
      cell(tr, 2).textContent = clock(since(o.since));
      const reason = cell(tr, 3);
      reason.textContent = o.reason_label || o.reason || "";
      if (over(o)) {
        const tag = document.createElement("span");
        tag.className = "state state-alert";
        tag.textContent = L.labelOver;
        reason.append(" ", tag);
      }
      cell(tr, 4).textContent = o.campaign ? [...o.queues, o.campaign].join(", ") : o.queues.join(", ");
      showCall(cell(tr, 5), o.call);
      const loggedOut = o.state === "logged_out";
      for (const b of cell(tr, 6).querySelectorAll("button")) {
        const act = b.dataset.act;
        b.disabled = ["listen", "whisper", "barge"].includes(act) ? !o.talking : loggedOut && act !== "message";
        b.setAttribute("aria-pressed", String(Boolean(monitor && monitor.user_id === o.user_id && monitor.mode === act)));
      }
      rows.push(tr);
    }
    place("sv-operators", rows);
    $("sv-talking").textContent = String(rows.filter((tr) => tr.dataset.state === "talking").length);
    $("sv-over").textContent = String(rows.filter((tr) => tr.classList.contains("over")).length);
  };

  // queues, services, campaigns

  const paintQueues = () => {
    const rows = [];
    let waiting = 0;
    for (const q of sorted("queue", (x) => x.queue)) {
      const tr = rowOf("sv-queues", KEY.queue(q), () => {
        const r = blank(10);
        for (let i = 1; i < 10; i += 1) cell(r, i).className = "num";
        return r;
      });
      waiting += q.waiting;
      cell(tr, 0).innerHTML = "";
      cell(tr, 0).append(Object.assign(document.createElement("strong"), { textContent: q.queue }));
      cell(tr, 0).append(Object.assign(document.createElement("span"), { className: "muted small block", textContent: q.group }));
      cell(tr, 1).textContent = String(q.waiting);
      cell(tr, 1).classList.toggle("hot", q.waiting > 0);
      cell(tr, 2).dataset.since = q.oldest_since || "";
      cell(tr, 2).textContent = q.oldest_since ? clock(since(q.oldest_since)) : "00:00";
      cell(tr, 3).textContent = String(q.ringing);
      cell(tr, 4).textContent = String(q.ready);
      cell(tr, 5).textContent = String(q.busy);
      cell(tr, 6).textContent = String(q.paused);
      cell(tr, 7).textContent = String(q.answered_today);
      cell(tr, 8).textContent = String(q.abandoned_today);
      cell(tr, 9).textContent = rate(q.service_level_today);
      cell(tr, 9).title = fmt(L.labelTarget, { v: `${q.target_seconds} s` });
      rows.push(tr);
    }
    place("sv-queues", rows);
    $("sv-waiting").textContent = String(waiting);
  };

  const paintServices = () => {
    const rows = [];
    for (const s of sorted("service", (x) => x.service)) {
      const tr = rowOf("sv-services", KEY.service(s), () => {
        const r = blank(6);
        for (let i = 1; i < 6; i += 1) cell(r, i).className = "num";
        return r;
      });
      cell(tr, 0).innerHTML = "";
      cell(tr, 0).append(Object.assign(document.createElement("strong"), { textContent: s.service }));
      cell(tr, 0).append(Object.assign(document.createElement("span"), { className: "muted small block", textContent: s.numbers.join(", ") }));
      cell(tr, 1).textContent = String(s.in_ivr);
      cell(tr, 2).textContent = String(s.waiting);
      cell(tr, 2).classList.toggle("hot", s.waiting > 0);
      cell(tr, 3).textContent = String(s.offered_today);
      cell(tr, 4).textContent = String(s.answered_today);
      cell(tr, 5).textContent = rate(s.service_level_today);
      rows.push(tr);
    }
    place("sv-services", rows);
  };

  const paintCampaigns = () => {
    const rows = [];
    for (const c of sorted("campaign", (x) => x.name)) {
      const tr = rowOf("sv-campaigns", KEY.campaign(c), () => {
        const r = blank(5);
        for (const i of [2, 3, 4]) cell(r, i).className = "num";
        return r;
      });
      tr.classList.toggle("alert", c.alert);
      const name = cell(tr, 0);
      name.innerHTML = "";
      name.append(Object.assign(document.createElement("strong"), { textContent: c.name }));
      name.append(Object.assign(document.createElement("span"), { className: "muted small block", textContent: modes[c.mode] || c.mode }));
      const done = cell(tr, 1);
      done.innerHTML = "";
      const bar = document.createElement("progress");
      bar.max = Math.max(1, c.records_total);
      bar.value = c.records_done;
      done.append(bar, " ", fmt(L.labelOf, { done: c.records_done, total: c.records_total }));
      cell(tr, 2).textContent = c.dial_level === null ? `${c.lines} / ${c.free}` : `${c.lines} / ${c.free} = ${num.format(c.dial_level)}`;
      const ab = cell(tr, 3);
      ab.textContent = [c.abandon_today, c.abandon_hour, c.abandon_quarter].map(rate).join(" · ");
      ab.title = fmt(L.labelCap, { v: rate(c.abandon_cap) });
      ab.classList.toggle("hot", [c.abandon_today, c.abandon_hour, c.abandon_quarter].some((x) => x !== null && x > c.abandon_cap));
      const pos = cell(tr, 4);
      pos.textContent = `${rate(c.positive_rate)} (${fmt(L.labelTarget, { v: rate(c.positive_target) })})`;
      if (c.alert) {
        const tag = document.createElement("span");
        tag.className = "state state-alert";
        tag.textContent = L.labelUnder;
        pos.append(" ", tag);
      }
      rows.push(tr);
    }
    place("sv-campaigns", rows);
  };

  const paintMonitor = () => {
    const bar = $("sv-monitor");
    bar.hidden = !monitor;
    if (monitor) {
      const o = data.operator.get(String(monitor.user_id));
      const mode = L[`label${monitor.mode[0].toUpperCase()}${monitor.mode.slice(1)}`];
      let text = fmt(L.labelMonitoring, { name: o ? o.name || o.username : monitor.user_id, mode });
      if (!monitor.connected) text += ` (${L.labelConnecting})`;
      $("sv-monitor-text").textContent = text;
    }
  };

  const PAINT = { operator: paintOperators, queue: paintQueues, service: paintServices, campaign: paintCampaigns };
  const paintAll = () => {
    Object.values(PAINT).forEach((f) => f());
    paintMonitor();
  };

  // --- snapshot and events ---

  const apply = (kind, p) => {
    const map = data[kind];
    if (!map) return;
    if (p.gone) map.delete(kind === "operator" ? String(p.key).replace(/^user:/, "") : String(p.key));
    else map.set(KEY[kind](p), p);
    PAINT[kind]();
  };

  const onEvent = (ev) => {
    if (ev.kind === "supervision.monitor") {
      monitor = ev.payload.monitor;
      paintMonitor();
      paintOperators();
      return;
    }
    if (!ev.kind.startsWith("supervision.")) return;
    if (seq < 0) {
      early.push(ev);
      return;
    }
    if (ev.payload.seq <= seq) return; // already in the snapshot
    apply(ev.kind.slice("supervision.".length), ev.payload);
  };

  const loadSnapshot = async () => {
    try {
      const r = await fetch(API, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!r.ok) throw new Error(String(r.status));
      const date = r.headers.get("date");
      if (date) skew = Date.parse(date) - Date.now();
      const snap = await r.json();
      for (const kind of Object.keys(data)) {
        data[kind].clear();
        for (const p of snap[`${kind}s`]) data[kind].set(KEY[kind](p), p);
      }
      monitor = snap.monitor;
      const select = $("sv-reason");
      if (!select.options.length) {
        for (const pr of snap.pause_reasons) select.add(new Option(pr.label, pr.code));
      }
      seq = snap.seq;
      const held = early;
      early = [];
      paintAll();
      held.forEach(onEvent);
      note(snap.engine ? "" : L.labelEngineOff);
      badge(snap.engine);
    } catch (_err) {
      badge(false);
    }
  };

  const connect = () =>
    eventStream({
      onOpen: () => {
        seq = -1;
        loadSnapshot(); // after subscribing: nothing falls between the two
      },
      onEvent,
      onClose: () => badge(false),
    });

  // --- actions ---

  const post = async (path, body, method = "POST") => {
    error("");
    const r = await fetch(`${API}${path}`, {
      method,
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": L.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.ok) return r.status === 204 ? {} : r.json();
    let detail = `HTTP ${r.status}`;
    try {
      const p = await r.json();
      detail = p.detail || p.title || detail;
    } catch (_err) { /* not a problem document */ }
    error(detail);
    return null;
  };

  const dialog = $("sv-dialog");
  let messageTo = null;
  $("sv-message-cancel").addEventListener("click", () => dialog.close());
  $("sv-message-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("sv-message-text").value.trim();
    if (!text || !messageTo) return;
    const who = messageTo;
    dialog.close();
    const out = await post(`/operators/${who.user_id}/message`, { text });
    if (out) note(fmt(L.labelSent, { name: who.name || who.username }));
  });

  $("sv-operators").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button[data-act]");
    if (!b || b.disabled) return;
    const o = data.operator.get(b.closest("tr").dataset.key);
    if (!o) return;
    const name = o.name || o.username;
    const act = b.dataset.act;
    const base = `/operators/${o.user_id}`;
    if (act === "message") {
      messageTo = o;
      $("sv-dialog-h").textContent = fmt(L.labelMessageFor, { name });
      $("sv-message-text").value = "";
      dialog.showModal();
      return;
    }
    if (act === "pause" || act === "logout") {
      const body = act === "pause" ? { reason: $("sv-reason").value || null } : undefined;
      const out = await post(`${base}/${act}`, body);
      if (!out) return;
      const label = { paused: L.labelPaused, logged_out: L.labelLoggedOut, pending: L.labelPending }[out.result];
      note(fmt(label, { name }));
      return;
    }
    const out = await post(`${base}/monitor`, { mode: act });
    // the stream may have told of the connected leg before this answer came
    if (out && !(monitor && monitor.user_id === out.user_id && monitor.mode === out.mode)) {
      monitor = out;
      paintMonitor();
      paintOperators();
    }
  });

  $("sv-monitor-stop").addEventListener("click", async () => {
    if (!monitor) return;
    const out = await post(`/operators/${monitor.user_id}/monitor`, undefined, "DELETE");
    if (out) {
      monitor = null;
      paintMonitor();
      paintOperators();
    }
  });

  // the clocks shown advance by themselves; the figures only change with events
  setInterval(() => {
    for (const tr of $("sv-operators").tBodies[0].querySelectorAll("tr[data-key]")) {
      const o = data.operator.get(tr.dataset.key);
      if (!o) continue;
      cell(tr, 2).textContent = clock(since(o.since));
      const t = cell(tr, 5).querySelector(".call-time");
      if (t && o.call) t.textContent = clock(since(o.call.since));
      if (over(o) !== tr.classList.contains("over")) paintOperators();
    }
    for (const td of $("sv-queues").querySelectorAll("td[data-since]")) {
      if (td.dataset.since) td.textContent = clock(since(td.dataset.since));
    }
  }, 1000);

  connect();
})();
