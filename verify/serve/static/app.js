// The page of `verify serve`: send the article to POST /v1/check, show the report.
// Every piece of text from the user or the report goes into the page through textContent
// (never innerHTML), so article or evidence text can never become markup.
"use strict";

const STATUS_TEXT = {
  supported: "supported", contradicted: "contradicted", not_enough_info: "not enough info",
  not_checkworthy: "not check-worthy", unverified: "no verdict",
};
const SEVERITY = { contradicted: 4, not_enough_info: 3, unverified: 2, supported: 1, not_checkworthy: 0 };
const $ = (id) => document.getElementById(id);
let current = null; // the last report

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const token = $("token").value.trim();
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

async function api(method, path, body) {
  const response = await fetch(path, { method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function say(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function loadCorpora() {
  const health = await (await fetch("/healthz")).json();
  $("token-row").hidden = !health.auth;
  if (health.auth && !$("token").value.trim()) { say("This service needs a token."); return; }
  try {
    const { corpora } = await (await api("GET", "/v1/corpora")).json();
    const select = $("corpus");
    select.replaceChildren(...corpora.map((c) => el("option", { value: c.name }, c.passages === null ? c.name : `${c.name} (${c.passages} passages)`)));
    say(corpora.length ? "" : "This service has no corpus.", !corpora.length);
  } catch (e) { say(e.message, true); }
}

// -- the report ------------------------------------------------------------------------------------
function rowsOf(report) {
  const verdicts = new Map();
  for (const v of report.verdicts) if (!verdicts.has(v.claim_id)) verdicts.set(v.claim_id, v);
  return report.claims.map((claim, i) => {
    const verdict = verdicts.get(claim.id) || null;
    const status = !claim.checkworthy ? "not_checkworthy" : verdict ? verdict.label : "unverified";
    return { number: i + 1, claim, verdict, status };
  });
}

// Spans are in code points (Python); Array.from splits a string the same way.
function regions(chars, rows) {
  const spans = rows
    .map((row) => ({ start: Math.max(0, row.claim.source_span[0]), end: Math.min(chars.length, row.claim.source_span[1]), row }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end || a.row.number - b.row.number);
  const merged = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) { last.end = Math.max(last.end, s.end); last.rows.push(s.row); }
    else merged.push({ start: s.start, end: s.end, rows: [s.row] });
  }
  return merged;
}

function renderArticle(report) {
  const chars = Array.from(report.document.text);
  const rows = rowsOf(report);
  const view = $("article-view");
  const nodes = [];
  let cursor = 0;
  for (const region of regions(chars, rows)) {
    if (region.start > cursor) nodes.push(document.createTextNode(chars.slice(cursor, region.start).join("")));
    const status = region.rows.map((r) => r.status).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
    const numbers = region.rows.map((r) => r.number).sort((a, b) => a - b);
    const span = el("span", {
      class: `claim-region verdict-${status}`, tabindex: "0", role: "button",
      "data-claims": numbers.join(" "), "data-status": status,
      "aria-label": `claim ${numbers.join(", ")}: ${STATUS_TEXT[status]}`,
    }, chars.slice(region.start, region.end).join(""),
    el("span", { class: `verdict-label verdict-${status}`, "aria-hidden": "true" }, STATUS_TEXT[status]));
    span.addEventListener("click", () => showDetail(span, region.rows));
    span.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showDetail(span, region.rows); } });
    nodes.push(span);
    cursor = region.end;
  }
  if (cursor < chars.length) nodes.push(document.createTextNode(chars.slice(cursor).join("")));
  view.replaceChildren(...nodes);
  const counts = report.summary;
  $("summary").replaceChildren(
    el("li", {}, `${counts.claims} claims`),
    el("li", { class: "verdict-supported" }, `${counts.supported} supported`),
    el("li", { class: "verdict-contradicted" }, `${counts.contradicted} contradicted`),
    el("li", { class: "verdict-not_enough_info" }, `${counts.not_enough_info} not enough info`),
    el("li", { class: "verdict-not_checkworthy" }, `${counts.claims - counts.checkworthy} not check-worthy`));
  $("detail").replaceChildren(el("p", { class: "hint" }, "No claim chosen yet."));
  $("result").hidden = false;
}

function probabilityRow(label, value) {
  const fill = el("span", { class: `fill verdict-${label}` });
  fill.style.width = `${Math.round(value * 100)}%`;
  return el("div", { class: "prob" }, el("span", {}, STATUS_TEXT[label]), el("span", { class: "bar" }, fill),
    el("span", { class: "prob-value" }, value.toFixed(2)));
}

function claimDetail(row, report) {
  const { claim, verdict, status } = row;
  const chars = Array.from(report.document.text);
  const box = el("div", { class: "claim-detail", id: `detail-claim-${row.number}` },
    el("h3", {}, `Claim ${row.number} `, el("span", { class: `verdict-label verdict-${status}` }, STATUS_TEXT[status])),
    el("p", { class: "claim-text" }, claim.text),
    el("p", { class: "hint" }, `In the article: “${chars.slice(claim.source_span[0], claim.source_span[1]).join("")}” ` +
      `(characters ${claim.source_span[0]}–${claim.source_span[1]}; ${claim.type})`));
  if (!verdict) {
    box.append(el("p", { class: "hint" }, claim.checkworthy ? "No verdict." : `Not verified: ${claim.reason || "not check-worthy"}.`));
    return box;
  }
  box.append(el("h4", {}, "Probabilities"),
    ...["supported", "contradicted", "not_enough_info"].map((l) => probabilityRow(l, verdict.probabilities[l] || 0)));
  if (verdict.explanation) box.append(el("p", { class: "hint" }, verdict.explanation));
  box.append(el("h4", {}, verdict.evidence.length ? "Cited evidence" : "No evidence cited"));
  const list = el("ol", { class: "evidence-list" });
  for (const ev of verdict.evidence) {
    list.append(el("li", { class: "evidence" },
      el("div", { class: "evidence-head" },
        `${ev.doc_id}, characters ${ev.span[0]}–${ev.span[1]} · entailment ${ev.entailment.toFixed(2)}, contradiction ${ev.contradiction.toFixed(2)}`),
      el("blockquote", { class: "passage" }, ev.text)));
  }
  box.append(list);
  const findings = (report.findings && report.findings[claim.id]) || verdict.checks || [];
  if (findings.length) {
    box.append(el("h4", {}, "Check findings"),
      el("ul", { class: "checks" }, ...findings.map((f) => el("li", { class: `check-${f.relation}` },
        `${f.kind}, ${f.relation}: ${f.explanation}${f.passage_id ? ` (${f.passage_id})` : ""}`))));
  }
  return box;
}

function showDetail(span, rows) {
  for (const other of document.querySelectorAll(".claim-region.active")) other.classList.remove("active");
  span.classList.add("active");
  $("detail").replaceChildren(...rows.slice().sort((a, b) => a.number - b.number).map((row) => claimDetail(row, current)));
}

// -- downloads -------------------------------------------------------------------------------------
function download(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const baseName = () => (current && current.document.id ? current.document.id : "report").replace(/[^A-Za-z0-9_.-]/g, "_");

$("download-json").addEventListener("click", () => {
  download(new Blob([JSON.stringify(current, null, 2) + "\n"], { type: "application/json" }), `${baseName()}.json`);
});

$("download-html").addEventListener("click", async () => {
  try {
    const response = await api("POST", "/v1/render", { report: current, format: "html" });
    download(await response.blob(), `${baseName()}.html`);
  } catch (e) { say(e.message, true); }
});

// -- the form --------------------------------------------------------------------------------------
$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (file) $("article").value = await file.text();
});

$("token").addEventListener("change", loadCorpora);

$("check-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { text: $("article").value, corpus: $("corpus").value };
  if ($("date").value) body.date = $("date").value;
  if (!body.text.trim()) { say("Paste or upload an article first.", true); return; }
  $("check").disabled = true;
  say(`Checking ${Array.from(body.text).length.toLocaleString()} characters against ${body.corpus}…`);
  const started = performance.now();
  try {
    current = await (await api("POST", "/v1/check", body)).json();
    renderArticle(current);
    say(`Checked in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } catch (e) {
    say(e.message, true);
  } finally {
    $("check").disabled = false;
  }
});

loadCorpora();
