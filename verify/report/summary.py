"""The one-line summary the terminal and Markdown show (the counts are `records.verdict_counts`)."""
from __future__ import annotations

from ..records import LABELS


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
