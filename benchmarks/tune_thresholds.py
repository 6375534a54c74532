"""Choose the verdict thresholds on training data only: SciFact *train* claims with their gold
evidence (oracle mode), one pass of the pipeline, then a grid over (support, contradict).

    python benchmarks/tune_thresholds.py [--limit N]

Writes benchmarks/results/thresholds-scifact-train.json, to compare the defaults in
verify/aggregate.py (Thresholds) with the best grid point; held-out data is never used here.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from verify.aggregate import Thresholds
from verify.bench.datasets import load_benchmark, sample
from verify.io import atomic_write
from verify.pipeline import Pipeline

OUT = Path(__file__).resolve().parent / "results" / "thresholds-scifact-train.json"


def label(p: dict[str, float], ts: float, tc: float) -> str:
    if p["supported"] >= ts and p["supported"] >= p["contradicted"]:
        return "supported"
    return "contradicted" if p["contradicted"] >= tc else "not_enough_info"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    # all train claims: dedup would drop those in nli/train/ (the model saw them), which is fine for tuning
    data = load_benchmark("scifact", split="train", data_dir=args.data_dir, dedup=False)
    examples = sample(data.examples, args.limit, seed=13) if args.limit else data.examples
    # every budgeted window is scored: the early exit asks the thresholds being searched for here
    pipe = Pipeline(thresholds=Thresholds(support=0.0, contradict=0.0), settle="off")
    probs = []
    for i in range(0, len(examples), 32):
        batch = examples[i : i + 32]
        probs += [v.probabilities for v in pipe.judge([e.claim for e in batch], [e.evidence for e in batch])]
    gold = [e.label for e in examples]
    grid = np.round(np.arange(0.2, 0.81, 0.05), 2)
    table = []
    for ts in grid:
        for tc in grid:
            pred = [label(p, ts, tc) for p in probs]
            table.append({"support": float(ts), "contradict": float(tc),
                          "macro_f1": f1_score(gold, pred, average="macro"),
                          "accuracy": float(np.mean([a == b for a, b in zip(gold, pred)]))})
    best = max(table, key=lambda r: (round(r["macro_f1"], 4), -abs(r["support"] - 0.5) - abs(r["contradict"] - 0.5)))
    default = next(r for r in table if r["support"] == 0.5 and r["contradict"] == 0.5)
    atomic_write(OUT, json.dumps({"dataset": "scifact", "split": "train", "mode": "oracle", "n": len(examples),
                                  "model": pipe.verifier.name, "model_hash": pipe.verifier.hash,
                                  "best": best, "at_0.5": default, "date": dt.date.today().isoformat(),
                                  "grid": table}, indent=1))
    print(f"best {best}\nat 0.5/0.5 {default}\nwrote {OUT}")


if __name__ == "__main__":
    main()
