"""The self-contained HTML report: the article with claims highlighted by verdict, a side panel
per claim (shown on click/hover by a few lines of inline JS) and a plain claim list that works
without JS and in print.

All panels are rendered here, server-side, with autoescaping on; the JS only toggles `hidden`.
So no report data travels through JS strings, and article or evidence text can never become markup.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import jinja2

from ..records import LABELS, CheckFinding, CitedEvidence, Report
from ..records import verdict_counts
from .summary import summary_line
from .view import (
    STATUS_SEVERITY,
    STATUS_TEXT,
    ClaimRow,
    MarkedPassage,
    claim_rows,
    clamp_span,
    find_passage,
    mark_cited_window,
    probability,
    shorten,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PROVENANCE_VALUE_CHARS = 200


@dataclass(frozen=True)
class ArticlePiece:
    """A stretch of article text; `rows` are the claims whose spans cover it (none = plain text).
    Overlapping spans are merged into one piece, so a sentence holding two claims is one region."""

    text: str
    rows: tuple[ClaimRow, ...] = ()

    @property
    def status(self) -> str:
        return max((row.status for row in self.rows), key=STATUS_SEVERITY.__getitem__)

    @property
    def numbers(self) -> list[int]:
        return [row.number for row in self.rows]


def article_pieces(text: str, rows: list[ClaimRow]) -> list[ArticlePiece]:
    """Cut the article into plain stretches and highlighted regions (unions of overlapping spans)."""
    spans = sorted(
        ((clamp_span(row.claim.source_span, len(text)), row) for row in rows),
        key=lambda item: (item[0][0], -item[0][1], item[1].number),
    )
    regions: list[tuple[int, int, list[ClaimRow]]] = []
    for (start, end), row in spans:
        if end <= start:
            continue  # empty or out-of-range span: the claim is still in the list, just not highlighted
        if regions and start < regions[-1][1]:
            last_start, last_end, members = regions[-1]
            regions[-1] = (last_start, max(last_end, end), members + [row])
        else:
            regions.append((start, end, [row]))
    pieces: list[ArticlePiece] = []
    cursor = 0
    for start, end, members in regions:
        if start > cursor:
            pieces.append(ArticlePiece(text[cursor:start]))
        pieces.append(ArticlePiece(text[start:end], tuple(sorted(members, key=lambda r: r.number))))
        cursor = end
    if cursor < len(text):
        pieces.append(ArticlePiece(text[cursor:]))
    return pieces


@dataclass(frozen=True)
class EvidenceView:
    cited: CitedEvidence
    passage: MarkedPassage
    title: Optional[str]


@dataclass(frozen=True)
class ClaimDetail:
    """Everything one claim's panel (and its entry in the plain list) shows."""

    row: ClaimRow
    source_text: str
    probabilities: list[tuple[str, str, float]] = field(default_factory=list)  # label, text, value
    evidence: list[EvidenceView] = field(default_factory=list)
    checks: list[CheckFinding] = field(default_factory=list)
    explanation: str = ""


def claim_detail(report: Report, row: ClaimRow) -> ClaimDetail:
    start, end = clamp_span(row.claim.source_span, len(report.document.text))
    verdict = row.verdict
    if verdict is None:
        return ClaimDetail(row, report.document.text[start:end])
    evidence = []
    for cited in verdict.evidence:
        passage = find_passage(report, row.claim.id, cited.passage_id)
        evidence.append(EvidenceView(cited, mark_cited_window(cited, passage), passage.title if passage else None))
    return ClaimDetail(
        row=row,
        source_text=report.document.text[start:end],
        probabilities=[(label, STATUS_TEXT[label], probability(verdict, label)) for label in LABELS],
        evidence=evidence,
        checks=list(verdict.checks),
        explanation=verdict.explanation,
    )


def provenance_items(provenance: dict) -> list[tuple[str, str]]:
    items = []
    for key, value in provenance.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        items.append((str(key), shorten(shown, PROVENANCE_VALUE_CHARS)))
    return items


def _environment() -> jinja2.Environment:
    # autoescape=True for every template, whatever its file name: all report text is untrusted.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    rows = claim_rows(report)
    counts = verdict_counts(report.claims, report.verdicts)
    template = _environment().get_template("report.html.j2")
    return template.render(
        document=report.document,
        counts=counts,
        summary_line=summary_line(counts),
        provenance=provenance_items(report.provenance),
        pieces=article_pieces(report.document.text, rows),
        details=[claim_detail(report, row) for row in rows],
        schema_version=report.schema_version,
    )
