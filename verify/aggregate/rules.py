"""The hand-set rule (the `rules` aggregator), over every weighed window of the claim:

S = max support, C = max contradiction (after `evidence.weigh`). Treating "some window supports" and
"some window contradicts" as independent events: P(supported) = S(1-C) + SC/2,
P(contradicted) = C(1-S) + SC/2, P(nei) = (1-S)(1-C). The label is supported when
P(supported) ≥ the support threshold and ≥ P(contradicted); contradicted when P(contradicted) ≥ the
contradiction threshold; otherwise not_enough_info. A profile's verdict calibration
(`thresholds.scaling`, fitted by `verify calibrate`) maps the probabilities before the label is decided.
"""
from __future__ import annotations

from typing import Sequence

from ..records import CheckFinding, Verdict, WindowScore
from .base import ClaimLike, no_evidence, scale, verdict
from .evidence import Thresholds, weigh


def rule_probabilities(s: float, c: float) -> dict[str, float]:
    return {"supported": s * (1 - c) + s * c / 2, "contradicted": c * (1 - s) + s * c / 2,
            "not_enough_info": (1 - s) * (1 - c)}


def rule_label(probs: dict[str, float], thresholds: Thresholds) -> str:
    if probs["supported"] >= thresholds.support and probs["supported"] >= probs["contradicted"]:
        return "supported"
    if probs["contradicted"] >= thresholds.contradict:
        return "contradicted"
    return "not_enough_info"


class RulesAggregator:
    name = "rules"

    def __init__(self, thresholds: Thresholds = Thresholds()):
        self.thresholds = thresholds

    def __call__(self, claim: ClaimLike, windows: Sequence[WindowScore], findings: Sequence[CheckFinding]) -> Verdict:
        if not windows:
            return no_evidence(claim.id, self.name)
        weighed, findings = weigh(claim.text, windows, findings, self.thresholds)
        s = max(w.support for w in weighed)
        c = max(w.against for w in weighed)
        probs = scale(rule_probabilities(s, c), self.thresholds.scaling)
        label = rule_label(probs, self.thresholds)
        return verdict(claim.id, label, probs, weighed, findings, self.name, {"S": s, "C": c}, self.thresholds)
