"""A per-claim view of a Report that every writer shares: which verdict belongs to which claim,
what colour it gets, and where the cited window sits inside its passage."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Optional

from ..records import CitedEvidence, Claim, Passage, Report, Verdict, verdicts_by_claim

# How a claim is shown. "unverified" = check-worthy but the report holds no verdict for it.
Status = Literal["supported", "contradicted", "not_enough_info", "not_checkworthy", "unverified"]

STATUS_TEXT: dict[str, str] = {
    "supported": "supported",
    "contradicted": "contradicted",
    "not_enough_info": "not enough info",
    "not_checkworthy": "not check-worthy",
    "unverified": "no verdict",
}

# When claims overlap in the article, the region takes the colour of its most alarming claim.
STATUS_SEVERITY: dict[str, int] = {
    "contradicted": 4,
    "not_enough_info": 3,
    "unverified": 2,
    "supported": 1,
    "not_checkworthy": 0,
}


@dataclass(frozen=True)
class ClaimRow:
    number: int  # 1-based position in the report, used as the claim's label on screen
    claim: Claim
    verdict: Optional[Verdict]

    @property
    def status(self) -> Status:
        if not self.claim.checkworthy:
            return "not_checkworthy"
        if self.verdict is None:
            return "unverified"
        return self.verdict.label

    @property
    def status_text(self) -> str:
        text = STATUS_TEXT[self.status]
        if self.status == "not_checkworthy" and self.claim.reason:
            text += f" ({self.claim.reason})"
        return text

    @property
    def probability(self) -> Optional[float]:
        """P(the verdict's own label), or None without a verdict."""
        if self.verdict is None:
            return None
        return probability(self.verdict, self.verdict.label)

    @property
    def top_evidence(self) -> Optional[CitedEvidence]:
        return self.verdict.evidence[0] if self.verdict and self.verdict.evidence else None


def probability(verdict: Verdict, label: str) -> float:
    """A probability clamped to [0, 1]; missing or NaN reads as 0 so no writer crashes on it."""
    value = verdict.probabilities.get(label, 0.0)
    if value is None or not isinstance(value, (int, float)) or math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, float(value)))


def claim_rows(report: Report) -> list[ClaimRow]:
    by_claim = verdicts_by_claim(report.verdicts)
    return [ClaimRow(i, claim, by_claim.get(claim.id)) for i, claim in enumerate(report.claims, 1)]


def find_passage(report: Report, claim_id: str, passage_id: str) -> Optional[Passage]:
    for evidence in report.evidence.get(claim_id, []):
        if evidence.passage.id == passage_id:
            return evidence.passage
    return None


@dataclass(frozen=True)
class MarkedPassage:
    """Passage text cut in three so a writer can wrap the cited window: before, marked, after."""

    before: str
    marked: str
    after: str


def mark_cited_window(cited: CitedEvidence, passage: Optional[Passage]) -> MarkedPassage:
    """Locate the cited window inside its passage text.

    `cited.span` indexes the corpus document and `passage.span` says where the passage starts in
    it, so the window starts at cited.span[0] - passage.span[0] inside the passage text. Offsets
    from other stages may be off, so clamp them, and prefer an exact text match when the offsets
    do not point at the cited text.
    """
    if passage is None:
        return MarkedPassage("", cited.text, "")
    text = passage.text
    start = min(len(text), max(0, cited.span[0] - passage.span[0]))
    end = min(len(text), max(start, cited.span[1] - passage.span[0]))
    if text[start:end] != cited.text and cited.text:
        found = text.find(cited.text)
        if found >= 0:
            start, end = found, found + len(cited.text)
    if end <= start:
        return MarkedPassage(text, "", "")
    return MarkedPassage(text[:start], text[start:end], text[end:])


def clamp_span(span: tuple[int, int], length: int) -> tuple[int, int]:
    start = min(length, max(0, span[0]))
    return start, min(length, max(start, span[1]))


def shorten(text: str, limit: int) -> str:
    """One line, at most `limit` characters, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)].rstrip() + "…"
