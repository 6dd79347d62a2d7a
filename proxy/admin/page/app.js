// The status page: reads the admin API every few seconds and draws what it says.
// Plain DOM and SVG, nothing loaded from elsewhere.
"use strict";

const pollMillis = 5000;
const svgNS = "http://www.w3.org/2000/svg";
const tokenKey = "hoard-admin-token";

function token() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(tokenKey, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname); // keep the token out of the address bar
  }
  return sessionStorage.getItem(tokenKey) || "";
}

class Unauthorized extends Error {}

async function api(path) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = "Bearer " + t;
  const resp = await fetch(path, { headers, cache: "no-store" });
  if (resp.status === 401) throw new Unauthorized();
  const body = await resp.json();
  if (!resp.ok) throw new Error(path + ": " + (body.error || resp.status));
  return body;
}

function $(id) { return document.getElementById(id); }

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
}

function percent(r) { return (100 * r).toFixed(r > 0.999 || r === 0 ? 0 : 1) + " %"; }

function text(id, s) { $(id).textContent = s; }

function cell(tr, value, cls) {
  const td = document.createElement("td");
  td.textContent = value;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function fillTable(id, rows, columns, empty) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = body.insertRow();
    cell(tr, empty, "empty").colSpan = $(id).tHead.rows[0].cells.length;
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [value, cls] of columns(row)) cell(tr, value, cls);
  }
}

function el(name, attrs, parent) {
  const e = document.createElementNS(svgNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e);
  return e;
}

// plot draws series of [time, value] points (value null: no data) over the last
// span milliseconds; the y axis starts at 0 and ends at yMax or the largest value.
function plot(svg, spanMillis, series, yMax, yLabel) {
  const W = 600, H = 200, left = 76, right = 8, top = 8, bottom = 22;
  svg.replaceChildren();
  const now = Date.now(), from = now - spanMillis;
  let max = yMax || 0, points = 0;
  for (const s of series) {
    for (const [t, v] of s.points) {
      if (v !== null && t >= from) { points++; if (!yMax) max = Math.max(max, v); }
    }
  }
  if (max <= 0) max = 1;
  const x = t => left + (W - left - right) * (t - from) / spanMillis;
  const y = v => top + (H - top - bottom) * (1 - v / max);
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4, yy = y(v);
    el("line", { class: "grid", x1: left, x2: W - right, y1: yy, y2: yy }, svg);
    el("text", { x: left - 4, y: yy + 4, "text-anchor": "end" }, svg).textContent = yLabel(v);
  }
  for (let i = 0; i <= 4; i++) {
    const t = from + spanMillis * i / 4;
    const d = new Date(t);
    const label = d.getHours().toString().padStart(2, "0") + ":" + d.getMinutes().toString().padStart(2, "0");
    el("text", { x: x(t), y: H - 6, "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" }, svg).textContent = label;
  }
  for (const s of series) {
    let d = "", pen = "M", drawn = 0;
    for (const [t, v] of s.points) {
      if (t < from) continue;
      if (v === null) { pen = "M"; continue; }
      d += pen + x(t).toFixed(1) + " " + y(v).toFixed(1) + " ";
      pen = "L";
      drawn++;
      const dot = el("circle", { class: "dot", cx: x(t), cy: y(v), r: 2.5, fill: s.color }, svg);
      el("title", {}, dot).textContent = s.name + " " + yLabel(v) + " at " + new Date(t).toLocaleTimeString();
    }
    if (drawn > 0) el("path", { class: "series", d: d.trim(), stroke: s.color, "data-series": s.name }, svg);
  }
  svg.dataset.points = points;
  svg.dataset.max = series.some(s => s.points.some(([, v]) => v > 0)) ? "1" : "0";
}

function color(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function drawHistory(h) {
  for (const [name, series] of [["hour", h.hour], ["day", h.day]]) {
    const span = name === "hour" ? 3600e3 : 86400e3;
    const ratio = series.samples.map(s => {
      const n = s.hits + s.misses;
      return [Date.parse(s.at), n > 0 ? s.hits / n : null];
    });
    plot($("plot-" + name + "-ratio"), span, [{ name: "hit ratio", color: color("--ratio"), points: ratio }], 1, percent);
    const perSecond = v => v / series.step_seconds;
    plot($("plot-" + name + "-traffic"), span, [
      { name: "served", color: color("--served"), points: series.samples.map(s => [Date.parse(s.at), perSecond(s.bytes_served)]) },
      { name: "upstream", color: color("--upstream"), points: series.samples.map(s => [Date.parse(s.at), perSecond(s.bytes_upstream)]) },
    ], 0, v => bytes(v) + "/s");
  }
}

function setBar(id, used, budget) {
  const bar = $(id);
  bar.style.width = budget > 0 ? Math.min(100, 100 * used / budget).toFixed(1) + "%" : "0%";
  bar.classList.toggle("over", budget > 0 && used > budget);
}

function drawStats(st) {
  let cached = 0, misses = 0, served = 0, upstream = 0;
  for (const m of st.mounts) {
    cached += (m.requests.hit || 0) + (m.requests.revalidated || 0) + (m.requests.stale || 0);
    misses += m.requests.miss || 0;
    served += m.bytes_served;
    upstream += m.upstream.bytes;
  }
  text("hit-ratio", cached + misses > 0 ? percent(cached / (cached + misses)) : "–");
  text("hit-detail", cached + " from the cache, " + misses + " fetched, since start");
  const c = st.cache;
  text("cache-size", bytes(c.bytes));
  text("cache-detail", c.budget > 0 ? "of " + bytes(c.budget) + " budget, " + c.entries + " entries, " + c.evictions + " evicted"
    : c.entries + " entries, no budget (cache.max_size)");
  setBar("cache-bar", c.bytes, c.budget);
  text("pinned-size", bytes(c.pinned_bytes));
  text("pinned-detail", c.pinned_entries + " entries" + (c.pinned_budget > 0 ? " of " + bytes(c.pinned_budget) + " pinned budget" : ""));
  setBar("pinned-bar", c.pinned_bytes, c.pinned_budget);
  text("served", bytes(served) + " served");
  text("upstream-bytes", bytes(upstream) + " from upstreams, since start");
  fillTable("upstreams", st.mounts, m => [
    [m.mount], [m.format, "hide-narrow"], [m.requests.miss || m.requests.hit ? percent(m.hit_ratio) : "–", "num"],
    [m.upstream.requests, "num"], [percent(m.upstream.error_rate), "num"],
    [m.upstream.requests ? (1000 * m.upstream.mean_latency_seconds).toFixed(0) + " ms" : "–", "num hide-narrow"],
    [m.upstream.breakers.map(b => b.upstream + (b.open ? " open" : " closed")).join(", ") || "–"],
  ], "no mounts");
  // The breakers column reads better as badges than as text.
  const rows = $("upstreams").tBodies[0].rows;
  st.mounts.forEach((m, i) => {
    const td = rows[i] && rows[i].cells[6];
    if (!td || m.upstream.breakers.length === 0) return;
    td.replaceChildren();
    for (const b of m.upstream.breakers) {
      const span = document.createElement("span");
      span.className = "badge" + (b.open ? " open" : "");
      span.textContent = (b.open ? "open: " : "closed: ") + b.upstream;
      td.appendChild(span);
    }
  });
}

function drawTop(top) {
  fillTable("top-hits", top.by_hits, p => [[p.mount], [p.package, "wrap"], [p.hits, "num"], [p.requests, "num"]], "no hits yet");
  fillTable("top-bytes", top.by_bytes, p => [[p.mount], [p.package, "wrap"], [bytes(p.bytes), "num"], [p.requests, "num"]], "nothing served yet");
}

function drawErrors(e) {
  text("error-total", e.total > 0 ? "(" + e.total + " since start)" : "");
  fillTable("errors", e.errors, x => [
    [new Date(x.at).toLocaleTimeString()], [x.mount || "–"], [x.status, "num"], [x.method + " " + x.path, "wrap"],
  ], "none since start");
}

async function refresh() {
  try {
    const [st, h, top, errs] = await Promise.all([api("/api/stats"), api("/api/history"), api("/api/top"), api("/api/errors")]);
    drawStats(st);
    drawHistory(h);
    drawTop(top);
    drawErrors(errs);
    $("login").hidden = true;
    $("problem").hidden = true;
    text("updated", "updated " + new Date().toLocaleTimeString());
  } catch (err) {
    if (err instanceof Unauthorized) {
      $("login").hidden = false;
      text("updated", "needs the admin token");
    } else {
      $("problem").hidden = false;
      text("problem", "Could not read the admin API: " + err.message);
    }
  }
}

$("login").addEventListener("submit", ev => {
  ev.preventDefault();
  sessionStorage.setItem(tokenKey, $("token").value);
  refresh();
});
refresh();
setInterval(refresh, pollMillis);
