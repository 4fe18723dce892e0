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
