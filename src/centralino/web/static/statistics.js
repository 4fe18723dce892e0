// Statistics pages: report charts and the live service-level dashboard (Chart.js, served
// by the app from /static/vendor). No framework, no CDN.
"use strict";

const COLORS = {
  received: "#8aa4c8",
  answered: "#2f7d4f",
  lost: "#c0392b",
  line: "#1d3557",
  target: "#2f7d4f",
  minimum: "#c0392b",
};

function readJson(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

// --- the report page: the detail report's buckets summed over services -------------

function reportCharts() {
  const charts = readJson("chart-data");
  if (!charts || typeof Chart === "undefined") return;
  for (const canvas of document.querySelectorAll("canvas.report-chart")) {
    const c = charts[Number(canvas.dataset.index)];
    if (!c) continue;
    const d = canvas.dataset;
    new Chart(canvas, {
      data: {
        labels: c.labels,
        datasets: [
          { type: "bar", label: d.labelReceived, data: c.received, backgroundColor: COLORS.received, yAxisID: "calls" },
          { type: "bar", label: d.labelAnswered, data: c.answered, backgroundColor: COLORS.answered, yAxisID: "calls" },
          { type: "bar", label: d.labelLost, data: c.lost, backgroundColor: COLORS.lost, yAxisID: "calls" },
          { type: "line", label: d.labelSl, data: c.service_level, borderColor: COLORS.line, yAxisID: "pct", spanGaps: true },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          calls: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
          pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
        },
      },
    });
  }
}

// --- the service-level dashboard ----------------------------------------------------

function pct(x) {
  return x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
}

function secs(x) {
  return x === null || x === undefined ? "—" : `${x.toFixed(1)} s`;
}

function slChart(canvas, item, labels) {
  const hours = item.hours.map((h) => `${String(h.hour).padStart(2, "0")}:00`);
  const sl = item.hours.map((h) => (h.service_level === null ? null : Math.round(h.service_level * 1000) / 10));
  const datasets = [
    { type: "bar", label: `${labels.service_level} %`, data: sl, backgroundColor: item.hours.map((h) => levelColor(h.level)) },
  ];
  if (item.policy) {
    const flat = (v) => item.hours.map(() => Math.round(v * 1000) / 10);
    datasets.push({ type: "line", label: labels.target, data: flat(item.policy.target.answered_share), borderColor: COLORS.target, pointRadius: 0, borderDash: [6, 4] });
    datasets.push({ type: "line", label: labels.minimum, data: flat(item.policy.minimum.answered_share), borderColor: COLORS.minimum, pointRadius: 0, borderDash: [2, 3] });
  }
  return new Chart(canvas, {
    data: { labels: hours, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { labels: { boxWidth: 12 } } },
      scales: { y: { min: 0, max: 100 } },
    },
  });
}

function levelColor(level) {
  return { met: "#2f7d4f", minimum: "#d68910", missed: "#c0392b" }[level] || "#8aa4c8";
}

function startServiceLevels() {
  const root = document.getElementById("service-levels");
  if (!root) return;
  const data = readJson("sl-data");
  const labels = data.labels;
  const charts = new Map();
  const byId = new Map(data.items.map((i) => [String(i.service_id), i]));

  const draw = (item) => {
    const canvas = document.querySelector(`canvas.sl-chart[data-service="${item.service_id}"]`);
    if (!canvas || typeof Chart === "undefined") return;
    const old = charts.get(item.service_id);
    if (old) old.destroy();
    charts.set(item.service_id, slChart(canvas, item, labels));
  };

  const show = (item) => {
    byId.set(String(item.service_id), item);
    const card = document.getElementById(`service-${item.service_id}`);
    if (!card) return; // a service created after the page loaded: shown on the next load
    const f = item.figures;
    const set = (k, text) => {
      const el = card.querySelector(`[data-k="${k}"]`);
      if (el) el.firstChild ? (el.firstChild.textContent = text) : (el.textContent = text);
    };
    set("offered", String(f.offered));
    set("service_level", pct(f.service_level));
    set("abandon_rate", pct(f.abandon_rate));
    set("average_wait", secs(f.average_wait));
    const badge = card.querySelector('[data-k="level"]');
    const level = item.verdict ? item.verdict.level : null;
    badge.className = `state sl-level sl-${level || "none"}`;
    badge.textContent = level ? labels.levels[level] : labels.none;
    const checks = card.querySelector('[data-k="checks"]');
    if (checks && item.verdict) {
      checks.replaceChildren(
        ...item.verdict.checks.map((c) => {
          const li = document.createElement("li");
          li.className = `sl-${c.level}`;
          li.textContent = `${labels.criteria[c.criterion]}: ${labels.levels[c.level]}`;
          return li;
        }),
      );
    }
    card.dataset.updated = String(Date.now());
    draw(item);
  };

  const alertsList = document.getElementById("sl-alerts");
  const banner = document.getElementById("sl-alert-banner");
  const alert = (a) => {
    const li = document.createElement("li");
    li.className = `sl-${a.level}`;
    const at = new Date(a.at).toLocaleTimeString(document.documentElement.lang, { timeZone: alertsList.dataset.tz });
    li.textContent = `${at} · ${a.service} · ${labels.levels[a.previous]} → ${labels.levels[a.level]}`;
    alertsList.prepend(li);
    if (a.level === "missed" || a.level === "minimum") {
      banner.textContent = li.textContent;
      banner.hidden = false;
    }
  };

  for (const item of data.items) draw(item);
  if (root.dataset.today !== "yes") return; // another day: nothing live to follow

  const badge = document.getElementById("sl-live");
  const live = (on) => {
    badge.textContent = on ? badge.dataset.labelOn : badge.dataset.labelOff;
    badge.classList.toggle("on", on);
  };
  eventStream({
    onEvent: (ev) => {
      if (ev.kind === "service_level.status") show(ev.payload);
      else if (ev.kind === "service_level.alert") alert(ev.payload);
    },
    onOpen: () => live(true),
    onClose: () => live(false),
  });
}

reportCharts();
startServiceLevels();
