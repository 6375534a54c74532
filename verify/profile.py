"""Calibration profiles: a temperature and two verdict thresholds fitted on a user's own labelled claims.

`verify calibrate LABELLED.jsonl --model M` reads rows of (evidence, claim, label), fits

1. the verifier's temperature (nli/calibrate.py) on the rows' NLI likelihood — kept only when, with
   its verdict scaling (2), it gives the rows' labels a higher likelihood than the model's own
   temperature (the learned aggregator's features were fitted at the model's own); then
2. the verdict scaling (`VerdictScaling`: matrix scaling, a multinomial logistic regression on the
   log of the aggregator's verdict probabilities, by maximum likelihood of the rows' labels), so that
   a verdict probability of 0.8 is right about 80% of the time on data like the rows — the NLI
   temperature alone does not do that, since an aggregator combines several windows' probabilities,
   and a temperature with per-label biases left the rule's products of window maxima visibly
   miscalibrated; then
3. the verdict thresholds on the scaled probabilities: `contradict` is the lowest threshold whose
   `contradicted` verdicts reach the target precision on the rows (so a user who wants "when it
   says contradicted, it is right 90% of the time" gets exactly that trade-off; when no threshold
   reaches it, the macro-F1-best one, and the profile records that), and `support` the threshold
   that then maximises macro-F1 (the `rules` aggregator decides by them; `learned` takes the most
   probable label of the scaled probabilities),

and writes a JSON profile that `check`, `ci` and `bench` load with `--profile FILE`. A profile
names the model (and its weights hash) it was fitted for; loading it with another model is refused,
and so is a profile with a verdict scaling under another aggregator than the one it was fitted for.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError
from .settings import VerdictScaling

PROFILE_VERSION = 2  # 2: the verdict scaling and the aggregator it was fitted for
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
    target_precision: float = Field(ge=0, le=1)  # 0: none wanted (thresholds macro-F1-best)
    aggregator: str = "rules"  # the aggregator whose verdict probabilities were scaled (version 1: rules, no scaling)
    verdict_scaling: Optional[VerdictScaling] = None
    fitted_on: str
    rows: int
    metrics: dict = Field(default_factory=dict)

    def settings_changes(self) -> dict:
        """What the profile changes in a `Settings`: the temperature, the aggregator, its verdict
        scaling and the two verdict thresholds (`settings.replace(**profile.settings_changes())`;
        options given explicitly come after, and `check_profile_settings` refuses a clash)."""
        changes: dict = {"temperature": self.temperature,
                         "thresholds": {"support": self.support_threshold, "contradict": self.contradict_threshold}}
        if self.verdict_scaling is not None:  # a version-1 profile leaves the aggregator as it was
            changes["aggregator"] = self.aggregator
            changes["thresholds"]["scaling"] = self.verdict_scaling.model_dump()
        return changes


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
        if isinstance(evidence, list) and all(isinstance(e, str) for e in evidence):  # passages, as `bench` gives them
            evidence = [e for e in evidence if e.strip()] or ""
        if not (isinstance(evidence, list) or isinstance(evidence, str) and evidence.strip()) \
                or not isinstance(claim, str) or not claim.strip():
            raise InputError(f"{path}: row {n}: 'evidence' (or 'premise') and 'claim' (or 'hypothesis') must be non-empty (evidence: a string or a list of passages)")
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
    verdicts (at least 3, and at least 1% of the rows, so a handful of lucky rows do not count)
    reach the target precision, and support the macro-F1-best given it. When no threshold reaches
    the target (the details say so), or the target is 0 (none wanted), both are the macro-F1-best pair."""
    ps, pc, y = np.asarray(p_support, float), np.asarray(p_contra, float), np.asarray(gold, dtype=object)
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    least = max(3, int(np.ceil(0.01 * len(y))))
    contradict, reached = None, False
    for t in grid if target_precision > 0 else ():
        pred = decide(ps, pc, 1.1, t)  # support off: precision of contradicted alone
        hit = pred == "contradicted"
        if hit.sum() >= least and (y[hit] == "contradicted").mean() >= target_precision:
            contradict, reached = float(t), True
            break
    best, support = -1.0, 0.5
    for c in (grid if contradict is None else (contradict,)):
        for t in grid:
            f1 = _macro_f1(decide(ps, pc, t, c), y)
            if f1 > best + 1e-9:
                best, support, chosen = f1, float(t), float(c)
    return support, chosen, {"target_precision_reached": reached, "macro_f1": round(best, 4)}


def _passages(row: dict) -> list[str]:
    return list(row["evidence"]) if isinstance(row["evidence"], list) else [row["evidence"]]


def _probabilities(pipe, rows: list[dict]) -> np.ndarray:
    """(rows, 3) verdict probabilities in LABELS order."""
    verdicts = pipe.judge([r["claim"] for r in rows], [_passages(r) for r in rows])
    return np.array([[v.probabilities[k] for k in LABELS] for v in verdicts], dtype=np.float64)


def fit_scaling(probs: np.ndarray, gold: Sequence[str], c: float = 1.0) -> VerdictScaling:
    """The verdict scaling that maximises the likelihood of the gold labels: a multinomial logistic
    regression (scikit-learn, L2 with inverse strength `c`) on the log verdict probabilities. A label
    absent from the rows (2-way data: no not_enough_info) gets a constant logit of -20: the rows say
    nothing about it, so it is never predicted after scaling."""
    from sklearn.linear_model import LogisticRegression

    from .aggregate.base import SCALING_FLOOR

    x = np.log(np.maximum(np.asarray(probs, np.float64), SCALING_FLOOR))
    y = np.asarray(gold, dtype=object)
    present = [k for k in LABELS if (y == k).any()]
    weights, bias = np.zeros((3, 3)), np.full(3, -20.0)
    if len(present) == 1:  # one label only: predict it
        bias[LABELS.index(present[0])] = 0.0
        return VerdictScaling(weights=tuple(map(tuple, weights)), bias=tuple(bias))
    lr = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    classes = [str(k) for k in lr.classes_]
    if len(classes) == 2:  # one row of coefficients: logit(second) - logit(first)
        rows, icpt = {classes[0]: np.zeros(3), classes[1]: lr.coef_[0]}, {classes[0]: 0.0, classes[1]: lr.intercept_[0]}
    else:
        rows = {k: lr.coef_[i] for i, k in enumerate(classes)}
        icpt = {k: lr.intercept_[i] for i, k in enumerate(classes)}
    for k in classes:
        weights[LABELS.index(k)] = rows[k]
        bias[LABELS.index(k)] = icpt[k]
    return VerdictScaling(weights=tuple(tuple(round(float(v), 5) for v in row) for row in weights),
                          bias=tuple(round(float(v), 5) for v in bias))


def _scaled(probs: np.ndarray, scaling: Optional[VerdictScaling]) -> np.ndarray:
    from .aggregate.base import scale

    return np.array([[scale(dict(zip(LABELS, p)), scaling)[k] for k in LABELS] for p in probs])


def _nll(probs: np.ndarray, gold: Sequence[str]) -> float:
    """Mean negative log-likelihood of the gold labels under (rows, 3) probabilities in LABELS order."""
    p = probs[np.arange(len(gold)), [LABELS.index(g) for g in gold]]
    return -float(np.mean(np.log(np.maximum(p, 1e-12))))


def _report(probs: np.ndarray, gold, support, contradict, aggregator: str) -> dict:
    from sklearn.metrics import f1_score, precision_score

    from .nli.calibrate import calibration_error

    if aggregator == "rules":
        pred = decide(probs[:, 0], probs[:, 1], support, contradict)
    else:
        pred = np.array([LABELS[i] for i in probs.argmax(axis=1)], dtype=object)
    gold_a = np.asarray(gold, dtype=object)
    confidence = probs[np.arange(len(pred)), [LABELS.index(p) for p in pred]]
    present = [k for k in LABELS if k in set(gold)]  # 2-way rows: macro-F1 over their two labels
    return {"macro_f1": round(float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)), 4),
            "contradicted_precision": round(float(precision_score(gold, pred, labels=["contradicted"], average="micro",
                                                                  zero_division=0)), 4),
            "accuracy": round(float((pred == gold_a).mean()), 4),
            "ece": round(calibration_error(confidence, pred == gold_a), 4)}  # 15 bins, as verify bench reports it


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
    z = logits_for(raw, [(" ".join(_passages(r)), r["claim"]) for r in rows])
    labels = np.array([ids[r["label"]] for r in rows])
    if not (labels == 1).any():  # 2-way gold (supported / refuted): the neutral mass is not evidence against
        labels = np.where(labels == 2, 3, labels)  # contradicted = "not entailed" for the likelihood
    fitted = fit_temperature(z, labels)
    gold = [r["label"] for r in rows]
    plain = settings.replace(thresholds={"scaling": None})
    own = Pipeline(plain, temperature=None)  # the model's own temperature (its calibration.json, else 1)
    before = _probabilities(own, rows)
    # The NLI temperature that, with its verdict scaling, gives the rows' labels the higher likelihood:
    # the pair-level fit, or the model's own (what the learned aggregator's features were fitted on).
    nll_of, best = {}, None
    for t, unscaled in ((fitted, _probabilities(Pipeline(plain, temperature=fitted), rows)), (own.verifier.temperature, before)):
        sc = fit_scaling(unscaled, gold)
        q = _scaled(unscaled, sc)
        nll = _nll(q, gold)
        nll_of[f"{t:g}"] = round(nll, 4)
        if best is None or nll < best[0]:
            best = (nll, t, sc, q)
    _, temperature, scaling, probs = best
    support, contradict, details = choose_thresholds(probs[:, 0], probs[:, 1], gold, target_precision)
    return Profile(model=raw.name, model_hash=raw.hash, temperature=temperature, support_threshold=support,
                   contradict_threshold=contradict, target_precision=target_precision, fitted_on=source,
                   aggregator=settings.aggregator, verdict_scaling=scaling, rows=len(rows),
                   metrics={"before": _report(before, gold, settings.thresholds.support, settings.thresholds.contradict,
                                              settings.aggregator),
                            "after": _report(probs, gold, support, contradict, settings.aggregator),
                            "nll_by_temperature": nll_of, **details})


def load_profile(path: str | Path) -> Profile:
    from .io import read_text

    text = read_text(path, "profile")
    try:
        return Profile.model_validate_json(text)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "profile"
        raise InputError(f"{path}: not a verify calibration profile ({where}: {first.get('msg', 'invalid')})") from None


def check_profile_settings(profile: Profile, settings) -> None:
    """A profile's verdict scaling belongs to the aggregator it was fitted for: another one (chosen
    explicitly over the profile) is refused rather than given probabilities scaled for the wrong model."""
    if profile.verdict_scaling is not None and settings.aggregator != profile.aggregator:
        raise InputError(f"the profile's verdict calibration was fitted for the '{profile.aggregator}' aggregator, "
                         f"not '{settings.aggregator}'; refit it with verify calibrate --aggregator {settings.aggregator}")


def check_profile_model(profile: Profile, verifier) -> None:
    """A profile is refused for a model other than the one it was fitted for."""
    if profile.model_hash != verifier.hash:
        raise InputError(f"profile was fitted for model '{profile.model}' ({profile.model_hash}), "
                         f"not '{verifier.name}' ({verifier.hash}); refit it with verify calibrate")
