"""Baselines that sit in the same tables as the model: the majority class, and a lexical
logistic regression on hand features of (premise, hypothesis). The lexical model is fitted on a
sample of nli/train/ (never nli/heldout/) and cached as JSON coefficients, not a pickle."""
from __future__ import annotations

import hashlib
import json
import math
import random
import re
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..errors import InputError
from ..io import atomic_write
from .examples import NLI_3WAY

FEATURE_VERSION = 2
NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "cannot",
             "without", "n't", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "fails", "failed"}
STOPWORDS = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "and", "or", "is", "are", "was",
             "were", "be", "been", "it", "its", "this", "that", "as", "from", "has", "have", "had"}
FEATURE_NAMES = ("overlap_hyp", "overlap_hyp_content", "overlap_prem", "jaccard", "bigram_overlap_hyp",
                 "neg_mismatch", "neg_in_hyp", "numbers_in_hyp", "number_mismatch", "log_length_ratio",
                 "new_content_words", "log_hyp_length")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|n't")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("n't", " n't"))


def features(premise: str, hypothesis: str) -> list[float]:
    """Why these: overlap says 'the evidence talks about this'; negation and number mismatches are
    the cheapest contradiction cues; the length ratio captures how much the claim adds."""
    p, h = _tokens(premise), _tokens(hypothesis)
    ps, hs = set(p), set(h)
    h_content = hs - STOPWORDS
    h_bigrams = set(zip(h, h[1:]))
    p_bigrams = set(zip(p, p[1:]))
    neg_p, neg_h = bool(ps & NEGATIONS), bool(hs & NEGATIONS)
    nums_p, nums_h = set(_NUMBER.findall(premise)), set(_NUMBER.findall(hypothesis))
    return [
        len(hs & ps) / max(len(hs), 1),
        len(h_content & ps) / max(len(h_content), 1),
        len(hs & ps) / max(len(ps), 1),
        len(hs & ps) / max(len(hs | ps), 1),
        len(h_bigrams & p_bigrams) / max(len(h_bigrams), 1),
        float(neg_p != neg_h),
        float(neg_h),
        float(bool(nums_h)),
        float(bool(nums_h - nums_p)),
        math.log((len(h) + 1) / (len(p) + 1)),
        float(min(len(h_content - ps), 10)),  # what the claim adds that the evidence never says
        math.log(len(h) + 1),
    ]


class MajorityBaseline:
    """Always the most frequent class; its probabilities are the class prior."""

    name = "majority"

    def __init__(self, counts: dict[str, int], labels: Sequence[str], source: str):
        total = sum(counts.get(label, 0) for label in labels)
        if total == 0:
            raise InputError("majority baseline: no labelled examples to count")
        self.prior = {label: counts.get(label, 0) / total for label in labels}
        self.label = max(labels, key=lambda label: (self.prior[label], -list(labels).index(label)))
        self.source = source
        self.hash = hashlib.sha256(json.dumps(self.prior, sort_keys=True).encode()).hexdigest()[:16]

    def predict(self, n: int) -> list[dict[str, float]]:
        return [dict(self.prior) for _ in range(n)]


class LexicalBaseline:
    """3-way logistic regression over `features`; predicts NLI probabilities like a Verifier."""

    name = "lexical"

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray,
                 classes: Sequence[str], trained_on: dict):
        self.coef, self.intercept, self.mean, self.scale = coef, intercept, mean, scale
        self.classes = list(classes)
        self.trained_on = trained_on
        self.hash = hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:16]

    # -- fitting and persistence

    @classmethod
    def fit(cls, pairs: Sequence[tuple[str, str]], labels: Sequence[str], seed: int = 0,
            trained_on: Optional[dict] = None) -> "LexicalBaseline":
        from sklearn.linear_model import LogisticRegression

        x = np.array([features(p, h) for p, h in pairs])
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9  # standardise: comparable coefficients
        model = LogisticRegression(max_iter=2000, random_state=seed)
        model.fit((x - mean) / scale, list(labels))
        classes = [str(c) for c in model.classes_]
        coef, intercept = model.coef_, model.intercept_
        if len(classes) == 2:  # binary LR stores one row; expand to a softmax over both classes
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        return cls(coef, intercept, mean, scale, classes, trained_on or {"pairs": len(pairs)})

    def to_json(self) -> dict:
        return {"feature_version": FEATURE_VERSION, "features": list(FEATURE_NAMES), "classes": self.classes,
                "coef": self.coef.tolist(), "intercept": self.intercept.tolist(), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "trained_on": self.trained_on}

    def save(self, path: Path) -> Path:
        return atomic_write(path, json.dumps(self.to_json(), indent=1))

    @classmethod
    def load(cls, path: Path) -> "LexicalBaseline":
        data = json.loads(path.read_text())
        if data.get("feature_version") != FEATURE_VERSION:
            raise InputError(f"{path}: lexical baseline from another feature version; delete it to refit")
        return cls(np.array(data["coef"]), np.array(data["intercept"]), np.array(data["mean"]),
                   np.array(data["scale"]), data["classes"], data["trained_on"])

    # -- prediction

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 0, progress: bool = False) -> list[dict[str, float]]:
        """(premise, hypothesis) → {entailment, neutral, contradiction}, the Verifier contract."""
        if not pairs:
            return []
        x = (np.array([features(p, h) for p, h in pairs]) - self.mean) / self.scale
        logits = x @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        out = []
        for row in probs:
            result = {label: 0.0 for label in NLI_3WAY}
            result.update({c: float(v) for c, v in zip(self.classes, row)})
            out.append(result)
        return out


# ---------------------------------------------------------------- training data

def training_files(data_root: Path) -> list[Path]:
    """nli/train/ only: the pool the shipped model was trained from (never nli/heldout/)."""
    files = sorted((data_root / "nli" / "train").glob("*.jsonl"))
    if not files:
        raise InputError(f"lexical baseline: no training files in {data_root / 'nli' / 'train'}")
    return files


def sample_training_pairs(files: Sequence[Path], per_set: int, seed: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Up to `per_set` 3-way-labelled pairs from each training set (2-way rows have no single
    3-way class, so they are left out); seeded, so the fit is reproducible."""
    by_set: dict[str, list[tuple[str, str, str]]] = {}
    for path in files:
        set_name = re.sub(r"\.part\d+$", "", path.stem)
        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row["label"] in NLI_3WAY:
                    by_set.setdefault(set_name, []).append((row["premise"], row["hypothesis"], row["label"]))
    rng = random.Random(seed)
    pairs, labels = [], []
    for set_name in sorted(by_set):
        rows = by_set[set_name]
        for premise, hypothesis, label in rng.sample(rows, min(per_set, len(rows))):
            pairs.append((premise, hypothesis))
            labels.append(label)
    return pairs, labels


def load_or_fit_lexical(data_root: Path, cache_dir: Path, per_set: int = 1500, seed: int = 13) -> LexicalBaseline:
    """Fit once per (training files, sample size, seed, feature version); reuse the JSON after."""
    files = training_files(data_root)
    key_src = json.dumps([[f.name, f.stat().st_size] for f in files] + [per_set, seed, FEATURE_VERSION])
    key = hashlib.sha256(key_src.encode()).hexdigest()[:12]
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"lexical-{key}.json"
    if path.exists():
        return LexicalBaseline.load(path)
    pairs, labels = sample_training_pairs(files, per_set, seed)
    trained_on = {"files": [f.name for f in files], "per_set": per_set, "seed": seed, "pairs": len(pairs)}
    model = LexicalBaseline.fit(pairs, labels, seed=seed, trained_on=trained_on)
    model.save(path)
    return model
