"""The verdict table for the terminal (rich)."""
from __future__ import annotations

from typing import Optional

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..records import Report
from ..records import verdict_counts
from .summary import summary_line
from .view import ClaimRow, claim_rows, shorten

STATUS_STYLE: dict[str, str] = {
    "supported": "bold green",
    "contradicted": "bold red",
    "not_enough_info": "bold yellow",
    "not_checkworthy": "dim",
    "unverified": "dim",
}
CLAIM_CHARS = 70


def _checks_text(row: ClaimRow) -> Text:
    if row.verdict is None:
        return Text("")
    text = Text()
    for i, check in enumerate(row.verdict.checks):
        if i:
            text.append(", ")
        style = {"consistent": "green", "inconsistent": "red"}.get(check.relation, "dim")
        text.append(f"{check.kind} {check.relation}", style=style)
    return text


def verdict_table(report: Report) -> Table:
    table = Table(title=f"Claims in {report.document.id}", title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("claim", overflow="fold", ratio=3)
    table.add_column("type")
    table.add_column("verdict")
    table.add_column("P(verdict)", justify="right")
    table.add_column("top evidence")
    table.add_column("checks")
    for row in claim_rows(report):
        dim = "dim" if not row.claim.checkworthy else ""
        top = row.top_evidence
        # Text objects (not markup strings), so brackets in claims are shown, not interpreted.
        table.add_row(
            str(row.number),
            Text(shorten(row.claim.text, CLAIM_CHARS), style=dim),
            Text(row.claim.type, style=dim),
            Text(row.status_text, style=STATUS_STYLE[row.status]),
            Text("—" if row.probability is None else f"{row.probability:.2f}", style=dim),
            Text(top.doc_id if top else "—", style=dim),
            _checks_text(row),
        )
    return table


def render_terminal(report: Report, console: Optional[Console] = None) -> None:
    """Print the verdict table and a one-line summary."""
    console = console or Console(emoji=False)
    console.print(verdict_table(report))
    console.print(Text(summary_line(verdict_counts(report.claims, report.verdicts)), style="bold"))
