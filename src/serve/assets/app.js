// newsdex search page. Plain JavaScript, no build step, no outside requests.
// Safety rule: every string that comes from the archive is inserted with textContent or
// document.createTextNode, never parsed as markup (this file uses no HTML-parsing DOM call).
"use strict";

const PAGE = 20;
const FILTER_KEYS = ["source", "section", "author", "lang"];
const FACET_NAMES = { source: "Outlet", section: "Section", author: "Author", language: "Language" };
const FACET_PARAM = { source: "source", section: "section", author: "author", language: "lang" };

// ---- state <-> URL -------------------------------------------------------------------------

function emptyState() {
  return {
    q: "", any: false, exact: false, collapse: true, sort: "relevance", since: "", until: "",
    source: [], section: [], author: [], lang: [],
    offset: 0, tab: "results", article: "",
  };
}

function stateFromUrl() {
  const u = new URLSearchParams(location.search);
  const s = emptyState();
  s.q = u.get("q") || "";
  s.any = u.get("any") === "true";
  s.exact = u.get("exact") === "true";
  s.collapse = u.get("collapse") !== "false";
  s.sort = u.get("sort") || "relevance";
  s.since = u.get("since") || "";
  s.until = u.get("until") || "";
  for (const k of FILTER_KEYS) s[k] = u.getAll(k).filter(Boolean);
  s.offset = Math.max(0, parseInt(u.get("offset") || "0", 10) || 0);
  s.tab = u.get("tab") === "kwic" ? "kwic" : "results";
  s.article = /^[0-9a-f]{16}$/.test(u.get("article") || "") ? u.get("article") : "";
  return s;
}

// The search options as API parameters (the command line's flag names).
function apiParams(s) {
  const p = new URLSearchParams();
  p.set("q", s.q);
  if (s.any) p.set("any", "true");
  if (s.exact) p.set("exact", "true");
  // One row per story unless the reader asks for every copy (as `newsdex search` on a terminal).
  p.set("collapse", s.collapse ? "true" : "false");
  if (s.sort !== "relevance") p.set("sort", s.sort);
  if (s.since) p.set("since", s.since);
  if (s.until) p.set("until", s.until);
  for (const k of FILTER_KEYS) for (const v of s[k]) p.append(k, v);
  return p;
}

function pageUrl(s) {
  if (!s.q) return "/";
  const p = apiParams(s);
  if (s.offset) p.set("offset", String(s.offset));
  if (s.tab !== "results") p.set("tab", s.tab);
  if (s.article) p.set("article", s.article);
  return "/?" + p.toString();
}

let state = emptyState();

function go(next, replace) {
  const url = pageUrl(next);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render(next);
}

// ---- small DOM helpers (text only) -----------------------------------------------------------

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// Appends `text` to `node` with the [start, end) character ranges (Unicode code points, as
// the API counts them) wrapped in <mark>. Returns the marks.
function appendMarked(node, text, ranges) {
  const cps = Array.from(text || "");
  const marks = [];
  let at = 0;
  const sorted = (ranges || []).slice().sort((a, b) => a[0] - b[0]);
  for (const [s0, e0] of sorted) {
    const s = Math.max(at, Math.min(s0, cps.length));
    const e = Math.max(s, Math.min(e0, cps.length));
    if (s > at) node.append(document.createTextNode(cps.slice(at, s).join("")));
    if (e > s) {
      const m = el("mark", null, cps.slice(s, e).join(""));
      node.append(m);
      marks.push(m);
    }
    at = e;
  }
  if (at < cps.length) node.append(document.createTextNode(cps.slice(at).join("")));
  return marks;
}

const fmt = new Intl.NumberFormat("en");
const day = (iso) => (iso ? iso.slice(0, 10) : "undated");

async function api(path, params) {
  const url = params ? path + "?" + params.toString() : path;
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  let body;
  try {
    body = await res.json();
  } catch (_) {
    throw new Error("the server answered " + res.status + " without JSON");
  }
  if (!res.ok) throw new Error(body && body.error ? body.error : "error " + res.status);
  return body;
}

function showError(msg) {
  const e = $("error");
  if (msg) {
    e.textContent = msg;
    e.hidden = false;
  } else {
    e.textContent = "";
    e.hidden = true;
  }
}

// ---- rendering ---------------------------------------------------------------------------------

let token = 0; // drops answers to searches that were replaced meanwhile
let lastSearchKey = "";
let lastListKey = "";
let listToken = 0;
let overviewToken = 0; // the same for facets and the timeline
let stats = null;

function fillForm(s) {
  $("q").value = s.q;
  $("any").checked = s.any;
  $("exact").checked = s.exact;
  $("collapse").checked = s.collapse;
  $("sort").value = s.sort;
  $("since").value = s.since;
  $("until").value = s.until;
}

function render(s) {
  state = s;
  fillForm(s);
  document.title = s.q ? s.q + " – newsdex" : "newsdex";
  const searching = Boolean(s.q);
  $("tabs").hidden = !searching;
  $("timeline").hidden = !searching;
  $("facets").hidden = !searching;
  if (!searching) {
    lastSearchKey = lastListKey = "";
    showError("");
    clear($("results"));
    clear($("kwic"));
    $("pager").hidden = true;
    $("article").hidden = true;
    $("results-area").hidden = false;
    showIntro();
    return;
  }
  const key = apiParams(s).toString();
  if (key !== lastSearchKey) {
    lastSearchKey = key;
    loadOverview(s, ++overviewToken);
  }
  setTab(s.tab);
  const my = ++token;
  if (s.article) {
    openArticle(s, my);
  } else {
    closeArticle();
    const listKey = key + "&" + s.offset + "&" + s.tab;
    if (listKey !== lastListKey) {
      lastListKey = listKey;
      loadList(s, ++listToken);
    }
  }
}

function showIntro() {
  const st = $("status");
  clear(st);
  if (stats) {
    st.append(
      `${fmt.format(stats.articles)} articles` +
        (stats.first_day ? `, ${stats.first_day} to ${stats.last_day}` : "") +
        (stats.undated ? ` (${fmt.format(stats.undated)} undated)` : "") +
        `, ${fmt.format(stats.sources.length)} outlets. Type a query above.`
    );
  }
}

// Facets and the timeline depend only on the query and filters, not on the page.
function loadOverview(s, my) {
  const p = apiParams(s);
  api("/api/facets", p)
    .then((f) => my === overviewToken && renderFacets(s, f))
    .catch((e) => my === overviewToken && showError(e.message));
  const by = bucketing(s);
  const cp = apiParams(s);
  cp.set("by", by);
  api("/api/count", cp)
    .then((t) => my === overviewToken && renderHistogram(s, t))
    .catch((e) => my === overviewToken && showError(e.message));
  const dl = (fmtName) => {
    const q = apiParams(s);
    q.set("format", fmtName);
    return "/api/export?" + q.toString();
  };
  $("dl-csv").href = dl("csv");
  $("dl-csv").setAttribute("download", "newsdex-export.csv");
  $("dl-jsonl").href = dl("jsonl");
  $("dl-jsonl").setAttribute("download", "newsdex-export.jsonl");
  $("dl-meta").href = "/api/export/meta?" + apiParams(s).toString();
}

function loadList(s, my) {
  const p = apiParams(s);
  p.set("limit", String(PAGE));
  p.set("offset", String(s.offset));
  const started = performance.now();
  if (s.tab === "kwic") {
    api("/api/kwic", p)
      .then((k) => {
        if (my !== listToken) return;
        showError("");
        renderStatus(k.total_hits, started);
        renderKwic(k);
        renderPager(s, k.total_hits);
      })
      .catch((e) => my === listToken && fail(e));
  } else {
    api("/api/search", p)
      .then((r) => {
        if (my !== listToken) return;
        showError("");
        renderStatus(r.total_hits, started);
        renderResults(s, r);
        renderPager(s, r.total_hits);
      })
      .catch((e) => my === listToken && fail(e));
  }
}

function fail(e) {
  lastListKey = "";
  showError(e.message);
  clear($("results"));
  clear($("kwic"));
  clear($("status"));
  $("pager").hidden = true;
}

function renderStatus(total, started) {
  const ms = Math.round(performance.now() - started);
  $("status").textContent = `${fmt.format(total)} ${total === 1 ? "article" : "articles"} (${ms} ms)`;
}

function articleHref(s, id) {
  return pageUrl({ ...s, article: id });
}

function renderResults(s, r) {
  const list = clear($("results"));
  list.start = s.offset + 1;
  if (r.hits.length === 0) {
    list.append(el("li", { class: "empty" }, "No article matches. Try fewer words, any word, or clear the dates and filters."));
    return;
  }
  for (const h of r.hits) {
    const title = el("a", {
      href: articleHref(s, h.id),
      class: "hit-title",
      "data-id": h.id,
      onclick: (ev) => {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
        ev.preventDefault();
        go({ ...state, article: h.id });
      },
    }, h.title || "(untitled)");
    const meta = el("p", { class: "meta" });
    meta.append(el("time", { datetime: h.published || undefined }, day(h.published)));
    if (h.source) meta.append(" · ", el("span", { class: "source" }, h.source));
    if (h.section) meta.append(" · ", h.section);
    if (h.authors && h.authors.length) meta.append(" · ", h.authors.join(", "));
    const copies = copiesOf(h);
    if (copies > 0) meta.append(" · ", el("span", { class: "copies", title: "near-identical articles folded into this one" }, `+${copies} ${copies === 1 ? "copy" : "copies"}`));
    const snip = el("p", { class: "snippet" });
    appendMarked(snip, h.snippet, h.highlights);
    list.append(el("li", { class: "hit" }, el("h3", null, title), meta, snip));
  }
}

// The other articles of the hit's story: `copies` counts the whole cluster, this one included.
function copiesOf(h) {
  return typeof h.copies === "number" ? Math.max(0, h.copies - 1) : 0;
}

function renderKwic(k) {
  const box = clear($("kwic"));
  if (k.rows.length === 0) {
    box.append(el("p", { class: "empty" }, "No occurrences in this page of hits."));
    return;
  }
  const table = el("table", { class: "kwic" });
  table.append(el("caption", null, `${fmt.format(k.rows.length)} occurrences in ${k.articles} articles of this page` + (k.truncated ? " (first ones only)" : "")));
  const body = el("tbody");
  for (const r of k.rows) {
    const link = el("a", {
      href: articleHref(state, r.id),
      onclick: (ev) => {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
        ev.preventDefault();
        go({ ...state, article: r.id });
      },
    }, r.title || "(untitled)");
    body.append(el("tr", null,
      el("td", { class: "left" }, r.left),
      el("td", { class: "match" }, el("mark", null, r.match)),
      el("td", { class: "right" }, r.right),
      el("td", { class: "where" }, link, el("br"), el("small", null, `${day(r.published)} ${r.source || ""}`))));
  }
  table.append(body);
  box.append(table);
}

function renderPager(s, total) {
  const pager = $("pager");
  pager.hidden = total <= PAGE;
  const page = Math.floor(s.offset / PAGE) + 1;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  $("page-label").textContent = `page ${page} of ${fmt.format(pages)}`;
  $("prev").disabled = s.offset === 0;
  $("next").disabled = s.offset + PAGE >= total || s.offset + PAGE > 10000;
}

function renderFacets(s, f) {
  const box = clear($("facets"));
  const active = FILTER_KEYS.flatMap((k) => s[k].map((v) => [k, v]));
  if (active.length) {
    const chips = el("div", { class: "chips" });
    for (const [k, v] of active) {
      chips.append(el("button", {
        type: "button", class: "chip", title: "remove this filter",
        onclick: () => go({ ...state, [k]: state[k].filter((x) => x !== v), offset: 0, article: "" }),
      }, `${k}: ${v} ×`));
    }
    box.append(chips);
  }
  for (const name of ["source", "section", "author", "language"]) {
    const values = f[name] || [];
    if (!values.length) continue;
    const key = FACET_PARAM[name];
    const list = el("ul");
    for (const v of values) {
      const on = s[key].includes(v.value);
      list.append(el("li", null, el("button", {
        type: "button", class: on ? "facet on" : "facet", "aria-pressed": on ? "true" : "false",
        onclick: () => {
          const cur = state[key];
          const next = on ? cur.filter((x) => x !== v.value) : cur.concat([v.value]);
          go({ ...state, [key]: next, offset: 0, article: "" });
        },
      }, el("span", { class: "facet-value" }, v.value), el("span", { class: "count" }, fmt.format(v.count)))));
    }
    const details = el("details", { open: true }, el("summary", null, FACET_NAMES[name]), list);
    box.append(details);
  }
}

// ---- timeline ------------------------------------------------------------------------------------

function parseDay(s, end) {
  // YYYY, YYYY-MM or YYYY-MM-DD as a UTC Date (first or last day covered).
  const m = /^(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$/.exec((s || "").trim());
  if (!m) return null;
  const y = +m[1];
  if (m[3]) return new Date(Date.UTC(y, +m[2] - 1, +m[3]));
  if (m[2]) return end ? new Date(Date.UTC(y, +m[2], 0)) : new Date(Date.UTC(y, +m[2] - 1, 1));
  return end ? new Date(Date.UTC(y, 11, 31)) : new Date(Date.UTC(y, 0, 1));
}

const iso = (d) => d.toISOString().slice(0, 10);

// Calendar buckets by zoom: the finest of day, week, month, year that fits the span in at most
// about 90 bars.
function bucketing(s) {
  const lo = parseDay(s.since, false) || (stats && stats.first_day ? parseDay(stats.first_day, false) : null);
  const hi = parseDay(s.until, true) || (stats && stats.last_day ? parseDay(stats.last_day, true) : null);
  if (!lo || !hi) return "year";
  const days = (hi - lo) / 86400000 + 1;
  if (days <= 92) return "day";
  if (days <= 7 * 90) return "week";
  if (days <= 31 * 90) return "month";
  return "year";
}

// The days a bucket label covers: 2018, 2018-10, 2018-W43, 2018-10-25.
function bucketRange(label) {
  let m = /^(\d+)-W(\d+)$/.exec(label);
  if (m) {
    const jan4 = new Date(Date.UTC(+m[1], 0, 4));
    const monday = new Date(jan4 - ((jan4.getUTCDay() + 6) % 7) * 86400000 + (+m[2] - 1) * 7 * 86400000);
    return [iso(monday), iso(new Date(+monday + 6 * 86400000))];
  }
  return [iso(parseDay(label, false)), iso(parseDay(label, true))];
}

let histo = null; // { rows, undated, cursor, anchor }

function renderHistogram(s, t) {
  const svg = $("histogram");
  clear(svg);
  const rows = t.rows.map((r) => ({ label: r.bucket, n: r.counts[0] }));
  const undated = t.undated[0] || 0;
  $("zoom-label").textContent = `per ${t.by}`;
  $("brush-label").textContent = s.since || s.until ? `${s.since || "…"} to ${s.until || "…"}` : "";
  $("zoom-out").hidden = !(s.since || s.until);
  histo = { rows, undated, cursor: -1, anchor: -1, by: t.by };
  const NS = "http://www.w3.org/2000/svg";
  const W = 1000, H = 150, base = 125;
  const slots = rows.length + (undated ? 2 : 0);
  const bw = W / Math.max(slots, 1);
  const max = Math.max(1, undated, ...rows.map((r) => r.n));
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-label", `hits per ${t.by}: ${rows.length} periods` + (undated ? `, ${undated} undated` : ""));
  const mk = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const sel = mk("rect", { id: "brush", x: 0, y: 0, width: 0, height: base, class: "brush" });
  svg.append(sel);
  rows.forEach((r, i) => {
    const h = r.n ? Math.max(2, (r.n / max) * (base - 10)) : 0;
    const g = mk("g", { class: "bar", "data-i": i, "data-label": r.label });
    g.append(mk("rect", { x: i * bw, y: 0, width: bw, height: base, class: "hitbox" }));
    g.append(mk("rect", { x: i * bw + bw * 0.1, y: base - h, width: bw * 0.8, height: h, class: "fill" }));
    g.append(mk("title", {}, `${r.label}: ${fmt.format(r.n)}`));
    svg.append(g);
  });
  if (undated) {
    const x = (rows.length + 1) * bw;
    const h = Math.max(2, (undated / max) * (base - 10));
    const g = mk("g", { class: "bar undated", "data-undated": "1" });
    g.append(mk("rect", { x: x + bw * 0.1, y: base - h, width: bw * 0.8, height: h, class: "fill" }));
    g.append(mk("title", {}, `undated: ${fmt.format(undated)} (not in any period; a date filter leaves them out)`));
    svg.append(g);
    svg.append(mk("text", { x: x + bw / 2, y: H - 5, class: "axis", "text-anchor": "middle" }, "undated"));
  }
  // Axis: first, middle and last labels.
  if (rows.length) {
    const picks = rows.length > 2 ? [0, Math.floor(rows.length / 2), rows.length - 1] : rows.map((_, i) => i);
    for (const i of picks) {
      svg.append(mk("text", { x: i * bw + bw / 2, y: H - 5, class: "axis", "text-anchor": i === 0 ? "start" : i === rows.length - 1 ? "end" : "middle" }, rows[i].label));
    }
  }
  svg.append(mk("line", { x1: 0, x2: W, y1: base, y2: base, class: "baseline" }));
  histo.bw = bw;
}

function barIndexAt(ev) {
  const svg = $("histogram");
  const box = svg.getBoundingClientRect();
  if (!histo || !histo.rows.length || box.width === 0) return -1;
  const x = ((ev.clientX - box.left) / box.width) * 1000;
  const i = Math.floor(x / histo.bw);
  return Math.min(histo.rows.length - 1, Math.max(0, i));
}

function showBrush(a, b) {
  const r = $("brush");
  if (!r || !histo) return;
  if (a < 0) {
    r.setAttribute("width", 0);
    return;
  }
  const lo = Math.min(a, b), hi = Math.max(a, b);
  r.setAttribute("x", lo * histo.bw);
  r.setAttribute("width", (hi - lo + 1) * histo.bw);
  $("brush-label").textContent = `${histo.rows[lo].label} to ${histo.rows[hi].label}`;
}

function applyBrush(a, b) {
  if (!histo || a < 0) return;
  const lo = Math.min(a, b), hi = Math.max(a, b);
  const since = bucketRange(histo.rows[lo].label)[0];
  const until = bucketRange(histo.rows[hi].label)[1];
  go({ ...state, since, until, offset: 0, article: "" });
}

function setupHistogram() {
  const svg = $("histogram");
  let down = -1;
  svg.addEventListener("pointerdown", (ev) => {
    down = barIndexAt(ev);
    if (down >= 0) {
      svg.setPointerCapture(ev.pointerId);
      showBrush(down, down);
    }
  });
  svg.addEventListener("pointermove", (ev) => {
    if (down >= 0) showBrush(down, barIndexAt(ev));
  });
  svg.addEventListener("pointerup", (ev) => {
    if (down < 0) return;
    const up = barIndexAt(ev);
    const a = down;
    down = -1;
    applyBrush(a, up);
  });
  svg.addEventListener("keydown", (ev) => {
    if (!histo || !histo.rows.length) return;
    const n = histo.rows.length;
    if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") {
      ev.preventDefault();
      if (histo.cursor < 0) histo.cursor = ev.key === "ArrowLeft" ? n - 1 : 0;
      else histo.cursor = Math.min(n - 1, Math.max(0, histo.cursor + (ev.key === "ArrowLeft" ? -1 : 1)));
      if (!ev.shiftKey || histo.anchor < 0) histo.anchor = histo.cursor;
      showBrush(histo.anchor, histo.cursor);
    } else if (ev.key === "Enter" && histo.cursor >= 0) {
      ev.preventDefault();
      applyBrush(histo.anchor, histo.cursor);
    }
  });
}

// ---- article view ------------------------------------------------------------------------------

let marks = [];
let current = -1;

function closeArticle() {
  $("article").hidden = true;
  $("results-area").hidden = false;
  $("timeline").hidden = !state.q;
  $("facets").hidden = !state.q;
}

async function openArticle(s, my) {
  const view = $("article");
  $("results-area").hidden = true;
  $("timeline").hidden = true;
  $("facets").hidden = true;
  view.hidden = false;
  const title = clear($("article-title"));
  const meta = clear($("article-meta"));
  const body = clear($("article-body"));
  $("match-label").textContent = "loading…";
  marks = [];
  current = -1;
  try {
    const mp = apiParams(s);
    const [a, m] = await Promise.all([api("/api/article/" + s.article), api("/api/matches/" + s.article, mp)]);
    if (my !== token) return;
    document.title = (a.title || "(untitled)") + " – newsdex";
    const titleMarks = appendMarked(title, a.title || "(untitled)", m.title);
    meta.append(el("time", { datetime: a.published || undefined }, day(a.published)));
    for (const part of [a.source, a.section, (a.authors || []).join(", "), a.language]) {
      if (part) meta.append(" · ", part);
    }
    meta.append(el("br"), el("span", { class: "path", title: "file in the archive" }, a.path));
    if (a.url) meta.append(" · ", el("span", { class: "url" }, a.url));
    marks = titleMarks.concat(appendMarked(body, a.body, m.body));
    marks.forEach((mk, i) => mk.setAttribute("data-match", String(i + 1)));
    view.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    if (marks.length) step(1);
    else $("match-label").textContent = "no match of the query in this text";
  } catch (e) {
    if (my === token) {
      $("match-label").textContent = "";
      showError(e.message);
    }
  }
}

function step(d) {
  if (!marks.length) return;
  if (current >= 0) marks[current].classList.remove("current");
  current = current < 0 ? 0 : (current + d + marks.length) % marks.length;
  const m = marks[current];
  m.classList.add("current");
  m.scrollIntoView({ block: "center" });
  $("match-label").textContent = `match ${current + 1} of ${marks.length}`;
}

// ---- tabs and wiring ---------------------------------------------------------------------------

function setTab(tab) {
  const kwic = tab === "kwic";
  $("tab-results").setAttribute("aria-selected", String(!kwic));
  $("tab-kwic").setAttribute("aria-selected", String(kwic));
  $("results").hidden = kwic;
  $("kwic").hidden = !kwic;
}

function readForm() {
  return {
    ...emptyState(),
    q: $("q").value.trim(),
    any: $("any").checked,
    exact: $("exact").checked,
    collapse: $("collapse").checked,
    sort: $("sort").value,
    since: $("since").value.trim(),
    until: $("until").value.trim(),
    source: state.source, section: state.section, author: state.author, lang: state.lang,
    tab: state.tab,
  };
}

function isTyping(ev) {
  const t = ev.target;
  return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
}

function focusHit(d) {
  const links = Array.from(document.querySelectorAll("#results .hit-title, #kwic td.where a"));
  if (!links.length) return;
  const i = links.indexOf(document.activeElement);
  const next = i < 0 ? (d > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, i + d));
  links[next].focus();
  links[next].scrollIntoView({ block: "nearest" });
}

function init() {
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    lastSearchKey = lastListKey = ""; // searching again reads the index again
    go(readForm());
  });
  for (const id of ["any", "exact", "collapse", "sort"]) $(id).addEventListener("change", () => state.q && go(readForm()));
  for (const id of ["since", "until"]) $(id).addEventListener("change", () => state.q && go(readForm()));
  $("help-toggle").addEventListener("click", () => {
    const h = $("help");
    h.hidden = !h.hidden;
    $("help-toggle").setAttribute("aria-expanded", String(!h.hidden));
  });
  $("home").addEventListener("click", (ev) => {
    ev.preventDefault();
    go(emptyState());
  });
  $("prev").addEventListener("click", () => go({ ...state, offset: Math.max(0, state.offset - PAGE) }));
  $("next").addEventListener("click", () => go({ ...state, offset: state.offset + PAGE }));
  $("tab-results").addEventListener("click", () => go({ ...state, tab: "results" }));
  $("tab-kwic").addEventListener("click", () => go({ ...state, tab: "kwic" }));
  $("back").addEventListener("click", () => go({ ...state, article: "" }));
  $("next-match").addEventListener("click", () => step(1));
  $("prev-match").addEventListener("click", () => step(-1));
  $("zoom-out").addEventListener("click", () => go({ ...state, since: "", until: "", offset: 0 }));
  setupHistogram();
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape") {
      if (!$("help").hidden) $("help").hidden = true;
      else if (state.article) go({ ...state, article: "" });
      return;
    }
    if (isTyping(ev)) return;
    if (ev.key === "/") {
      ev.preventDefault();
      $("q").focus();
      $("q").select();
    } else if (state.article && (ev.key === "n" || ev.key === "p")) {
      step(ev.key === "n" ? 1 : -1);
    } else if (!state.article && (ev.key === "j" || ev.key === "k")) {
      focusHit(ev.key === "j" ? 1 : -1);
    }
  });
  window.addEventListener("popstate", () => render(stateFromUrl()));
  api("/api/stats")
    .then((s) => {
      stats = s;
      $("footer").textContent = `${fmt.format(s.articles)} articles in ${s.index}`;
      const first = stateFromUrl();
      render(first);
    })
    .catch((e) => {
      showError(e.message);
      render(stateFromUrl());
    });
}

document.addEventListener("DOMContentLoaded", init);
