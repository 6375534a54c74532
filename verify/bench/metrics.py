"""Classification metrics for a list of predictions (scikit-learn), plus calibration and a
bootstrap confidence interval for the headline number."""
from __future__ import annotations

import resource
import sys
import warnings
from typing import Optional, Sequence

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

ECE_BINS = 15
BOOTSTRAP_RESAMPLES = 1000
HEADLINE = "macro_f1"


def balanced_accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Mean recall over the gold classes. A predicted class the gold labels never contain (neutral
    on a 2-label set) has no recall to average; scikit-learn skips it with a warning per call, which
    would flood every benchmark run, so the warning is silenced here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="y_pred contains classes not in y_true")
        return float(balanced_accuracy_score(gold, pred))


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro-F1 over the classes present in the gold labels (a class the set never contains,
    e.g. neutral in a 2-label set, adds nothing; predicting it still costs recall elsewhere)."""
    present = sorted(set(gold))
    return float(f1_score(gold, pred, labels=present, average="macro", zero_division=0))


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """Σ_b |B_b|/n · |accuracy(B_b) − mean confidence(B_b)| over equal-width bins of (0, 1]
    (`verify.nli.calibrate.calibration_error`, the one definition)."""
    from ..nli.calibrate import calibration_error

    return calibration_error(confidence, correct, bins)


def reliability_bins(confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> list[dict]:
    """Per-bin count, accuracy and mean confidence (what the reliability diagram draws)."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=float)
    index = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = index == b
        rows.append({"low": b / bins, "high": (b + 1) / bins, "count": int(mask.sum()),
                     "accuracy": float(hit[mask].mean()) if mask.any() else None,
                     "confidence": float(conf[mask].mean()) if mask.any() else None})
    return rows


def _macro_f1_codes(g: np.ndarray, p: np.ndarray, n_classes: int) -> float:
    """macro_f1 on integer codes with numpy (the bootstrap calls it 1000 times on up to 35k pairs)."""
    counts = np.bincount(g * n_classes + p, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    tp = np.diag(counts).astype(float)
    gold_n, pred_n = counts.sum(axis=1), counts.sum(axis=0)
    present = gold_n > 0
    denom = gold_n + pred_n
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1[present].mean())


def bootstrap_ci(gold: Sequence[str], pred: Sequence[str], seed: int,
                 resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile 95% interval of macro-F1 over seeded resamples of the examples."""
    classes = sorted(set(gold) | set(pred))
    code = {c: i for i, c in enumerate(classes)}
    g = np.array([code[x] for x in gold])
    p = np.array([code[x] for x in pred])
    rng = np.random.default_rng(seed)
    values = [_macro_f1_codes(g[idx], p[idx], len(classes))
              for idx in (rng.integers(0, len(g), len(g)) for _ in range(resamples))]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def classification_metrics(gold: Sequence[str], pred: Sequence[str], probs: Sequence[dict[str, float]],
                           labels: Sequence[str], seed: int = 0, positive: Optional[str] = None) -> dict:
    """Everything a results file reports about predictions against gold labels.

    `probs[i]` gives a probability for every label in `labels`; the confidence used for ECE is
    the probability of the predicted class; AUROC (2-way only) scores P(`positive`)."""
    labels = list(labels)
    if len(gold) != len(pred) or len(gold) != len(probs):
        raise ValueError("gold, pred and probs must have the same length")
    if not gold:
        raise ValueError("no predictions to score")
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    confidence = [p[label] for p, label in zip(probs, pred)]
    correct = [g == p for g, p in zip(gold, pred)]
    result = {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": macro_f1(gold, pred),
        "balanced_accuracy": balanced_accuracy(gold, pred),
        "per_class": {label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                              "support": int(support[i])} for i, label in enumerate(labels)},
        "confusion_matrix": {"labels": labels, "rows_gold_cols_pred": confusion_matrix(gold, pred, labels=labels).tolist()},
        "ece": expected_calibration_error(confidence, correct),
        "reliability": reliability_bins(confidence, correct),
        "auroc": None,
        "headline": HEADLINE,
    }
    if positive is not None and len(labels) == 2 and len(set(gold)) == 2:
        scores = [p[positive] for p in probs]
        result["auroc"] = float(roc_auc_score([g == positive for g in gold], scores))
    low, high = bootstrap_ci(gold, pred, seed)
    result["headline_ci95"] = [low, high]
    return result


def peak_memory_mb() -> float:
    """Peak resident set size of this process (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def retrieval_recall(gold_doc_ids: Sequence[Sequence[str]], retrieved: Sequence[Sequence[str]], ks: Sequence[int]) -> dict:
    """recall@k = share of claims with gold documents that have at least one in the top k."""
    scored = [(set(g), list(r)) for g, r in zip(gold_doc_ids, retrieved) if g]
    out: dict = {"claims_with_gold_docs": len(scored)}
    for k in ks:
        out[f"recall@{k}"] = float(np.mean([bool(g & set(r[:k])) for g, r in scored])) if scored else None
    return out
