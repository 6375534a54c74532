"""A Markdown report: summary counts and one table row per claim."""
from __future__ import annotations

import json

from ..records import Report
from ..records import verdict_counts
from .summary import summary_line
from .view import ClaimRow, claim_rows, shorten

EVIDENCE_CHARS = 240


def md_cell(text: str) -> str:
    """Make text safe inside a table cell: one line, no column breaks, no raw HTML, and no links or
    images (`[x](javascript:…)`, `![x](data:…)`, `[x]: url`): escaped brackets keep article and
    evidence text inert, as in the HTML report, where text never becomes markup."""
    text = " ".join(text.split())
    for raw, escaped in (("\\", "\\\\"), ("|", "\\|"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"),
                         ("[", "\\["), ("]", "\\]")):
        text = text.replace(raw, escaped)
    return text


def _evidence_cell(row: ClaimRow) -> str:
    cited = row.top_evidence
    if cited is None:
        return "—"
    quote = shorten(cited.text, EVIDENCE_CHARS)
    return f"{md_cell(cited.doc_id)} [{cited.span[0]}:{cited.span[1]}]: “{md_cell(quote)}”"


def _checks_cell(row: ClaimRow) -> str:
    if row.verdict is None or not row.verdict.checks:
        return ""
    return md_cell("; ".join(f"{c.kind} {c.relation}: {c.explanation}" for c in row.verdict.checks))


def _row(row: ClaimRow) -> str:
    prob = "—" if row.probability is None else f"{row.probability:.2f}"
    cells = [
        str(row.number),
        md_cell(row.claim.text),
        f"**{md_cell(row.status_text)}**" if row.claim.checkworthy else md_cell(row.status_text),
        prob,
        _evidence_cell(row),
        _checks_cell(row),
    ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: Report) -> str:
    doc = report.document
    counts = verdict_counts(report.claims, report.verdicts)
    lines = [f"# Fact-check report: {md_cell(doc.id)}", ""]
    if doc.date:
        lines.append(f"- Document date: {doc.date.isoformat()}")
    if doc.source:
        lines.append(f"- Source: {md_cell(doc.source)}")
    for key, value in report.provenance.items():
        shown = value if isinstance(value, (str, int, float, bool)) else json.dumps(value, ensure_ascii=False)
        lines.append(f"- {md_cell(str(key))}: {md_cell(str(shown))}")
    lines += [
        "",
        f"**{summary_line(counts)}**",
        "",
        "| # | Claim | Verdict | P(verdict) | Top evidence | Checks |",
        "|---:|---|---|---:|---|---|",
    ]
    lines += [_row(row) for row in claim_rows(report)]
    return "\n".join(lines) + "\n"
