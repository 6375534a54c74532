"""How the evidence windows are ranked before NLI, and how many are scored: the experiment behind
`verify.nli.windows.LENGTH_COST` and the default pair budget (`verify.settings.PAIRS`).

    python benchmarks/window_rank.py                 # 250 SciFact *train* claims, ~10 min on 2 cores

A seeded sample of SciFact *train* claims (never validation or test) is retrieved over the whole
corpus (top-5 passages, as `verify bench scifact --mode retrieval`) and **every** candidate window is
scored by the NLI model once (cache: the bench cache folder). Then each ranking is replayed offline
at each pair budget: the windows a budget of k would have scored are the top k of that ranking, and
both aggregators judge them — `rules` as shipped, `learned` refitted per (ranking, budget) by 5-fold
cross-validation on the sample (`verify.bench.train_aggregator.fit`), since the shipped one was fitted
on another window regime. Cost is the characters of the pairs scored (NLI time grows with tokens).

Rankings: `overlap - c x chars` for each length cost c (c = 0: the share of the claim's word weight a
window holds, the order before LENGTH_COST), and `dense` (cosine of all-MiniLM-L6-v2 embeddings of
claim and window, the embeddings the index uses; window-level dense retrieval is what issue 15 part 1
asked to measure). Last, the early exit (`--settle`, default 0.6, chosen here): the first k1 windows, more only
for claims the rule has not settled. The replay leaves out one thing the pipeline adds: a passage's window holding
a deciding number/date check is scored beyond the budget.

Writes benchmarks/results/window-rank.json|md. Exit codes: 0 done, 2 missing data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import pickle
import platform
import random
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"


def score_every_window(n: int, seed: int) -> dict:
    """The sample's claims, gold labels, report (every window scored) and window/claim embeddings."""
    from verify.bench.datasets import data_root, load_scifact
    from verify.bench.runner import corpus_index
    from verify.corpus.encoder import Encoder
    from verify.paths import bench_cache_dir
    from verify.pipeline import Pipeline

    dataset = load_scifact(data_root(None), "train")
    examples = list(dataset.examples)
    random.Random(seed).shuffle(examples)
    examples = examples[:n]
    pipe = Pipeline(engine="bf16", cache=False, pairs=None)
    key = hashlib.sha256(f"{n}|{seed}|{pipe.verifier.hash}|{[e.claim for e in examples]}".encode()).hexdigest()[:16]
    cached = bench_cache_dir() / f"window-rank-{key}.pkl"
    if cached.exists():
        with open(cached, "rb") as f:
            return pickle.load(f)
    index, _, _ = corpus_index(dataset, bench_cache_dir())
    t = time.perf_counter()
    report = pipe.check_claims([e.claim for e in examples], index)
    seconds = time.perf_counter() - t
    encoder = Encoder()
    texts = sorted({w.text for w in report.window_scores})
    data = {"report": report, "gold": [e.label for e in examples], "texts": texts,
            "windows": encoder.encode(texts), "claims": encoder.encode([c.text for c in report.claims]),
            "score_seconds": round(seconds, 1), "model_hash": pipe.verifier.hash}
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(data, f)
    os.replace(tmp, cached)
    return data


def replay(data: dict, costs: list[float], budgets: list[int]) -> list[dict]:
    from sklearn.metrics import f1_score

    from verify.aggregate import load_aggregator, settled
    from verify.aggregate.evidence import weigh
    from verify.aggregate.learned import features
    from verify.bench.train_aggregator import fit
    from verify.nli.windows import LENGTH_COST
    from verify.settings import Settings

    report, gold = data["report"], data["gold"]
    row = {t: i for i, t in enumerate(data["texts"])}
    claim_vec = {c.id: data["claims"][i] for i, c in enumerate(report.claims)}
    by_claim = defaultdict(list)
    for w in report.window_scores:
        by_claim[w.claim_id].append(w)
    rules, thresholds = load_aggregator("rules"), Settings().thresholds

    def tie(w):  # ranked_windows' tie-break: the earlier passage, the shorter window, the earlier one
        return (w.passage_rank, len(w.text), w.window_span[0])

    def by_cost(cost):
        return lambda c, ws: sorted(ws, key=lambda w: (-((w.overlap or 0.0) - cost * len(w.text)), *tie(w)))

    def dense(c, ws):
        return sorted(ws, key=lambda w: (-float(data["windows"][row[w.text]] @ claim_vec[c.id]), *tie(w)))

    rankings = {f"overlap - {cost:g} x chars": by_cost(cost) for cost in costs}
    rankings["dense"] = dense
    out = []
    for name, rank in rankings.items():
        for k in budgets:
            rule_labels, rows, chars, pairs = [], [], 0, 0
            for c in report.claims:
                top = [w.model_copy(update={"rank": i + 1}) for i, w in enumerate(rank(c, by_claim.get(c.id, []))[:k])]
                chars += sum(len(w.text) + len(c.text) for w in top)
                pairs += len(top)
                found = report.findings.get(c.id, [])
                rule_labels.append(rules(c, top, found).label)
                if top:
                    weighed, fs = weigh(c.text, top, found, thresholds)
                    rows.append(features(weighed, fs))
                else:  # no evidence at all: every feature 0 (the aggregators answer not_enough_info)
                    rows.append(None)
            kept = [(r, y) for r, y in zip(rows, gold) if r is not None]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, cv = fit([r for r, _ in kept], [y for _, y in kept])
            out.append({"ranking": name, "pairs": k, "pairs_per_claim": round(pairs / len(gold), 2),
                        "chars_per_claim": round(chars / len(gold)),
                        "macro_f1_rules": round(float(f1_score(gold, rule_labels, average="macro")), 4),
                        "macro_f1_learned_cv": cv["cv_macro_f1"]})
    # The early exit (`--settle P`, default 0.6 = the (2, 4, 0.6) row; the pipeline's first round is half the budget).
    # Score the first k1 windows of the shipped order; a claim the rule then calls supported or contradicted with probability >= conf
    # stops there, the others get windows up to k2. Rules only (no learned row: it would need a fit
    # per regime inside the cascade).
    shipped = by_cost(LENGTH_COST)
    for k1, k2 in ((2, 4), (2, 6), (3, 6)):
        for conf in (0.6, 0.7):
            labels, chars, pairs = [], 0, 0
            for c in report.claims:
                ranked = shipped(c, by_claim.get(c.id, []))
                found = report.findings.get(c.id, [])
                top = [w.model_copy(update={"rank": i + 1}) for i, w in enumerate(ranked[:k1])]
                v = rules(c, top, found)
                if not settled(v, conf):
                    top = [w.model_copy(update={"rank": i + 1}) for i, w in enumerate(ranked[:k2])]
                    v = rules(c, top, found)
                labels.append(v.label)
                chars += sum(len(w.text) + len(c.text) for w in top)
                pairs += len(top)
            out.append({"ranking": f"early exit: {k1} pairs, then {k2} unless settled at p >= {conf:g}",
                        "pairs": k2, "pairs_per_claim": round(pairs / len(gold), 2),
                        "chars_per_claim": round(chars / len(gold)),
                        "macro_f1_rules": round(float(f1_score(gold, labels, average="macro")), 4),
                        "macro_f1_learned_cv": None})
    return out


def markdown(result: dict) -> str:
    lines = ["# Window ranking and pair budget", "",
             f"`{result['command']}` on {result['machine']}, {result['created']}.", "",
             (f"{result['claims']} SciFact *train* claims (seed {result['seed']}), retrieval over the whole corpus "
             f"(top-5 passages), every candidate window scored once ({result['windows_scored']} pairs; "
             "cached, so a re-run replays only), then each ranking replayed at each budget. `learned (CV)`: the learned "
             "aggregator refitted per row by 5-fold cross-validation on the sample. Characters: of the pairs "
             "scored per claim (NLI time grows with them)."), "",
             "| ranking | pairs | pairs/claim | chars/claim | macro-F1 rules | macro-F1 learned (CV) |",
             "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        learned = "–" if r["macro_f1_learned_cv"] is None else f"{r['macro_f1_learned_cv']:.3f}"
        lines.append(f"| {r['ranking']} | {r['pairs']} | {r['pairs_per_claim']} | {r['chars_per_claim']} | "
                     f"{r['macro_f1_rules']:.3f} | {learned} |")
    lines += ["", "With 250 claims a macro-F1 difference under ~0.02 is noise."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--costs", default="0,0.0005,0.001,0.0015,0.002")
    parser.add_argument("--budgets", default="2,3,4,5,6,8")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(REPO))
    from verify.errors import InputError

    try:
        data = score_every_window(args.claims, args.seed)
    except (InputError, FileNotFoundError) as err:
        print(f"window_rank: {err}", file=sys.stderr)
        return 2
    rows = replay(data, [float(c) for c in args.costs.split(",")], [int(k) for k in args.budgets.split(",")])
    result = {"command": "python benchmarks/window_rank.py" + (f" {' '.join(argv)}" if argv else ""),
              "machine": f"{os.cpu_count()} CPU cores ({platform.machine()})",
              "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "claims": args.claims, "seed": args.seed, "model_hash": data["model_hash"],
              "windows_scored": len(data["report"].window_scores),
              "score_seconds_when_cached": data["score_seconds"],  # not a speed figure: perf.py measures speed
              "rows": rows}
    from verify.io import atomic_write

    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out / "window-rank.json", json.dumps(result, indent=1) + "\n")
    atomic_write(args.out / "window-rank.md", markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or None))
