"""The one place where check findings adjust NLI probabilities: each scored window of a claim,
weighed as every aggregator sees it.

1. A claim slot (a quantity, date, duration or ordinal it states) that some passage confirms,
   with evidence about the same counted noun or event, is not counted as contradicted by another
   passage: the other is then about something else (a rival's revenue, another visit).
2. Each passage's findings combine slot by slot (`verify.checks.combine`): any contradicted slot
   makes the passage inconsistent; it is consistent only when every slot is confirmed.
3. A passage's decision is carried by its windows that hold the deciding evidence (the passage's
   most relevant scored window when none does). An inconsistent window has its entailment capped
   at 0.05 and its contradiction raised to at least 0.85, counted in full; a consistent one has its
   entailment raised to at least 0.70 and its contradiction capped at 0.30, its entailment counted
   in full (NLI models are blind to "more than ten" vs "14") — but only when the window also names
   every proper name of the claim: a matching date or number says nothing about a swapped name or
   place ("met in Busan last November" against "met on 1 November 2025 in Gyeongju"), so such a
   window keeps its raw scores, weighed as in step 4.
4. Any other window's entailment and contradiction are scaled by (relevance / 0.5)², capped at 1:
   small NLI models call an unrelated premise a contradiction (an SNLI artefact) and entail a claim
   from a merely topical one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence

from ..records import CheckFinding, WindowScore
from ..settings import Thresholds

Decision = Literal["consistent", "inconsistent", "none"]
INCONSISTENT_MAX_E, INCONSISTENT_MIN_C = 0.05, 0.85
CONSISTENT_MIN_E, CONSISTENT_MAX_C = 0.70, 0.30


@dataclass(frozen=True)
class Weighed:
    """One window as the verdict sees it: the raw score and the values after steps 1–4."""

    window: WindowScore
    entailment: float  # after the check adjustment (step 3), before relevance weighting
    contradiction: float
    support: float  # what counts towards "supported" (steps 3–4)
    against: float  # what counts towards "contradicted"
    check: Decision  # the passage decision this window carries


def adjust_for_checks(e: float, n: float, c: float, decision: Decision) -> tuple[float, float, float]:
    """Let a clear numeric/date decision override the NLI model on one window (step 3)."""
    if decision == "inconsistent":
        e, c = min(e, INCONSISTENT_MAX_E), max(c, INCONSISTENT_MIN_C)
    elif decision == "consistent":
        e, c = max(e, CONSISTENT_MIN_E), min(c, CONSISTENT_MAX_C)  # the numbers match: an NLI "contradiction" is its blind spot
    else:
        return e, n, c
    n = max(0.0, 1.0 - e - c)
    total = e + n + c
    return e / total, n / total, c / total


_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")
# Capitalised only by position or by the calendar: never a swapped slot by themselves.
_NOT_NAMES = frozenset("""a an and as at after before but by during for from he her his however i if in it its
of on since she so that the their there these they this those to when while with we our you your
january february march april may june july august september october november december monday tuesday
wednesday thursday friday saturday sunday""".split())


def proper_names(claim: str) -> set[str]:
    """The claim's capitalised words that can name a slot: names, places, organisations."""
    names = {m.group(0).rstrip("'’s").rstrip("'’") for m in _CAPITALISED.finditer(claim)}
    return {n for n in names if n and n.lower() not in _NOT_NAMES}


def unconfirmed_names(names: set[str], window: str) -> list[str]:
    """Those of `names` (from `proper_names`) that the window does not contain."""
    return sorted(n for n in names if not re.search(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])", window))


def by_relevance(value: float, relevance: float | None, full: float) -> float:
    """Scale a window's probability by how much of the claim it talks about (step 4)."""
    if relevance is None or full <= 0:
        return value
    return value * min(1.0, relevance / full) ** 2


def reconcile(findings: Sequence[CheckFinding]) -> list[CheckFinding]:
    """Step 1: an inconsistent finding on a slot another passage confirms becomes unrelated."""
    confirmed = {f.claim_span for f in findings if f.relation == "consistent" and f.anchor}
    return [f.model_copy(update={"relation": "unrelated", "anchor": None, "explanation": f.explanation.replace(
                "→ inconsistent", "→ unrelated (another passage agrees)")})
            if f.relation == "inconsistent" and f.claim_span in confirmed else f for f in findings]


def passage_decisions(claim: str, findings: Sequence[CheckFinding]) -> dict[str, tuple[Decision, list[CheckFinding]]]:
    """Step 2: passage id → (decision, the findings that decide it)."""
    from ..checks import combine

    by_passage: dict[str, list[CheckFinding]] = {}
    for f in findings:
        by_passage.setdefault(f.passage_id or "", []).append(f)
    out = {}
    for pid, fs in by_passage.items():
        decision = combine(claim, fs)
        deciding = [f for f in fs if f.relation == decision] if decision != "none" else []
        out[pid] = (decision, deciding)
    return out


def carriers(windows: Sequence[WindowScore], deciding: Sequence[CheckFinding]) -> list[WindowScore]:
    """The windows of one passage that hold a deciding finding's evidence, else its most relevant one."""
    spans = [f.evidence_span for f in deciding if f.evidence_span]
    holding = [w for w in windows if any(w.window_span[0] <= a and b <= w.window_span[1] for a, b in spans)]
    if holding or not windows:
        return holding
    return [max(windows, key=lambda w: (w.relevance or 0.0, -w.rank))]


def weigh(claim: str, windows: Sequence[WindowScore], findings: Sequence[CheckFinding],
          thresholds: Thresholds = Thresholds()) -> tuple[list[Weighed], list[CheckFinding]]:
    """Every window weighed (steps 1–4), and the findings after step 1."""
    findings = reconcile(findings)
    carried: dict[int, Decision] = {}
    by_passage: dict[str, list[int]] = {}
    for i, w in enumerate(windows):
        by_passage.setdefault(w.passage_id, []).append(i)
    for pid, (decision, deciding) in passage_decisions(claim, findings).items():
        if decision == "none" or pid not in by_passage:
            continue
        rows = by_passage[pid]
        for w in carriers([windows[i] for i in rows], deciding):
            carried[next(i for i in rows if windows[i] is w)] = decision
    out = []
    full = thresholds.relevance
    names = proper_names(claim) if "consistent" in carried.values() else set()
    for i, w in enumerate(windows):
        decision = carried.get(i, "none")
        if decision == "consistent" and unconfirmed_names(names, w.text):
            decision = "none"  # the numbers agree, a name or place of the claim is not in this window
        e, _, c = adjust_for_checks(w.entailment, w.neutral, w.contradiction, decision)
        support = e if decision == "consistent" else by_relevance(e, w.relevance, full)
        against = c if decision == "inconsistent" else by_relevance(c, w.relevance, full)
        out.append(Weighed(w, e, c, support, against, decision))
    return out, findings
