// Centralino pages: small progressive enhancements, no framework, no CDN.
"use strict";

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
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  let retry = 1000;
  const connect = () => {
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/events`);
    ws.onopen = () => {
      retry = 1000;
      state.textContent = list.dataset.labelConnected;
      state.classList.add("on");
    };
    ws.onmessage = (msg) => {
      const ev = JSON.parse(msg.data);
      if (ev.kind === "hello" || ev.kind === "pong") return;
      const li = document.createElement("li");
      const at = new Date(ev.at).toLocaleTimeString(document.documentElement.lang, {
        timeZone: list.dataset.tz,
      });
      const what = ev.payload && ev.payload.after && ev.payload.after.name ? ` ${ev.payload.after.name}` : "";
      li.textContent = `${at} · ${ev.kind} #${ev.payload.id}${what} · ${ev.payload.by || ""}`;
      list.prepend(li);
      while (list.children.length > 50) list.lastChild.remove();
    };
    ws.onclose = () => {
      state.textContent = list.dataset.labelClosed;
      state.classList.remove("on");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  };
  connect();
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
  const refresh = async () => {
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
