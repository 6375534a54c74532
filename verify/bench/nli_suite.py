"""The held-out NLI evaluation (the model card's table): every requested nli/heldout/ set scored
pair-level, one results file `nli-<model>.json|md` with accuracy and macro-F1 per set."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Optional

from .datasets import existing_data_root, load_nli_set, nli_heldout_sets
from .results import fmt, publish
from .runner import BenchRun, package_versions, run_benchmark

PER_SET_FIELDS = ("n", "accuracy", "macro_f1", "balanced_accuracy", "auroc", "ece")


def run_nli_suite(sets: Optional[list[str]], settings: BenchRun, out_dir: Path) -> dict:
    root = existing_data_root(settings.data_dir)
    names = sets or nli_heldout_sets(root)
    per_set, model = {}, None
    for name in names:
        dataset = load_nli_set(root, name)
        record = run_benchmark(dataset, settings, out_dir)
        model = record["model"]
        m = record["metrics"]
        per_set[name] = {**{k: m.get(k) if k != "n" else record["n"] for k in PER_SET_FIELDS},
                         "scoring": "2-way: P(entailment) vs the rest" if len(dataset.labels) == 2 else "3-way",
                         "macro_f1_ci95": m["headline_ci95"], "examples_in_set": len(dataset.examples),
                         "sha256": record["data"]["sha256"], "pairs_per_second": record["performance"]["pairs_per_second"]}
    n_sets = len(per_set)
    return {
        "schema": "verify-bench-nli/1", "dataset": "nli", "split": "heldout", "mode": "oracle",
        "model": model, "settings": {"limit_per_set": settings.limit, "seed": settings.seed, "batch_size": settings.batch_size},
        "sets": per_set,
        "summary": {"sets": n_sets,
                    "mean_accuracy": sum(r["accuracy"] for r in per_set.values()) / n_sets,
                    "mean_macro_f1": sum(r["macro_f1"] for r in per_set.values()) / n_sets},
        "limit": settings.limit, "seed": settings.seed, "versions": package_versions(),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def nli_markdown(record: dict) -> str:
    limit = record["limit"]
    lines = [f"# Held-out NLI — {record['model']['name']}", "",
             f"Model hash `{record['model']['hash']}`; {'all pairs' if limit is None else f'a seeded sample of {limit} pairs per set'} "
             f"(seed {record['seed']}); sets from nli/heldout/, never trained or tuned on. {record['date']}", "",
             "| set | n | scoring | accuracy | macro-F1 | macro-F1 95% CI | AUROC | ECE |", "|---|---|---|---|---|---|---|---|"]
    for name, r in record["sets"].items():
        low, high = r["macro_f1_ci95"]
        lines.append(f"| {name} | {r['n']} | {r['scoring']} | {fmt(r['accuracy'])} | {fmt(r['macro_f1'])} | "
                     f"{fmt(low)} – {fmt(high)} | {fmt(r['auroc'])} | {fmt(r['ece'])} |")
    s = record["summary"]
    lines.append(f"| **mean of {s['sets']} sets** | | | {fmt(s['mean_accuracy'])} | {fmt(s['mean_macro_f1'])} | | | |")
    return "\n".join(lines) + "\n"


def write_nli_results(record: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"nli-{record['model']['label']}"
    return {"json": publish(out_dir / f"{stem}.json", json.dumps(record, indent=1) + "\n"),
            "md": publish(out_dir / f"{stem}.md", nli_markdown(record))}
