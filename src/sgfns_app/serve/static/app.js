// The search page: text -> images grid, a detail view that shows why a hit matched (boxes, caption graph, score
// terms), and image -> captions. Plain DOM, no framework, no network beyond this service. Text from the service is
// always set with textContent, never parsed as HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#d1495b", "#2e86ab", "#edae49", "#3a7d44", "#8e44ad", "#e07a1f", "#00798c", "#c2185b"];
const $ = (id) => document.getElementById(id);
const state = { info: null, last: null, opener: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

const fmt = (x, d = 3) => (x >= 0 ? "+" : "") + Number(x).toFixed(d);
const say = (text) => { $("status").textContent = text; };
const imageUrl = (id) => `/api/images/${encodeURIComponent(id)}`;

function objectName(o) {
  const count = o.count !== null && o.count !== undefined && o.count !== 1 ? [String(o.count)] : [];
  return [...count, ...(o.attributes || []), o.name].join(" ");
}

// --- the caption graph: objects on an ellipse, relations as labelled arrows ---------------------------------------
function drawGraph(box, graph, colourOf = () => "#555") {
  box.replaceChildren();
  if (!graph || !graph.objects || graph.objects.length === 0) {
    box.append(el("p", { class: "muted small", text: "(the parser found no objects)" }));
    return;
  }
  const objs = graph.objects;
  const n = objs.length;
  const W = Math.max(280, Math.min(620, box.clientWidth || 520));
  const narrow = W < 460 && n > 1;
  const H = narrow ? 36 + 62 * (n - 1) + 30 : n <= 3 ? 96 : 110 + 34 * n;
  const cx = W / 2, cy = H / 2, rx = W / 2 - 95, ry = H / 2 - 30;
  const pos = objs.map((_, i) => {
    if (n === 1) return [cx, cy];
    if (narrow) return [cx + (i % 2 ? 28 : -28), 33 + 62 * i];
    if (n <= 3) return [90 + (i * (W - 180)) / (n - 1), cy];
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "graph", role: "img",
    "aria-label": "caption graph: " + objs.map(objectName).join(", ") });
  const defs = svg("defs");
  const marker = svg("marker", { id: `arrow-${box.id}`, viewBox: "0 0 10 10", refX: "9", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#666" }));
  defs.append(marker);
  s.append(defs);
  const half = objs.map((o) => Math.min(95, 8 + 3.9 * objectName(o).length));
  (graph.relations || []).forEach((r, e) => {
    const [x1, y1] = pos[r.subject], [x2, y2] = pos[r.object];
    const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len;
    const bend = 26 * (e % 2 ? -1 : 1);
    const sx = x1 + ux * (half[r.subject] * Math.abs(ux) + 16 * Math.abs(uy)), sy = y1 + uy * 16;
    const tx = x2 - ux * (half[r.object] * Math.abs(ux) + 16 * Math.abs(uy)), ty = y2 - uy * 16;
    const mx = (sx + tx) / 2 - uy * bend, my = (sy + ty) / 2 + ux * bend;
    s.append(svg("path", { d: `M ${sx} ${sy} Q ${mx} ${my} ${tx} ${ty}`, class: "edge",
      "marker-end": `url(#arrow-${box.id})` }));
    s.append(svg("text", { x: mx, y: my - 4, class: "edge-label", "text-anchor": "middle" }, r.predicate));
  });
  objs.forEach((o, i) => {
    const [x, y] = pos[i];
    const g = svg("g", { class: "node" });
    g.append(svg("rect", { x: x - half[i], y: y - 15, width: 2 * half[i], height: 30, rx: 15,
      fill: "#fff", stroke: colourOf(i), "stroke-width": 2.5 }));
    g.append(svg("text", { x, y: y + 5, "text-anchor": "middle" }, objectName(o)));
    s.append(g);
  });
  box.append(s);
}

// --- score bars ----------------------------------------------------------------------------------------------------
function drawBars(box, hit) {
  box.replaceChildren();
  const parts = Object.entries(hit.parts);
  const scale = Math.max(0.05, ...parts.map(([, v]) => Math.abs(v)), Math.abs(hit.score));
  const row = (name, v, cls) => {
    const w = (50 * Math.abs(v)) / scale;
    const bar = el("span", { class: `bar ${v < 0 ? "neg" : "pos"} ${cls || ""}` });
    bar.style.width = `${w}%`;
    bar.style.left = v < 0 ? `${50 - w}%` : "50%";
    return el("div", { class: "bar-row" }, el("span", { class: "bar-name", text: name }),
      el("span", { class: "bar-track" }, el("span", { class: "bar-zero" }), bar),
      el("span", { class: "bar-value", text: fmt(v) }));
  };
  for (const [name, v] of parts) box.append(row(name, v));
  box.append(row("score", hit.score, "total"));
}

// --- boxes on the image ------------------------------------------------------------------------------------------
function drawBoxes(hit) {
  const img = $("detail-img"), layer = $("boxes");
  const draw = () => {
    const W = img.naturalWidth || 100, H = img.naturalHeight || 100;
    const norm = (state.last && state.last.box_format) !== "xyxy_pixels";
    layer.setAttribute("viewBox", `0 0 ${W} ${H}`);
    layer.replaceChildren();
    const px = W / Math.max(1, layer.getBoundingClientRect().width || W);  // image units per screen pixel
    const font = 12.5 * px;
    (hit.matches || []).forEach((m, i) => {
      if (!m.box) return;
      const [x0, y0, x1, y1] = norm ? [m.box[0] * W, m.box[1] * H, m.box[2] * W, m.box[3] * H] : m.box;
      const c = COLOURS[i % COLOURS.length];
      const g = svg("g", { class: "box" });
      g.append(svg("rect", { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0),
        stroke: c, fill: "none", "stroke-width": 2.5 * px }));
      const text = `${m.label} ${m.cosine.toFixed(2)}`;
      const tw = text.length * font * 0.58 + 8 * px;
      const tx = Math.max(0, Math.min(x0, W - tw));
      const ty = y0 > font * 1.4 ? y0 - 3 * px : Math.min(H - 3 * px, y1 + font * 1.2);
      g.append(svg("rect", { x: tx, y: ty - font, width: tw, height: font * 1.3, fill: c, opacity: 0.9,
        rx: 2 * px }));
      g.append(svg("text", { x: tx + 4 * px, y: ty - 0.1 * font, "font-size": font, fill: "#fff" }, text));
      layer.append(g);
    });
  };
  if (img.complete && img.naturalWidth) draw(); else img.onload = draw;
  img.onerror = () => { img.removeAttribute("src"); img.classList.add("missing"); draw(); };
}

function fillMatches(hit) {
  const body = $("matches").querySelector("tbody");
  body.replaceChildren();
  (hit.matches || []).forEach((m, i) => {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = COLOURS[i % COLOURS.length];
    const where = m.region === null ? el("em", { text: "no region" }) : `region ${m.region}` +
      (m.image_label ? ` (${m.image_label})` : "");
    body.append(el("tr", {}, el("td", {}, swatch, m.label), el("td", {}, where),
      el("td", { text: m.cosine.toFixed(2) }), el("td", { text: fmt(m.weight) })));
  });
  for (const r of hit.relations || []) {
    const where = r.regions ? `regions ${r.regions[0]} → ${r.regions[1]}` +
      (r.image_label ? ` (${r.image_label})` : "") : el("em", { text: "no region pair" });
    body.append(el("tr", { class: "rel" }, el("td", { text: r.label }), el("td", {}, where),
      el("td", { text: r.cosine.toFixed(2) }), el("td", { text: fmt(r.contribution) })));
  }
  for (const c of hit.counts || []) {
    body.append(el("tr", { class: "count" }, el("td", { text: `count of ${c.label}: ${c.count}` }),
      el("td", { text: `≈ ${c.soft_count.toFixed(1)} found` }), el("td", { text: "" }),
      el("td", { text: fmt(c.contribution) })));
  }
}

// --- the detail view: one (image, caption) pair ----------------------------------------------------------------------
function showPair(imageId, hit, graph, title, sub) {
  $("detail").hidden = false;
  $("detail-h").textContent = title;
  $("detail-sub").textContent = sub;
  const img = $("detail-img");
  img.classList.remove("missing");
  img.alt = `image ${imageId}`;
  img.src = imageUrl(imageId);
  $("stage").dataset.imageId = imageId;
  drawBoxes(hit);
  drawBars($("bars"), hit);
  const colourOf = (j) => {
    const i = (hit.matches || []).findIndex((m) => m.caption_object === j && m.box);
    return i < 0 ? "#999" : COLOURS[i % COLOURS.length];
  };
  drawGraph($("detail-graph"), graph, colourOf);
  fillMatches(hit);
}

function openHit(hit, opener) {
  state.opener = opener;
  $("captions").hidden = true;
  showPair(hit.image_id, hit, state.last.graph, `#${hit.rank} · ${hit.image_id} · score ${hit.score.toFixed(3)}`,
    `Why this image matched “${state.last.query}”`);
  $("detail").scrollIntoView({ block: "start" });
  $("detail").focus();
}

function closeDetail() {
  if ($("detail").hidden) return;
  $("detail").hidden = true;
  if (state.opener && document.contains(state.opener)) state.opener.focus();
}

async function imageToText(imageId) {
  say(`Finding captions for ${imageId}…`);
  try {
    const out = await api(`/api/search_image?image_id=${encodeURIComponent(imageId)}&k=10`);
    const list = $("caption-list");
    list.replaceChildren();
    for (const hit of out.results) {
      const b = el("button", { type: "button", class: "caption-hit" },
        el("span", { class: "rank", text: `#${hit.rank}` }), el("span", { class: "cap", text: hit.caption }),
        el("span", { class: "score", text: hit.score.toFixed(3) }));
      if (hit.own_image) b.append(el("span", { class: "own", text: "its own caption" }));
      b.addEventListener("click", () => showPair(imageId, hit, hit.graph,
        `${imageId} · caption #${hit.rank} · score ${hit.score.toFixed(3)}`, `Why “${hit.caption}” matched this image`));
      list.append(el("li", {}, b));
    }
    $("captions").hidden = false;
    say(`${out.results.length} captions for ${imageId}; Enter on one shows why it matched.`);
    list.querySelector("button")?.focus();
  } catch (e) {
    say(`Error: ${e.message}`);
  }
}

// --- text -> images ----------------------------------------------------------------------------------------------
async function search(q, k) {
  say(`Searching for “${q}”…`);
  $("grid").setAttribute("aria-busy", "true");
  try {
    const out = await api(`/api/search?q=${encodeURIComponent(q)}&k=${k}`);
    state.last = out;
    $("query").hidden = false;
    drawGraph($("query-graph"), out.graph);
    const grid = $("grid");
    grid.replaceChildren();
    for (const hit of out.results) {
      const img = el("img", { src: imageUrl(hit.image_id), alt: `result ${hit.rank}: image ${hit.image_id}`,
        loading: "lazy" });
      img.addEventListener("error", () => img.classList.add("missing"));
      const bar = el("span", { class: "mini-bar" });
      const top = out.results[0].score, low = out.results[out.results.length - 1].score;
      bar.style.width = `${top === low ? 100 : 15 + (85 * (hit.score - low)) / (top - low)}%`;
      const b = el("button", { type: "button", class: "hit", "aria-label":
        `result ${hit.rank}, image ${hit.image_id}, score ${hit.score.toFixed(3)}: show why it matched` },
        img, el("span", { class: "hit-meta" }, el("span", { class: "rank", text: `#${hit.rank}` }),
          el("span", { class: "score", text: hit.score.toFixed(3) })), el("span", { class: "mini-track" }, bar));
      b.addEventListener("click", () => openHit(hit, b));
      grid.append(el("li", {}, b));
    }
    $("detail").hidden = true;
    say(`${out.results.length} images for “${q}”. Tab to a result and press Enter to see why it matched.`);
  } catch (e) {
    say(`Error: ${e.message}`);
  } finally {
    $("grid").removeAttribute("aria-busy");
  }
}

function init() {
  api("/api/info").then((info) => {
    state.info = info;
    $("run-info").textContent = `${info.model} · ${info.images.toLocaleString()} images (${info.split} of ` +
      `${info.data_name || "the dataset"}) · first stage: ${info.first_stage}`;
  }).catch((e) => { $("run-info").textContent = `service not reachable: ${e.message}`; });
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = $("q").value.trim();
    if (q) search(q, $("k").value);
  });
  $("close").addEventListener("click", closeDetail);
  $("stage").addEventListener("click", () => imageToText($("stage").dataset.imageId));
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeDetail(); });
  $("q").focus();
}

document.addEventListener("DOMContentLoaded", init);
