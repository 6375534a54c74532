"""What every aggregator shares: the protocol, the registry and how a verdict cites its windows."""
from __future__ import annotations

import math
from typing import Callable, NamedTuple, Optional, Sequence

from ..records import LABELS, CheckFinding, CitedEvidence, Verdict
from ..registry import AGGREGATORS, Aggregator, ClaimLike
from ..settings import VerdictScaling
from .evidence import Thresholds, Weighed

__all__ = ["AGGREGATORS", "Aggregator", "ClaimLike", "ClaimRef", "load_aggregator", "no_evidence", "scale", "verdict"]

SCALING_FLOOR = 1e-4  # a probability of exactly 0 (no evidence at all) is read as this before the log


class ClaimRef(NamedTuple):
    """The least a claim needs to be judged (a `Claim` record also fits)."""

    id: str
    text: str


def settled(v: Verdict, probability: float) -> bool:
    """Is a verdict decided enough to stop scoring more evidence (the early exit, `settle`)?
    Supported or contradicted with at least `probability`."""
    return v.label != "not_enough_info" and v.probabilities[v.label] >= probability


def scale(probs: dict[str, float], scaling: Optional[VerdictScaling]) -> dict[str, float]:
    """An aggregator's verdict probabilities through a profile's verdict calibration (pure): with
    labels in LABELS order, P'(k) ∝ exp(Σ_j weights[k][j] · log max(P(j), floor) + bias[k]).
    No scaling: unchanged."""
    if scaling is None:
        return dict(probs)
    logp = [math.log(max(probs.get(k, 0.0), SCALING_FLOOR)) for k in LABELS]
    z = [sum(w * x for w, x in zip(row, logp)) + b for row, b in zip(scaling.weights, scaling.bias)]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return {k: v / total for k, v in zip(LABELS, e)}


def no_evidence(claim_id: str, name: str) -> Verdict:
    return Verdict(claim_id=claim_id, label="not_enough_info",
                   probabilities={"supported": 0.0, "contradicted": 0.0, "not_enough_info": 1.0},
                   explanation="no evidence retrieved", aggregator=name)


def _cite_key(label: str) -> Callable[[Weighed], float]:
    if label == "supported":
        return lambda w: w.support
    if label == "contradicted":
        return lambda w: w.against
    return lambda w: max(w.support, w.against)


def verdict(claim_id: str, label: str, probs: dict[str, float], weighed: Sequence[Weighed],
            findings: Sequence[CheckFinding], name: str, features: dict[str, float],
            thresholds: Thresholds) -> Verdict:
    """The verdict record: cites the best windows for its label (one per passage), with the raw and
    the weighed probabilities of each, and the check findings of the cited passages."""
    key = _cite_key(label)
    cited: list[CitedEvidence] = []
    seen: set[str] = set()
    for w in sorted(weighed, key=lambda w: (-key(w), w.window.rank)):
        if w.window.passage_id in seen:
            continue
        seen.add(w.window.passage_id)
        x = w.window
        cited.append(CitedEvidence(passage_id=x.passage_id, doc_id=x.doc_id, span=x.doc_span, text=x.text,
                                   entailment=round(w.support, 4), contradiction=round(w.against, 4),
                                   raw_entailment=round(x.entailment, 4), raw_contradiction=round(x.contradiction, 4),
                                   relevance=None if x.relevance is None else round(x.relevance, 4)))
        if len(cited) >= thresholds.cite:
            break
    checks: list[CheckFinding] = []
    for c in cited:
        checks.extend(f for f in findings if f.passage_id == c.passage_id and f.relation != "unrelated" and f not in checks)
    top = cited[0] if cited else None
    if label == "not_enough_info":
        why = "no passage clearly supports or contradicts the claim"
    else:
        verb = "supported" if label == "supported" else "contradicted"
        why = f"{verb} by {top.doc_id} (p={max(top.entailment, top.contradiction):.2f})" if top else verb
    if checks:
        why += "; " + "; ".join(f.explanation for f in checks[:2])
    return Verdict(claim_id=claim_id, label=label, probabilities={k: round(v, 4) for k, v in probs.items()},  # type: ignore[arg-type]
                   evidence=cited, checks=checks, explanation=why, aggregator=name,
                   features={k: round(float(v), 4) for k, v in features.items()})


def load_aggregator(name: str = "rules", thresholds: Thresholds | None = None) -> Aggregator:
    """An aggregator by name from the registry (verify/registry.py): `rules` (the hand-set rule),
    `learned` (a logistic regression over per-claim features, trained on claim-level train splits;
    see verify/aggregate/learned.py), or one a package registered (entry point group `verify.aggregators`)."""
    return AGGREGATORS.create(name, thresholds=thresholds or Thresholds())
