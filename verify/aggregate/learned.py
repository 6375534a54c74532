"""The `learned` aggregator: a multinomial logistic regression over per-claim features of the score
image, stored as plain JSON (`learned.json` beside this file: feature names, standardisation,
coefficients, the NLI model hash it was fitted on, what it was trained on). Inference is numpy only;
scikit-learn is needed to train (`verify train-aggregator`, verify/bench/train_aggregator.py), never here.

The features (`features`) are computed from the windows after `evidence.weigh`, so the check
findings and relevance weighting reach the model the same way they reach the rule.
"""
from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from ..records import LABELS, CheckFinding, Verdict, WindowScore
from .base import ClaimLike, no_evidence, scale, verdict
from .evidence import Thresholds, Weighed, weigh
from .rules import rule_probabilities

MODEL_FILE = Path(__file__).with_name("learned.json")
FORMAT = "verify-aggregator/1"
FEATURES = (
    "s1", "c1",  # the best weighed support / contradiction
    "raw_e", "raw_c",  # the best raw NLI entailment / contradiction over the windows
    "rel_s1", "rel_c1", "rel_max",  # relevance of the best supporting / contradicting window, and the best relevance
    "overlap_s1", "overlap_max",  # re-rank overlap of the best supporting window, and the best overlap
    "p_supported_rule", "p_contradicted_rule",  # the rule's probabilities (products the linear model cannot form)
    "check_consistent", "check_inconsistent", "check_slots",  # check decisions carried, and whether the claim has slots
    "dense_max", "bm25_max",  # retrieval: the best dense and BM25 scores of the claim's passages
)
# Nothing that depends on how many windows there are (counts, second-best values, agreement between
# windows, means over the top three): in SciFact's oracle data a NEI claim comes with whole abstracts
# and a labelled one with one or two rationale sentences, so such features learn that artefact
# (tried: a window count got the largest weight).


def features(weighed: Sequence[Weighed], findings: Sequence[CheckFinding]) -> dict[str, float]:
    """Per-claim features from its weighed windows (pure: the same input always gives the same output)."""
    by_support = sorted(weighed, key=lambda w: -w.support)
    by_against = sorted(weighed, key=lambda w: -w.against)
    s = [w.support for w in by_support]
    c = [w.against for w in by_against]
    probs = rule_probabilities(s[0], c[0])
    best_s, best_c = by_support[0].window, by_against[0].window
    dense = [w.window.dense for w in weighed if w.window.dense is not None]
    bm25 = [w.window.bm25 for w in weighed if w.window.bm25 is not None]
    return {
        "s1": s[0], "c1": c[0],
        "raw_e": max(w.window.entailment for w in weighed), "raw_c": max(w.window.contradiction for w in weighed),
        "rel_s1": best_s.relevance or 0.0, "rel_c1": best_c.relevance or 0.0,
        "rel_max": max(w.window.relevance or 0.0 for w in weighed),
        "overlap_s1": best_s.overlap or 0.0, "overlap_max": max(w.window.overlap or 0.0 for w in weighed),
        "p_supported_rule": probs["supported"], "p_contradicted_rule": probs["contradicted"],
        "check_consistent": float(any(w.check == "consistent" for w in weighed)),
        "check_inconsistent": float(any(w.check == "inconsistent" for w in weighed)),
        "check_slots": float(bool(findings)),
        "dense_max": max(dense) if dense else 0.0,
        "bm25_max": math.log1p(max(0.0, max(bm25))) if bm25 else 0.0,
    }


class LearnedAggregator:
    name = "learned"

    def __init__(self, params: dict[str, Any], thresholds: Thresholds = Thresholds()):
        if params.get("format") != FORMAT or list(params.get("features", [])) != list(FEATURES):
            raise InputError(f"aggregator model is not {FORMAT} with this version's features; retrain it "
                             "(verify train-aggregator)")
        self.params = params
        self.classes: list[str] = list(params["classes"])
        self.mean = np.asarray(params["mean"], dtype=np.float64)
        self.scale = np.asarray(params["scale"], dtype=np.float64)
        self.coef = np.asarray(params["coef"], dtype=np.float64)  # (classes, features)
        self.intercept = np.asarray(params["intercept"], dtype=np.float64)
        self.thresholds = thresholds

    @classmethod
    def load(cls, path: str | Path | None = None, thresholds: Thresholds = Thresholds(),
             model_hash: str | None = None) -> "LearnedAggregator":
        path = Path(path) if path else MODEL_FILE
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read the learned aggregator {path} ({err}); train it with verify train-aggregator") from err
        agg = cls(params, thresholds)
        if model_hash and params.get("model_hash") and params["model_hash"] != model_hash:
            warnings.warn(f"the learned aggregator was fitted on NLI model {params['model_hash'][:12]}, not "
                          f"{model_hash[:12]}: retrain it (verify train-aggregator)", stacklevel=2)
        return agg

    def probabilities(self, x: dict[str, float]) -> dict[str, float]:
        z = (np.array([x[f] for f in FEATURES]) - self.mean) / self.scale
        logits = self.coef @ z + self.intercept
        p = np.exp(logits - logits.max())
        p /= p.sum()
        out = {label: 0.0 for label in LABELS}
        out.update({label: float(v) for label, v in zip(self.classes, p)})
        return out

    def __call__(self, claim: ClaimLike, windows: Sequence[WindowScore], findings: Sequence[CheckFinding]) -> Verdict:
        if not windows:
            return no_evidence(claim.id, self.name)
        weighed, findings = weigh(claim.text, windows, findings, self.thresholds)
        x = features(weighed, findings)
        probs = scale(self.probabilities(x), self.thresholds.scaling)
        label = max(LABELS, key=lambda k: probs[k])
        return verdict(claim.id, label, probs, weighed, findings, self.name, x, self.thresholds)
