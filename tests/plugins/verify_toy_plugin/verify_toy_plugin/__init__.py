"""A verifier plugin: scores (evidence, claim) by the share of the claim's words the evidence holds.

A toy, but a complete one: it fits verify.registry.Verifier (name, hash, predict with the
progress callback) and is found through the `verify.verifiers` entry point in pyproject.toml,
so `verify check --model plugin:toy` uses it.
"""
from __future__ import annotations

import re

WORD = re.compile(r"[a-z0-9]+")


def toy_probs(premise: str, hypothesis: str) -> dict[str, float]:
    claim = {w for w in WORD.findall(hypothesis.lower()) if len(w) > 2}
    seen = set(WORD.findall(premise.lower()))
    entailment = round(0.9 * len(claim & seen) / len(claim), 6) if claim else 0.0
    return {"entailment": entailment, "neutral": round(0.95 - entailment, 6), "contradiction": 0.05}


class OverlapVerifier:
    name = "toy-overlap"
    hash = "toy-overlap-1"

    def __init__(self, **options):
        self.options = options  # e.g. temperature= from a calibration profile; unused here

    def predict(self, pairs, batch_size=32, progress=None):
        out = [toy_probs(premise, claim) for premise, claim in pairs]
        if progress:
            progress("toy scoring", len(out), len(out))
        return out


def make_verifier(**options) -> OverlapVerifier:
    return OverlapVerifier(**options)
