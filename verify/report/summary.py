"""Summary counts for Report.summary and the one-line text the terminal and Markdown show."""
from __future__ import annotations

from typing import Sequence

from ..records import LABELS, Claim, Verdict
from .view import verdicts_by_claim


def summarize(claims: Sequence[Claim], verdicts: Sequence[Verdict]) -> dict[str, int]:
    """Counts: claims, checkworthy, and one per verdict label.

    Labels are counted over check-worthy claims only (one verdict per claim, the first), since
    those are the claims the tool vouches for; verdicts for unknown claim ids are ignored.
    """
    by_claim = verdicts_by_claim(verdicts)
    counts = {"claims": len(claims), "checkworthy": 0, **{label: 0 for label in LABELS}}
    for claim in claims:
        if not claim.checkworthy:
            continue
        counts["checkworthy"] += 1
        verdict = by_claim.get(claim.id)
        if verdict is not None:
            counts[verdict.label] += 1
    return counts


def summary_line(counts: dict[str, int]) -> str:
    """e.g. "12 claims: 7 supported, 2 contradicted, 3 not enough info; 4 not check-worthy"."""
    total = counts.get("claims", 0)
    checkworthy = counts.get("checkworthy", 0)
    labelled = sum(counts.get(label, 0) for label in LABELS)
    line = (
        f"{total} claim{'s' if total != 1 else ''}: {counts.get('supported', 0)} supported, "
        f"{counts.get('contradicted', 0)} contradicted, "
        f"{counts.get('not_enough_info', 0)} not enough info; "
        f"{total - checkworthy} not check-worthy"
    )
    if checkworthy > labelled:
        line += f"; {checkworthy - labelled} without verdict"
    return line
