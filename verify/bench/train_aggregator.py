"""`verify train-aggregator`: fit the `learned` aggregator on claim-level TRAIN splits only.

By default that is SciFact train (SufficientFacts has no train split, FEVER-Symmetric's dev split is
its tuning split, COVID-Fact's train split has no not_enough_info claims; SciFact's labelled claims
are also in nli/train/, so the NLI model's scores on them are optimistic), run through the
pipeline twice — with its gold evidence (oracle) and retrieving from the SciFact corpus — so the
model sees both kinds of score image. Each claim's features (`learned.features`) and gold label
make one row; a multinomial logistic regression (scikit-learn, balanced class weights, C chosen by
5-fold cross-validation grouped by claim, so a claim's oracle and retrieval rows never sit on both
sides of a fold) is fitted and written as JSON (`learned.json`) with a
card (`LEARNED.md`). Validation, test and held-out data are never read here.

Other sources are `DATASET:train:MODE[:N]`: COVID-Fact's train split, or an NLI train set read as
claims (`nli:<set>`, see `as_claims`). Measured (2026-12-05, runs kept out of the repo): adding
COVID-Fact train, FEVER dev claims (`fever_rte_dev`), FEVER NEI claims (`fever_nli_docnli_2way`)
and VitaminC synthetic (1,600 each) to SciFact train lifted COVID-Fact oracle to 0.591 but cost
SciFact validation (oracle 0.535 -> 0.467, retrieval 0.521 -> 0.398), SufficientFacts (0.391 ->
0.312) and the claim gate (8 -> 13 failing): the mix teaches which source a row came from (oracle
rows carry no retrieval scores), not what decides a claim, so the default stays SciFact train.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Optional

from ..aggregate.learned import FEATURES, FORMAT, MODEL_FILE
from ..errors import InputError
from ..io import atomic_write
from ..paths import bench_cache_dir
from ..registry import Progress, report

CARD_FILE = MODEL_FILE.with_name("LEARNED.md")
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
SOURCES = ("scifact:train:oracle", "scifact:train:retrieval")
# An NLI train set read as claims (premise = the claim's evidence): entailment and contradiction are
# supported and contradicted, neutral is not_enough_info; what a 2-way set's not_entailment means is
# known per set (nli/INDEX.tsv), and a 2-way set not listed here is refused.
NLI_CLAIM_LABELS = {"entailment": "supported", "contradiction": "contradicted", "neutral": "not_enough_info"}
NOT_ENTAILMENT_MEANS = {
    "fever_rte_dev": "contradicted",  # FEVER dev SUPPORTS / REFUTES claims with their evidence
    "fever_nli_docnli_2way": "not_enough_info",  # FEVER dev NOT ENOUGH INFO claims with retrieved evidence
    "covidfact_rte_train": "contradicted",  # COVID-Fact SUPPORTED / REFUTED
    "scifact_rte_train": "contradicted",  # SciFact SUPPORT / CONTRADICT rationales
}


def parse_source(source: str) -> tuple[str, str, str, Optional[int]]:
    """`DATASET:SPLIT:MODE[:N]` (DATASET may be `nli:<set>`; N = a seeded sample of N claims) ->
    (dataset, split, mode, N). Only train splits."""
    parts = source.split(":")
    limit = int(parts.pop()) if len(parts) > 3 and parts[-1].isdigit() else None
    if len(parts) < 3 or parts[-1] not in ("oracle", "retrieval") or parts[-2] != "train" or limit == 0:
        raise InputError(f"train source {source!r}: use DATASET:train:oracle|retrieval[:N] (train splits only)")
    return ":".join(parts[:-2]), parts[-2], parts[-1], limit


def as_claims(dataset):
    """An NLI pair set's examples relabelled as claims (see NLI_CLAIM_LABELS); a claim set as it is."""
    if dataset.kind != "nli":
        return dataset
    name = dataset.name
    relabel = dict(NLI_CLAIM_LABELS)
    if name in NOT_ENTAILMENT_MEANS:
        relabel["not_entailment"] = NOT_ENTAILMENT_MEANS[name]
    elif any(ex.label == "not_entailment" for ex in dataset.examples):
        raise InputError(f"nli:{name} is 2-way and what its not_entailment means as a claim is not recorded "
                         f"(known: {', '.join(sorted(NOT_ENTAILMENT_MEANS))})")
    dataset.examples = [replace(ex, label=relabel[ex.label]) for ex in dataset.examples]
    return dataset


def collect(pipeline, dataset, mode: str, progress: Optional[Progress] = None,
            cache_dir: Optional[Path] = None, batch: int = 64) -> tuple[list[dict[str, float]], list[str], list[str]]:
    """Feature rows, gold labels and example ids for every example of a claim dataset, through `pipeline`."""
    from ..aggregate import ClaimRef
    from ..aggregate.evidence import weigh
    from ..aggregate.learned import features
    from ..pipeline import given_evidence

    index = None
    if mode == "retrieval":
        from .runner import corpus_index

        index, _, _ = corpus_index(dataset, cache_dir or bench_cache_dir())
    rows, labels, ids = [], [], []
    examples = dataset.examples
    for start in range(0, len(examples), batch):
        chunk = examples[start:start + batch]
        refs = [ClaimRef(f"c{i}", ex.claim) for i, ex in enumerate(chunk)]
        if index is not None:
            evidence = index.search([ex.claim for ex in chunk], k=pipeline.top_k)
        else:
            evidence = given_evidence([ex.evidence for ex in chunk])
        scores, findings = pipeline.score(refs, evidence, None)
        for ref, ex in zip(refs, chunk):
            if not scores[ref.id]:
                continue
            weighed, fs = weigh(ref.text, scores[ref.id], findings[ref.id], pipeline.thresholds)
            rows.append(features(weighed, fs))
            labels.append(ex.label)
            ids.append(f"{dataset.name}:{ex.id}")
        report(progress, f"{dataset.name} {dataset.split} {mode}", min(start + batch, len(examples)), len(examples))
    return rows, labels, ids


def fit(rows: list[dict[str, float]], labels: list[str], seed: int = 13,
        groups: Optional[list[str]] = None) -> tuple[dict, dict]:
    """Standardise, pick C by 5-fold CV macro-F1 (folds grouped by `groups`, e.g. the claim, when
    given), fit; returns (JSON params, CV report)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.array([[r[f] for f in FEATURES] for r in rows], dtype=np.float64)
    y = np.array(labels)
    if groups is None:
        folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(x, y))
    else:
        folds = list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed).split(x, y, groups))
    scores = {}
    for c in C_GRID:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=5000))
        pred = cross_val_predict(model, x, y, cv=folds)
        scores[c] = float(f1_score(y, pred, average="macro"))
    best = max(C_GRID, key=lambda c: (scores[c], -c))
    model = make_pipeline(StandardScaler(), LogisticRegression(C=best, class_weight="balanced", max_iter=5000)).fit(x, y)
    scaler, lr = model[0], model[1]
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    params = {"format": FORMAT, "features": list(FEATURES), "classes": [str(c) for c in lr.classes_],
              "mean": scaler.mean_.round(6).tolist(), "scale": scale.round(6).tolist(),
              "coef": lr.coef_.round(6).tolist(), "intercept": lr.intercept_.round(6).tolist(), "C": best}
    return params, {"cv_macro_f1_by_C": {str(c): round(v, 4) for c, v in scores.items()}, "C": best,
                    "cv_macro_f1": round(scores[best], 4)}


def train_aggregator(sources: tuple[str, ...] = SOURCES, settings=None, out: Path = MODEL_FILE,
                     data_dir: Optional[str] = None, progress: Optional[Progress] = None) -> dict:
    """Collect features on each train source ("dataset:split:mode") through a pipeline of
    `settings` (default: `Settings(engine="torch")`), fit, write `out` and its card."""
    from .datasets import load_benchmark, sample
    from ..pipeline import Pipeline
    from ..settings import Settings

    pipeline = Pipeline(settings if settings is not None else Settings(engine="torch"))
    rows, labels, groups, counts = [], [], [], {}
    for source in sources:
        name, split, mode, limit = parse_source(source)
        # every labelled SciFact train claim is also in nli/train/ (the NLI model saw it with its
        # evidence), so the evaluation-time dedup would leave only NEI claims: keep them all here
        dataset = as_claims(load_benchmark(name, split, data_dir, dedup=False))
        dataset.examples = sample(dataset.examples, limit, seed=13)
        r, y, ids = collect(pipeline, dataset, mode, progress)
        rows += r
        labels += y
        groups += ids
        counts[source] = {label: y.count(label) for label in sorted(set(y))}
    params, report = fit(rows, labels, groups=groups)
    verifier = pipeline.verifier
    command = "verify train-aggregator" + ("" if sources == SOURCES else f" --sources {','.join(sources)}")
    params.update(model=verifier.name, model_hash=verifier.hash, engine=pipeline.engine, pairs=pipeline.pairs,
                  settle=pipeline.settle, top_k=pipeline.top_k,
                  trained_on=counts, cv=report, command=command,
                  created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    atomic_write(out, json.dumps(params, indent=1) + "\n")
    atomic_write(out.with_name("LEARNED.md"), card(params))
    return params


def card(params: dict) -> str:
    weights = sorted(zip(params["features"], *params["coef"]), key=lambda r: -max(abs(v) for v in r[1:]))
    lines = [
        "# The `learned` aggregator", "",
        f"Generated by `{params['command']}` on {params['created']} — do not edit by hand.", "",
        "A multinomial logistic regression over per-claim features of the score image (the raw NLI "
        "probabilities of every scored window, after the check findings and relevance weighting of "
        "`verify/aggregate/evidence.py`); inference is numpy only (`verify/aggregate/learned.py`).", "",
        f"- NLI model: `{params['model']}` (weights hash `{params['model_hash'][:16]}`), engine {params['engine']}, "
        f"{params['pairs']} pairs per claim"
        + (f" (early exit at {params['settle']:g})" if params.get("settle") is not None else "")
        + f", top-{params['top_k']} passages in retrieval mode",
        "- trained on (claim-level TRAIN splits only; never validation, test or held-out data): "
        + "; ".join(f"{k} {v}" for k, v in params["trained_on"].items()),
        f"- balanced class weights; C = {params['C']} chosen by 5-fold cross-validation on the same rows, grouped by claim "
        f"(macro-F1 by C: {params['cv']['cv_macro_f1_by_C']})",
        "- retrain after replacing the NLI model: `verify train-aggregator` (benchmarks/rerun_model.sh does)", "",
        "Validation results of both aggregators: `benchmarks/README.md` and `benchmarks/results/*-learned.md`.", "",
        "| feature | " + " | ".join(params["classes"]) + " |", "|---|" + "---|" * len(params["classes"]),
    ]
    lines += [f"| {name} | " + " | ".join(f"{v:+.3f}" for v in coefs) + " |" for name, *coefs in weights]
    lines += ["", "Coefficients are per standardised feature (mean/scale in `learned.json`)."]
    return "\n".join(lines) + "\n"
