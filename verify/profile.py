"""Calibration profiles: a temperature and two verdict thresholds fitted on a user's own labelled claims.

`verify calibrate LABELLED.jsonl --model M` reads rows of (evidence, claim, label), fits

1. the verifier's temperature (nli/calibrate.py) on the rows' NLI likelihood, then
2. the verdict thresholds with that temperature applied: `contradict` is the lowest threshold whose
   `contradicted` verdicts reach the target precision on the rows (so a user who wants "when it
   says contradicted, it is right 90% of the time" gets exactly that trade-off; when no threshold
   reaches it, the macro-F1-best one, and the profile records that), and `support` the threshold
   that then maximises macro-F1,

and writes a JSON profile that `check`, `ci` and `bench` load with `--profile FILE`. A profile
names the model (and its weights hash) it was fitted for; loading it with another model is refused.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError

PROFILE_VERSION = 1
_SUPPORTED = re.compile(r"^(supported?s?|entail(ment|ed)?|true|yes|correct)$", re.I)
_CONTRADICTED = re.compile(r"^(contradict(ed|ion|s)?|refute[sd]?|false|no|incorrect)$", re.I)
_NEI = re.compile(r"^(not[ _-]?enough[ _-]?info(rmation)?|nei|neutral|unverifiable|unknown)$", re.I)
LABELS = ("supported", "contradicted", "not_enough_info")


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int = PROFILE_VERSION
    model: str
    model_hash: str
    temperature: float = Field(gt=0.01, le=100)
    support_threshold: float = Field(ge=0, le=1)
    contradict_threshold: float = Field(ge=0, le=1)
    target_precision: float = Field(gt=0, le=1)
    fitted_on: str
    rows: int
    metrics: dict = Field(default_factory=dict)

    def settings_changes(self) -> dict:
        """What the profile changes in a `Settings`: the temperature and the two verdict thresholds
        (`settings.replace(**profile.settings_changes())`; options given explicitly come after)."""
        return {"temperature": self.temperature,
                "thresholds": {"support": self.support_threshold, "contradict": self.contradict_threshold}}


def normalise_label(value) -> str | None:
    text = str(value).strip()
    for name, rx in zip(LABELS, (_SUPPORTED, _CONTRADICTED, _NEI)):
        if rx.match(text):
            return name
    return None


def read_rows(path: str | Path) -> list[dict]:
    """Labelled rows from JSONL: evidence (or premise), claim (or hypothesis), label. Bad rows are
    one InputError naming the line."""
    from .io import read_jsonl

    rows = []
    for n, obj in enumerate(read_jsonl(path, "labelled claims"), 1):
        evidence = obj.get("evidence", obj.get("premise"))
        claim = obj.get("claim", obj.get("hypothesis"))
        if isinstance(evidence, list) and all(isinstance(e, str) for e in evidence):
            evidence = " ".join(evidence)
        if not isinstance(evidence, str) or not evidence.strip() or not isinstance(claim, str) or not claim.strip():
            raise InputError(f"{path}: row {n}: 'evidence' (or 'premise') and 'claim' (or 'hypothesis') must be non-empty strings")
        label = normalise_label(obj.get("label"))
        if label is None:
            raise InputError(f"{path}: row {n}: unknown label {str(obj.get('label'))[:40]!r} "
                             "(use supported / contradicted / not_enough_info)")
        rows.append({"evidence": evidence, "claim": claim, "label": label})
    if len(rows) < 10:
        raise InputError(f"{path}: {len(rows)} labelled rows; calibration needs at least 10")
    return rows


def decide(p_support: np.ndarray, p_contra: np.ndarray, support: float, contradict: float) -> np.ndarray:
    """The verdict rule of the aggregation, vectorised: contradicted at P(c) >= contradict; else
    supported at P(s) >= support and P(s) >= P(c); else not enough info."""
    out = np.full(len(p_support), "not_enough_info", dtype=object)
    sup = (p_support >= support) & (p_support >= p_contra)
    out[sup] = "supported"
    out[(p_contra >= contradict) & ~sup] = "contradicted"
    return out


def _macro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    scores = []
    for label in LABELS:
        if not (y == label).any():
            continue
        tp = ((pred == label) & (y == label)).sum()
        prec, rec = tp / max((pred == label).sum(), 1), tp / max((y == label).sum(), 1)
        scores.append(2 * prec * rec / max(prec + rec, 1e-9))
    return float(np.mean(scores)) if scores else 0.0


def choose_thresholds(p_support: Sequence[float], p_contra: Sequence[float], gold: Sequence[str],
                      target_precision: float) -> tuple[float, float, dict]:
    """(support, contradict, details): contradict = the lowest grid threshold whose contradicted
    precision reaches the target; when no threshold does, the one with the best macro-F1 (and the
    details say the target was not reached). support = the macro-F1-best given that contradict."""
    ps, pc, y = np.asarray(p_support, float), np.asarray(p_contra, float), np.asarray(gold, dtype=object)
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    contradict, reached = None, False
    for t in grid:
        pred = decide(ps, pc, 1.1, t)  # support off: precision of contradicted alone
        hit = pred == "contradicted"
        if hit.sum() >= 3 and (y[hit] == "contradicted").mean() >= target_precision:
            contradict, reached = float(t), True
            break
    if contradict is None:
        contradict = float(max(grid, key=lambda t: (_macro_f1(decide(ps, pc, 0.5, t), y), -t)))
    best, support = -1.0, 0.5
    for t in grid:
        f1 = _macro_f1(decide(ps, pc, t, contradict), y)
        if f1 > best + 1e-9:
            best, support = f1, float(t)
    return support, contradict, {"target_precision_reached": reached, "macro_f1": round(best, 4)}


def _scores(pipe, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    verdicts = pipe.judge([r["claim"] for r in rows], [[r["evidence"]] for r in rows])
    return (np.array([v.probabilities["supported"] for v in verdicts]),
            np.array([v.probabilities["contradicted"] for v in verdicts]))


def _report(ps, pc, gold, support, contradict) -> dict:
    from sklearn.metrics import f1_score, precision_score

    pred = decide(ps, pc, support, contradict)
    return {"macro_f1": round(float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0)), 4),
            "contradicted_precision": round(float(precision_score(gold, pred, labels=["contradicted"], average="micro",
                                                                  zero_division=0)), 4),
            "accuracy": round(float((pred == np.asarray(gold, dtype=object)).mean()), 4)}


def fit_profile(rows: list[dict], settings=None, target_precision: float = 0.9, source: str = "") -> Profile:
    """Fit a profile on labelled rows (see the module docstring) for the model, engine and checks
    of `settings` (default: `Settings()`)."""
    from .nli import load_verifier
    from .nli.calibrate import fit_temperature, logits_for
    from .pipeline import Pipeline
    from .settings import Settings

    settings = settings if settings is not None else Settings()
    raw = load_verifier(settings.model, engine=settings.engine, temperature=1.0)
    ids = {"supported": 0, "not_enough_info": 1, "contradicted": 2}
    z = logits_for(raw, [(r["evidence"], r["claim"]) for r in rows])
    labels = np.array([ids[r["label"]] for r in rows])
    if not (labels == 1).any():  # 2-way gold (supported / refuted): the neutral mass is not evidence against
        labels = np.where(labels == 2, 3, labels)  # contradicted = "not entailed" for the likelihood
    temperature = fit_temperature(z, labels)
    gold = [r["label"] for r in rows]
    before = Pipeline(settings, temperature=None)
    ps0, pc0 = _scores(before, rows)
    after = Pipeline(settings, temperature=temperature)
    ps, pc = _scores(after, rows)
    support, contradict, details = choose_thresholds(ps, pc, gold, target_precision)
    return Profile(model=raw.name, model_hash=raw.hash, temperature=temperature, support_threshold=support,
                   contradict_threshold=contradict, target_precision=target_precision, fitted_on=source,
                   rows=len(rows), metrics={"before": _report(ps0, pc0, gold, 0.5, 0.5),
                                            "after": _report(ps, pc, gold, support, contradict), **details})


def load_profile(path: str | Path) -> Profile:
    from .io import read_text

    text = read_text(path, "profile")
    try:
        return Profile.model_validate_json(text)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "profile"
        raise InputError(f"{path}: not a verify calibration profile ({where}: {first.get('msg', 'invalid')})") from None


def check_profile_model(profile: Profile, verifier) -> None:
    """A profile is refused for a model other than the one it was fitted for."""
    if profile.model_hash != verifier.hash:
        raise InputError(f"profile was fitted for model '{profile.model}' ({profile.model_hash}), "
                         f"not '{verifier.name}' ({verifier.hash}); refit it with verify calibrate")
