"""Human output (rich table, failure diffs, baseline report) and machine output (JSON)."""
from __future__ import annotations

import json
from typing import Any, Optional

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .baseline import BaselineComparison
from .runner import CaseResult, CIResult

LOG_WIDTH = 160  # CI logs are not terminals; rich would otherwise squeeze the table to 80 columns


def results_table(result: CIResult) -> Table:
    table = Table(title="verify ci", show_lines=False)
    table.add_column("set", overflow="fold", max_width=24)
    table.add_column("claim", overflow="fold", ratio=1)
    for column in ("expected", "got", "p", "result"):
        table.add_column(column, no_wrap=True)
    for case in result.cases:
        p = f"{case.probability:.2f}" if case.probability is not None else "-"
        table.add_row(
            escape(case.set_name), escape(case.claim), case.expected, case.got or "-", p, _status(case)
        )
    return table


def _status(case: CaseResult) -> str:
    if case.known_failure:
        return "[yellow]xpass[/]" if case.passed else "[yellow]known failure[/]"
    return "[green]pass[/]" if case.passed else "[red]FAIL[/]"


def failure_lines(case: CaseResult) -> list[str]:
    """A readable diff for one failing claim: expected vs got, then the evidence it rests on."""
    line = f"[{case.set_name}] {case.claim}\n    {case.message}"
    if case.evidence:
        line += f" — evidence: {case.evidence!r}"
    if case.known_failure:
        line += f"\n    known failure: {case.note}"
    return [line]


def make_console(stderr: bool = False, quiet: bool = False) -> Console:
    console = Console(stderr=stderr, quiet=quiet, emoji=False)
    if not console.is_terminal:
        console.width = LOG_WIDTH
    return console


def print_summary(
    console: Console,
    result: CIResult,
    comparison: Optional[BaselineComparison] = None,
    min_accuracy: Optional[float] = None,
    show_table: bool = True,
) -> None:
    if show_table:
        console.print(results_table(result))
    if result.failures:
        console.print("\n[bold red]Failures[/]")
        for case in result.failures:
            for line in failure_lines(case):
                console.print(escape(line))
    if result.known_failures:
        console.print(f"\n[yellow]{len(result.known_failures)} known failure(s)[/] (tagged known-failure; not gating)")
        for case in result.known_failures:
            for line in failure_lines(case):
                console.print(escape(line))
    for case in result.unexpected_passes:
        console.print(escape(f"[{case.set_name}] now passes, remove its known-failure tag: {case.claim}"))
    if comparison is not None:
        print_comparison(console, comparison)
    gated = len(result.cases) - len(result.known_failures) - len(result.unexpected_passes)
    mode = f"tolerant, min accuracy {min_accuracy:.2f}" if min_accuracy is not None else "strict"
    console.print(
        f"\n{len(result.passed)}/{len(result.cases)} claims pass; {len(result.failures)} failing; "
        f"{len(result.known_failures)} known failure(s); gated accuracy {result.accuracy:.3f} over {gated} ({mode})"
    )


def print_comparison(console: Console, comparison: BaselineComparison) -> None:
    console.print("\n[bold]Baseline[/]")
    if comparison.model_changed:
        console.print(f"model changed: {comparison.model_changed}")
    for change in comparison.changes:
        colour = {"regression": "red", "fix": "green"}.get(change.kind, "yellow")
        console.print(
            f"[{colour}]{change.kind}[/] " + escape(f"[{change.set_name}] {change.key}: {change.before} → {change.after}")
        )
    for drift in comparison.drifts:
        console.print(
            escape(
                f"drift [{drift.set_name}] {drift.key}: p({drift.label}) {drift.before:.3f} → {drift.after:.3f} "
                f"({drift.delta:+.3f})"
            )
        )
    for set_name, key in comparison.added:
        console.print(escape(f"new (not in baseline) [{set_name}] {key}"))
    for set_name, key in comparison.removed:
        console.print(escape(f"gone (in baseline, not run) [{set_name}] {key}"))
    if not (comparison.changes or comparison.drifts or comparison.added or comparison.removed):
        console.print("no changes against the baseline")


def result_json(
    result: CIResult,
    comparison: Optional[BaselineComparison],
    gate_passed: bool,
    min_accuracy: Optional[float],
    settings: Any = None,
) -> str:
    """The run as JSON; `settings` (the pipeline's Settings) is recorded when given."""
    data = {
        "passed": gate_passed,
        "mode": "tolerant" if min_accuracy is not None else "strict",
        "min_accuracy": min_accuracy,
        "accuracy": result.accuracy,
        "counts": {
            "claims": len(result.cases),
            "passed": len(result.passed),
            "failed": len(result.failures),
            "known_failures": len(result.known_failures),
            "unexpected_passes": len(result.unexpected_passes),
        },
        "model": result.model,
        "model_hash": result.model_hash,
        **({"settings": settings.model_dump(mode="json")} if settings is not None else {}),
        "sets": [
            {
                "name": s.name,
                "path": s.path,
                "seconds": round(s.seconds, 3),
                "cases": [_case_json(c) for c in s.cases],
            }
            for s in result.sets
        ],
    }
    if comparison is not None:
        data["baseline"] = {
            "model_changed": comparison.model_changed,
            "regressions": [vars(c) for c in comparison.regressions],
            "fixes": [vars(c) for c in comparison.fixes],
            "changes": [vars(c) for c in comparison.changes],
            "drifts": [vars(d) | {"delta": d.delta} for d in comparison.drifts],
            "added": [list(i) for i in comparison.added],
            "removed": [list(i) for i in comparison.removed],
        }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _case_json(case: CaseResult) -> dict:
    return {
        "key": case.key,
        "claim": case.claim,
        "expected": case.expected,
        "got": case.got,
        "probabilities": case.probabilities,
        "passed": case.passed,
        "known_failure": case.known_failure,
        "message": case.message,
        "min_probability": case.min_probability,
        "tags": list(case.tags),
        "note": case.note,
        "evidence": case.evidence,
    }
