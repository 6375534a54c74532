"""Baseline lockfile: a recorded CI run to compare today's verdicts and probabilities against.

Format (JSON, sorted keys so a re-record only changes lines that changed):
    {"version": 1, "model": ..., "model_hash": ...,
     "sets": {SET: {KEY: {"expect", "label", "passed", "probabilities": {...}}}}}
KEY is the claim text (claims mode) or the `match` substring / extracted claim (article mode).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..io import atomic_write, read_text
from .runner import CaseResult, CIResult

BASELINE_VERSION = 1
DEFAULT_TOLERANCE = 0.05


@dataclass(frozen=True)
class BaselineEntry:
    expect: str
    label: Optional[str]
    passed: bool
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Baseline:
    model: Optional[str]
    model_hash: Optional[str]
    entries: dict[tuple[str, str], BaselineEntry]  # (set name, key) → entry


@dataclass(frozen=True)
class VerdictChange:
    set_name: str
    key: str
    before: Optional[str]
    after: Optional[str]
    kind: str  # "regression" (was passing, now failing), "fix" (the reverse), "changed" (pass state same)


@dataclass(frozen=True)
class Drift:
    set_name: str
    key: str
    label: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass
class BaselineComparison:
    changes: list[VerdictChange] = field(default_factory=list)
    drifts: list[Drift] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)  # in today's run, not in the baseline
    removed: list[tuple[str, str]] = field(default_factory=list)  # in the baseline, not run today
    model_changed: Optional[str] = None  # "old-hash → new-hash" when the model differs

    @property
    def regressions(self) -> list[VerdictChange]:
        return [c for c in self.changes if c.kind == "regression"]

    @property
    def fixes(self) -> list[VerdictChange]:
        return [c for c in self.changes if c.kind == "fix"]


def baseline_from_result(result: CIResult) -> dict:
    sets: dict[str, dict] = {}
    for case in result.cases:
        sets.setdefault(case.set_name, {})[case.key] = {
            "expect": case.expected,
            "label": case.got,
            "passed": case.passed,
            "probabilities": {k: round(v, 4) for k, v in sorted(case.probabilities.items())},
        }
    return {"version": BASELINE_VERSION, "model": result.model, "model_hash": result.model_hash, "sets": sets}


def write_baseline(result: CIResult, path: str | Path, previous: Optional[Baseline] = None) -> Path:
    """Record today's run. Old entries survive only where today's run could not have seen them:
    sets that were not run, and (with --tags) claims the filter left out."""
    data = baseline_from_result(result)
    ran_sets = {s.name for s in result.sets}
    if previous is not None:
        for (set_name, key), entry in previous.entries.items():
            stale = set_name in ran_sets and result.tag_filter is None
            if stale or key in data["sets"].get(set_name, {}):
                continue
            data["sets"].setdefault(set_name, {})[key] = {
                "expect": entry.expect,
                "label": entry.label,
                "passed": entry.passed,
                "probabilities": entry.probabilities,
            }
    return atomic_write(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def load_baseline(path: str | Path) -> Baseline:
    text = read_text(path, "baseline")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}:{err.lineno}: baseline is not valid JSON: {err.msg}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(data.get("sets"), dict):
        raise InputError(f"{path}: not a verify baseline (version {BASELINE_VERSION}); re-record with --update-baseline")
    entries: dict[tuple[str, str], BaselineEntry] = {}
    try:
        for set_name, cases in data["sets"].items():
            for key, entry in cases.items():
                entries[(set_name, key)] = BaselineEntry(
                    expect=str(entry["expect"]),
                    label=entry.get("label"),
                    passed=bool(entry["passed"]),
                    probabilities={k: float(v) for k, v in entry.get("probabilities", {}).items()},
                )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise InputError(f"{path}: malformed baseline entry ({err!r}); re-record with --update-baseline") from None
    return Baseline(model=data.get("model"), model_hash=data.get("model_hash"), entries=entries)


def compare(result: CIResult, baseline: Baseline, tolerance: float = DEFAULT_TOLERANCE) -> BaselineComparison:
    comparison = BaselineComparison()
    if baseline.model_hash and result.model_hash and baseline.model_hash != result.model_hash:
        comparison.model_changed = f"{baseline.model_hash} → {result.model_hash}"
    seen: set[tuple[str, str]] = set()
    for case in result.cases:
        ident = (case.set_name, case.key)
        seen.add(ident)
        before = baseline.entries.get(ident)
        if before is None:
            comparison.added.append(ident)
            continue
        change = _verdict_change(case, before)
        if change is not None:
            comparison.changes.append(change)
        for label in sorted(set(before.probabilities) & set(case.probabilities)):
            old, new = before.probabilities[label], case.probabilities[label]
            if abs(new - old) > tolerance:
                comparison.drifts.append(Drift(case.set_name, case.key, label, old, new))
    ran_sets = {c.set_name for c in result.cases}
    # Only report removals from sets that ran: a tag filter or a single-file run is not a removal.
    if result.tag_filter is None:
        comparison.removed = sorted(i for i in baseline.entries if i not in seen and i[0] in ran_sets)
    return comparison


def _verdict_change(case: CaseResult, before: BaselineEntry) -> Optional[VerdictChange]:
    if before.passed and not case.passed:
        kind = "regression"
    elif not before.passed and case.passed:
        kind = "fix"
    elif before.label != case.got:
        kind = "changed"
    else:
        return None
    return VerdictChange(case.set_name, case.key, before.label, case.got, kind)
