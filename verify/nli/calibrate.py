"""Temperature scaling for a verifier (Guo et al., 2017): one scalar T divides the logits.

A fine-tuned cross-encoder is over-confident: its arg-max is often right, but a 0.95 is right far
less than 95% of the time, and the verdict stage turns those probabilities into labels with
thresholds. Dividing the logits by T > 1 keeps every arg-max and makes the probabilities honest.

* The model's own T is fitted on the **dev slice of its training config** (pairs carved from
  `nli/train/`, never held-out data) and stored in the model folder as `calibration.json`; every
  engine reads it (`BatchedVerifier`), so torch, bf16 and ONNX give the same calibrated scores.
* A user's labelled claims refit T (and the verdict thresholds) in a profile: `verify.profile`.

`not_entailment` labels of 2-way sets count as neutral-or-contradiction: their likelihood is
p(neutral) + p(contradiction).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from .verifier import CALIBRATION_FILE, read_temperature  # noqa: F401 (the file every engine reads)

NOT_ENTAILMENT = 3  # LABEL2ID["not_entailment"]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of labels (0/1/2 = entailment/neutral/contradiction, 3 = not entailment)."""
    logp = _log_softmax(np.asarray(logits, dtype=np.float64) / temperature)
    labels = np.asarray(labels)
    three = logp[np.arange(len(labels)), np.minimum(labels, 2)]
    not_ent = np.logaddexp(logp[:, 1], logp[:, 2])
    return float(-np.where(labels == NOT_ENTAILMENT, not_ent, three).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T in [0.05, 20] that minimises the NLL (bounded scalar search on log T)."""
    from scipy.optimize import minimize_scalar

    logits, labels = np.asarray(logits, dtype=np.float64), np.asarray(labels)
    if len(labels) == 0:
        raise ValueError("no labelled pairs to fit a temperature on")
    res = minimize_scalar(lambda lt: nll(logits, labels, float(np.exp(lt))), bounds=(np.log(0.05), np.log(20.0)),
                          method="bounded", options={"xatol": 1e-4})
    return round(float(np.exp(res.x)), 4)


def calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 15) -> float:
    """Expected calibration error: Σ_b |B_b|/n · |accuracy(B_b) − mean confidence(B_b)| over equal-width
    bins of (0, 1] (0 goes to the first bin). The one definition: `ece` below, the profiles and
    `verify bench` (bench/metrics.py) use it."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=float)
    if conf.size == 0:
        return float("nan")
    index = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)  # bin b holds (b/bins, (b+1)/bins]
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(hit[mask].mean() - conf[mask].mean())
    return float(total)


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the arg-max confidence, on 3-way labels (2-way rows skipped:
    their arg-max between neutral and contradiction has no gold)."""
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels)
    keep = labels != NOT_ENTAILMENT
    probs, labels = probs[keep], labels[keep]
    if not len(labels):
        return float("nan")
    return calibration_error(probs.max(axis=1), probs.argmax(axis=1) == labels, bins)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    return np.exp(_log_softmax(np.asarray(logits, dtype=np.float64) / temperature))


def logits_for(verifier, pairs: Sequence[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
    """Raw logits of a `BatchedVerifier` in our label order (entailment, neutral, contradiction)."""
    out = []
    m = verifier.mapping
    if "neutral" not in m:
        raise ValueError("temperature scaling needs a 3-way model")
    order = [m["entailment"][0], m["neutral"][0], m["contradiction"][0]]
    for s in range(0, len(pairs), batch_size):
        batch = pairs[s : s + batch_size]
        z = np.asarray(verifier._logits([p for p, _ in batch], [h for _, h in batch]), dtype=np.float64)
        out.append(z[:, order])
    return np.concatenate(out) if out else np.zeros((0, 3))


def calibrate_model(model_dir: str | Path, config: str | Path) -> dict:
    """Fit the model's temperature on its training config's dev slice; write `calibration.json`."""
    from ..io import atomic_write
    from .data import load_mix
    from .train import load_config
    from .verifier import TransformersVerifier

    cfg = load_config(config)
    _, dev = load_mix(cfg)
    verifier = TransformersVerifier(str(model_dir), max_length=cfg.max_length, temperature=1.0)
    z = logits_for(verifier, [(p.premise, p.hypothesis) for p in dev])
    y = np.array([p.label for p in dev])
    t = fit_temperature(z, y)
    record = {
        "temperature": t,
        "fitted_on": f"dev slice of {Path(config).as_posix()} ({len(dev)} pairs carved from nli/train, never held-out)",
        "nll": {"before": round(nll(z, y), 4), "after": round(nll(z, y, t), 4)},
        "ece_3way": {"before": round(ece(softmax(z), y), 4), "after": round(ece(softmax(z, t), y), 4)},
    }
    atomic_write(Path(model_dir) / CALIBRATION_FILE, json.dumps(record, indent=1) + "\n")
    return record


if __name__ == "__main__":  # python -m verify.nli.calibrate MODEL_DIR CONFIG
    import sys

    print(json.dumps(calibrate_model(sys.argv[1], sys.argv[2]), indent=1))
