"""Speed and memory of verify's inference engine, end to end, and (optionally) of the index at scale.

    python benchmarks/perf.py                      # engine + end-to-end + seed-article memory
    python benchmarks/perf.py --sections index     # the synthetic 10k/100k/1M index run (perf_index.py)

Sections, each written to benchmarks/results/perf-<section>.json|md (atomically):

engine  The same model, the same 2,000 held-out pairs (1,000 mnli_dev_matched + 1,000
        vitaminc_real_test, seeded sample): (a) the naive way, `transformers.pipeline(
        "text-classification")` one pair per call, over the list with its default batching, and
        over the list with batch_size=32; (b) our torch engine (fp32, and bf16 autocast); (c) our
        ONNX int8 engine. Pairs/s, ratios to the naive best, achieved GFLOP/s (real tokens, the
        model's matmul FLOPs) against a measured matmul peak of this CPU, peak RSS. Each engine runs
        in a fresh child process, so each peak RSS is its own.
e2e     SciFact validation claims in retrieval mode over the 5,183-abstract corpus, index built
        beforehand (its build time reported separately): claims/s per engine at the default pair
        budget with the default early exit (and bf16 with it off, and scoring every window), NLI pairs per claim, macro-F1 of both aggregators
        (so speed is never bought with silent quality loss), score cache off.
pairs   The same run with the bf16 engine (default early exit) at pair budgets 2 … 16 and every window: the
        speed/accuracy curve the default budget (verify.settings.PAIRS) was chosen from.
memory  Peak RSS of `verify check` on the seed article (a subprocess; wait4's ru_maxrss).
index   benchmarks/perf_index.py's run (synthetic corpora; slow: ~15 min and ~7 GB for 1M).

Exit codes: 0 done, 2 missing data (../shared/data or $VERIFY_DATA_DIR) or bad arguments.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # perf_index beside this file
from perf_index import _in_child, _peak_rss_mb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
SEED = 13
PAIR_SETS = ("mnli_dev_matched", "vitaminc_real_test")
PAIRS_PER_SET = 1000
SECTIONS = ("engine", "e2e", "pairs", "memory", "index")
BUDGETS = (2, 4, 6, 8, 12, 16, None)  # pairs per claim on the curve; None = every window


# ---------------------------------------------------------------- inputs

def heldout_pairs() -> list[tuple[str, str]]:
    from verify.bench.datasets import data_root, load_nli_set, sample

    root = data_root(None)
    pairs = []
    for name in PAIR_SETS:
        for ex in sample(load_nli_set(root, name).examples, PAIRS_PER_SET, SEED):
            pairs.append((" ".join(ex.evidence), ex.claim))
    return pairs


def model_flops(lengths: list[int], config) -> float:
    """Matmul FLOPs of a BERT encoder over sequences of these (unpadded) lengths:
    per layer 2·n·(4h² + 2h·f) for the projections and feed-forward, 4·n²·h for attention."""
    h, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    return float(sum(layers * (2 * n * (4 * h * h + 2 * h * f) + 4 * n * n * h) for n in lengths))


def matmul_peak() -> dict[str, float]:
    """Best-of-5 GFLOP/s of a 2048² matmul in fp32 and bf16 on this CPU (torch's threads)."""
    import torch

    out = {}
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        a, b = torch.randn(2048, 2048, dtype=dtype), torch.randn(2048, 2048, dtype=dtype)
        torch.mm(a, b)
        best = min(_timed(lambda: torch.mm(a, b)) for _ in range(5))
        out[f"{name}_gflops"] = round(2 * 2048 ** 3 / best / 1e9, 1)
    out["torch_threads"] = torch.get_num_threads()
    return out


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ---------------------------------------------------------------- engine section (child processes)

def _naive(pairs: list[tuple[str, str]], mode: str) -> dict[str, Any]:
    from transformers import pipeline

    from verify.io import quiet_transformers
    from verify.nli.base import resolve_model

    quiet_transformers()
    pipe = pipeline("text-classification", model=resolve_model(None), device=-1, truncation=True, max_length=256)
    inputs = [{"text": p, "text_pair": h} for p, h in pairs]
    _label(pipe(inputs[0]))  # warm-up, as for our engines
    t = time.perf_counter()
    if mode == "one-by-one":
        labels = [_label(pipe(x)) for x in inputs]
    elif mode == "list-default":
        labels = [_label(r) for r in pipe(inputs)]
    else:
        labels = [_label(r) for r in pipe(inputs, batch_size=32)]
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "labels": labels, "peak_rss_mb": _peak_rss_mb()}


def _label(result) -> str:
    row = result[0] if isinstance(result, list) else result
    return row["label"].lower()


def _engine(pairs: list[tuple[str, str]], engine: str) -> dict[str, Any]:
    from verify.nli import load_verifier

    v = load_verifier(engine={"torch-bf16": "bf16", "onnx-int8": "onnx"}.get(engine, engine))
    v.predict(pairs[:32])  # warm-up: first-call allocations and (onnx) kernel selection
    t = time.perf_counter()
    probs = v.predict(pairs, batch_size=32)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "labels": [max(p, key=p.get) for p in probs], "peak_rss_mb": _peak_rss_mb()}


def _prepare_onnx() -> dict[str, Any]:
    """Export + quantise once (cached), so no measured run pays for it."""
    from verify.nli import load_verifier

    t = time.perf_counter()
    path = load_verifier(engine="onnx").onnx_path
    return {"path": str(path), "seconds": round(time.perf_counter() - t, 1)}


def engine_section() -> dict[str, Any]:
    from transformers import AutoConfig, AutoTokenizer

    from verify.nli.base import resolve_model

    pairs = heldout_pairs()
    path = resolve_model(None)
    tok, config = AutoTokenizer.from_pretrained(path), AutoConfig.from_pretrained(path)
    lengths = [len(ids) for ids in tok([p for p, _ in pairs], [h for _, h in pairs], truncation="longest_first",
                                       max_length=256)["input_ids"]]
    flops = model_flops(lengths, config)
    peak = _in_child(matmul_peak)
    runs: dict[str, dict[str, Any]] = {}
    for mode in ("one-by-one", "list-default", "list-batch32"):
        runs[f"naive {mode}"] = _in_child(_naive, pairs, mode)
    for engine in ("torch", "torch-bf16", "onnx-int8"):
        runs[f"verify {engine}"] = _in_child(_engine, pairs, engine)
    reference = runs["verify torch"]["labels"]
    naive_best = max((k for k in runs if k.startswith("naive")), key=lambda k: len(pairs) / runs[k]["seconds"])
    rows = {}
    for name, r in runs.items():
        pps = len(pairs) / r["seconds"]
        gflops = flops / r["seconds"] / 1e9
        rows[name] = {
            "pairs_per_second": round(pps, 1), "seconds": round(r["seconds"], 2),
            "x_naive_best": round(pps / (len(pairs) / runs[naive_best]["seconds"]), 2),
            "gflops": round(gflops, 1),
            "share_of_fp32_peak": round(gflops / peak["fp32_gflops"], 3),
            "peak_rss_mb": round(r["peak_rss_mb"], 1),
            "label_agreement_with_torch_fp32": round(sum(a == b for a, b in zip(r["labels"], reference)) / len(pairs), 4),
        }
    return {"pairs": len(pairs), "sets": {s: PAIRS_PER_SET for s in PAIR_SETS}, "seed": SEED,
            "mean_tokens": round(sum(lengths) / len(lengths), 1), "max_length": 256,
            "model_gflop_total": round(flops / 1e9, 1), "matmul_peak": peak, "naive_best": naive_best, "runs": rows}


# ---------------------------------------------------------------- end-to-end section

def _e2e(engine: str, pairs: int | None, claims: list[str], gold: list[str], index_dir: str,
         settle: float | str | None = None) -> dict[str, Any]:
    """One timed run; `settle` None = the default early exit, "off" = none."""
    from sklearn.metrics import f1_score

    from verify.aggregate import load_aggregator
    from verify.corpus import Index
    from verify.pipeline import Pipeline

    t = time.perf_counter()
    index = Index.load(index_dir)
    load_index = time.perf_counter() - t
    pipe = Pipeline(engine=engine, cache=False, pairs=pairs, **({} if settle is None else {"settle": settle}))
    t = time.perf_counter()
    pipe.verifier  # noqa: B018  model load, timed apart from the claims
    load_model = time.perf_counter() - t
    pipe.check_claims(claims[:8], index)  # warm-up
    t = time.perf_counter()
    report = pipe.check_claims(claims, index)
    seconds = time.perf_counter() - t
    f1 = {"rules": round(f1_score(gold, [v.label for v in report.verdicts], average="macro"), 4)}
    # the same score images through the learned aggregator (aggregation is ~1% of the time)
    learned = load_aggregator("learned")
    windows: dict[str, list] = {}
    for w in report.window_scores:
        windows.setdefault(w.claim_id, []).append(w)
    labels = [learned(c, windows.get(c.id, []), report.findings.get(c.id, [])).label for c in report.claims]
    f1["learned"] = round(f1_score(gold, labels, average="macro"), 4)
    return {"seconds": round(seconds, 2), "claims_per_second": round(len(claims) / seconds, 2),
            "pairs_per_claim": round(len(report.window_scores) / len(claims), 2),
            "stage_seconds": {k: round(v, 2) for k, v in report.timings.items()},
            "load_index_seconds": round(load_index, 2), "load_model_seconds": round(load_model, 2),
            "macro_f1": f1, "peak_rss_mb": round(_peak_rss_mb(), 1)}


def _scifact_retrieval() -> tuple[dict[str, Any], list[str], list[str], str]:
    from verify.bench.datasets import data_root, load_scifact
    from verify.bench.runner import corpus_index
    from verify.paths import bench_cache_dir

    dataset = load_scifact(data_root(None), "validation")
    t = time.perf_counter()
    index, digest, n_docs = corpus_index(dataset, bench_cache_dir())
    open_seconds = time.perf_counter() - t
    head = {"dataset": "scifact validation (retrieval over the whole corpus)", "claims": len(dataset.examples),
            "corpus_docs": n_docs, "index_passages": len(index), "top_k": 5,
            "index": {"build_seconds_recorded": index.manifest.get("build_seconds"),
                      "open_or_build_seconds_this_run": round(open_seconds, 2), "corpus_hash": digest[:16]}}
    return head, [ex.claim for ex in dataset.examples], [ex.label for ex in dataset.examples], str(index.path)


def _budget(pairs: int | None) -> str:
    return "every window" if pairs is None else f"{pairs} pairs"


def e2e_section() -> dict[str, Any]:
    from verify.settings import PAIRS, SETTLE

    out, claims, gold, index_dir = _scifact_retrieval()
    out["default_pairs"], out["default_settle"], out["engines"] = PAIRS, SETTLE, {}
    for engine, pairs in (("bf16", PAIRS), ("torch", PAIRS), ("onnx", PAIRS), ("bf16", None)):
        out["engines"][f"{engine}, {_budget(pairs)}"] = _in_child(_e2e, engine, pairs, claims, gold, index_dir)
    # without the early exit (half the budget first, the rest for claims the rule has not settled)
    out["engines"][f"bf16, {_budget(PAIRS)}, --settle off"] = _in_child(
        _e2e, "bf16", PAIRS, claims, gold, index_dir, "off")
    return out


def pairs_section(budgets: tuple[int | None, ...] = BUDGETS) -> dict[str, Any]:
    from verify.settings import SETTLE

    out, claims, gold, index_dir = _scifact_retrieval()
    out["engine"], out["default_settle"], out["budgets"] = "bf16", SETTLE, {}
    for pairs in budgets:
        out["budgets"][_budget(pairs)] = _in_child(_e2e, "bf16", pairs, claims, gold, index_dir)
    return out


# ---------------------------------------------------------------- memory section

def _rss_of(cmd: list[str]) -> tuple[int, float, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, time.perf_counter() - t


def memory_section() -> dict[str, Any]:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("torch", "onnx"):
            cmd = [sys.executable, "-m", "verify", "check", "claims/seed-summit/article.txt", "--corpus",
                   "claims/seed-summit/corpus", "--index", f"{tmp}/index", "--out", f"{tmp}/report.json",
                   "--engine", engine, "--no-cache", "--quiet"]
            rc, rss, seconds = _rss_of(cmd)
            out[engine] = {"exit_code": rc, "peak_rss_mb": round(rss, 1), "wall_seconds": round(seconds, 1)}
    return {"command": "verify check claims/seed-summit/article.txt --corpus claims/seed-summit/corpus --engine E --no-cache",
            "engines": out, "target_mb": 1536}


# ---------------------------------------------------------------- output

def environment() -> dict[str, Any]:
    from verify.bench.runner import package_versions

    load = os.getloadavg()
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in load], "versions": package_versions()}


def markdown(section: str, r: dict[str, Any]) -> str:
    env = r["environment"]
    head = [f"# perf — {section}", "", f"`python benchmarks/perf.py --sections {section}` on {env['cpus']} CPU cores "
            f"({env['machine']}), {env['date']}, load average at start {env['load_average_at_start']}.", ""]
    if section == "engine":
        d = r["result"]
        head += [f"{d['pairs']} held-out pairs ({', '.join(f'{n} {s}' for s, n in d['sets'].items())}, seed {d['seed']}), "
                 f"mean {d['mean_tokens']} tokens; {d['model_gflop_total']} GFLOP of matmuls in all. Matmul peak of this CPU: "
                 f"{d['matmul_peak']['fp32_gflops']} GFLOP/s fp32, {d['matmul_peak']['bf16_gflops']} bf16 "
                 f"({d['matmul_peak']['torch_threads']} threads).", "",
                 "| run | pairs/s | × naive best | GFLOP/s | share of fp32 peak | peak RSS MB | labels = torch fp32 |",
                 "|---|---|---|---|---|---|---|"]
        for name, x in d["runs"].items():
            head.append(f"| {name} | {x['pairs_per_second']} | {x['x_naive_best']} | {x['gflops']} | "
                        f"{x['share_of_fp32_peak']:.0%} | {x['peak_rss_mb']} | {x['label_agreement_with_torch_fp32']:.1%} |")
        head += ["", f"Naive best mode: {d['naive_best']}."]
    elif section in ("e2e", "pairs"):
        d = r["result"]
        head += [f"{d['dataset']}: {d['claims']} claims, {d['corpus_docs']} documents → {d['index_passages']} passages, "
                 f"top-{d['top_k']} passages, then the best windows by word overlap, shorter first (the pair budget). Index build time "
                 f"recorded in its manifest: {d['index']['build_seconds_recorded']} s (open/build in this run: "
                 f"{d['index']['open_or_build_seconds_this_run']} s). Score cache off. Macro-F1 of both aggregators on "
                 "the same score images. "
                 + (f"The early exit (`--settle`) at its default {d['default_settle']} unless a row says off."
                    if d.get("default_settle") is not None else ""), "",
                 "| run | claims/s | pairs/claim | seconds | retrieve s | score s | macro-F1 rules | macro-F1 learned | peak RSS MB |",
                 "|---|---|---|---|---|---|---|---|---|"]
        rows = d["engines"] if section == "e2e" else {f"bf16, {k}": v for k, v in d["budgets"].items()}
        for name, x in rows.items():
            st = x["stage_seconds"]
            head.append(f"| {name} | {x['claims_per_second']} | {x['pairs_per_claim']} | {x['seconds']} | {st.get('retrieve')} | "
                        f"{st.get('score')} | {x['macro_f1']['rules']} | {x['macro_f1']['learned']} | {x['peak_rss_mb']} |")
    elif section == "memory":
        d = r["result"]
        head += [f"`{d['command']}`", "", "| engine | exit | peak RSS MB | wall s |", "|---|---|---|---|"]
        for name, x in d["engines"].items():
            head.append(f"| {name} | {x['exit_code']} | {x['peak_rss_mb']} | {x['wall_seconds']} |")
        head += ["", f"Target: ≤ {d['target_mb']} MB."]
    return "\n".join(head) + "\n"


def write(section: str, result: dict[str, Any], env: dict[str, Any], note: str) -> list[Path]:
    from verify.io import atomic_write

    record = {"schema": "verify-perf/1", "section": section, "environment": env, "note": note, "result": result}
    RESULTS.mkdir(parents=True, exist_ok=True)
    paths = [RESULTS / f"perf-{section}.json", RESULTS / f"perf-{section}.md"]
    atomic_write(paths[0], json.dumps(record, indent=1) + "\n")
    atomic_write(paths[1], markdown(section, record) + (f"\nNote: {note}\n" if note else ""))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", nargs="+", default=["engine", "e2e", "pairs", "memory"], choices=SECTIONS)
    parser.add_argument("--note", default="", help="conditions worth recording (e.g. another process on the CPU)")
    parser.add_argument("--index-sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--budgets", nargs="+", default=[str(b or "all") for b in BUDGETS],
                        help="pair budgets of the pairs section (numbers or 'all')")
    args = parser.parse_args(argv)
    from verify.errors import VerifyError

    budgets = tuple(None if b == "all" else int(b) for b in args.budgets)
    runners = {"engine": engine_section, "e2e": e2e_section, "pairs": lambda: pairs_section(budgets),
               "memory": memory_section}
    try:
        if set(args.sections) & {"engine", "e2e", "memory"}:
            print(f"onnx export ready: {_in_child(_prepare_onnx)}")
        for section in args.sections:
            if section == "index":
                import perf_index

                perf_index.main(["--sizes", *map(str, args.index_sizes)])
                continue
            env = environment()
            result = runners[section]()
            for p in write(section, result, env, args.note):
                print(f"wrote {p}")
    except VerifyError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
