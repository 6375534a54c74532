"""Scaling run of `verify run`: the same claims through the in-process local engine and through 1
and 2 local Ray scoring workers; claims/s end to end. Writes
benchmarks/results/scaling-ray.json and .md (atomically).

    python benchmarks/scaling.py [--claims 240] [--top-k 3] [--partition-rows 20]

Corpus: claims/seed-summit/corpus split into one passage per sentence (so each pair is one NLI
window); claims: the curated set, the article's claims, every corpus sentence and altered copies.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "claims" / "seed-summit"
RESULTS = REPO / "benchmarks" / "results"
RAY_CPUS = 2  # logical CPUs of the local Ray instance: the machine's core count
LIGHT = 0.5  # logical CPUs left to read/extract, retrieve and write


def build_inputs(root: Path, n: int) -> tuple[Path, Path]:
    from verify.extract import extract_claims, load_document, split_sentences

    docs = []
    for f in sorted((SEED / "corpus").glob("*.md")):
        for i, s in enumerate(split_sentences(f.read_text(encoding="utf-8"))):
            if len(s.text.split()) > 4 and not s.text.startswith("#"):
                docs.append({"id": f"{f.stem}-{i}", "title": f.stem, "text": s.text})
    sentences = [d["text"] for d in docs]
    texts = [c["text"] for c in yaml.safe_load((SEED / "claims.yaml").read_text())["claims"]]
    texts += [c.text for c in extract_claims(load_document(SEED / "article.txt"))]
    texts += sentences + [s.replace("Lee", "Moon").replace("14", "41") for s in sentences]
    texts += [f"Reports deny that {s[0].lower()}{s[1:]}" for s in sentences]
    if len(texts) < n:
        raise SystemExit(f"only {len(texts)} claims available, asked for {n}")
    corpus, claims = root / "corpus.jsonl", root / "claims.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    claims.write_text("".join(json.dumps({"id": f"q{i}", "claim": t, "date": "2026-01-03"}) + "\n"
                              for i, t in enumerate(texts[:n])), encoding="utf-8")
    return corpus, claims


def timed_run(claims: Path, out: Path, corpus: Path, settings, **kwargs) -> dict:
    """One run; also the time to the first finished partition (actor start-up and model loads)."""
    from verify.distributed import run

    t0 = time.perf_counter()
    stamps: list[float] = []
    result = run(claims, out, corpus=corpus, settings=settings, progress=lambda done, total: stamps.append(time.perf_counter()),
                 **kwargs)
    return {"engine": result.engine, "workers": result.workers, "claims": result.claims, "seconds": result.seconds,
            "claims_per_s": round(result.claims / result.seconds, 3), "first_partition_s": round(stamps[0] - t0, 2),
            **{k: v for k, v in kwargs.items() if k != "engine"}}


def labels(folder: Path) -> list[tuple[int, str]]:
    return sorted((x["row"], x["label"]) for f in folder.glob("part-*.jsonl") for x in map(json.loads, f.open()))


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_1m_at_start": round(os.getloadavg()[0], 2),
            "python": platform.python_version(), "platform": platform.platform()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=240)
    ap.add_argument("--top-k", type=int, default=3)
    ap.add_argument("--partition-rows", type=int, default=20)
    ap.add_argument("--note", default="", help="conditions to record (e.g. another job sharing the cores)")
    args = ap.parse_args()

    import ray
    import torch

    from verify.corpus import open_index
    from verify.distributed import Settings
    from verify.distributed.stages import Score
    from verify.io import atomic_write

    info = machine()
    settings = Settings(top_k=args.top_k, partition_rows=args.partition_rows)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus, claims = build_inputs(root, args.claims)
        index = open_index(corpus)
        index_bytes = sum(f.stat().st_size for f in Path(index.path).rglob("*") if f.is_file())
        t = time.perf_counter()
        Score(settings)  # the first model load in this process
        load_s = time.perf_counter() - t

        runs = [timed_run(claims, root / "local", corpus, settings, engine="local")]
        runs[0]["torch_threads"] = torch.get_num_threads()
        ray.init(num_cpus=RAY_CPUS, include_dashboard=False)
        try:
            for workers in (1, 2):
                # One torch thread per scorer; the light stages keep LIGHT logical CPUs.
                cpus = min(1.0, (RAY_CPUS - LIGHT) / workers)
                runs.append(timed_run(claims, root / f"ray-{workers}", corpus, settings, engine="ray",
                                      workers=workers, cpus_per_worker=cpus))
                runs[-1]["torch_threads"] = 1
                runs[-1]["same_labels_as_local"] = labels(root / f"ray-{workers}") == labels(root / "local")
        finally:
            ray.shutdown()
        info["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)

    one, two = runs[1], runs[2]
    result = {
        "schema": "verify-scaling/1", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": info, "conditions": args.note,
        "versions": {"ray": ray.__version__, "torch": torch.__version__},
        "workload": {"claims": args.claims, "top_k": args.top_k, "partition_rows": args.partition_rows,
                     "corpus": "claims/seed-summit/corpus, one passage per sentence", "index_passages": len(index),
                     "index_bytes": index_bytes, "index_bytes_per_passage": round(index_bytes / len(index)),
                     "model": "minilm-nli (embedded)", "model_load_seconds": round(load_s, 2)},
        "runs": runs,
        "speedup_2_vs_1_workers": round(two["claims_per_s"] / one["claims_per_s"], 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write(RESULTS / "scaling-ray.json", json.dumps(result, indent=2) + "\n")
    atomic_write(RESULTS / "scaling-ray.md", render(result))
    print(render(result))


def render(r: dict) -> str:
    m, w = r["machine"], r["workload"]
    lines = [
        "# Scaling: `verify run`, local engine vs 1 and 2 local Ray workers",
        "",
        f"Generated by `python benchmarks/scaling.py` on {r['date']}. Machine: {m['cpu']}, {m['cores']} cores, "
        f"load average {m['load_average_1m_at_start']} at start / {m['load_average_1m_at_end']} at end. "
        f"Conditions: {r['conditions'] or 'not stated'}.",
        "",
        f"Workload: {w['claims']} claims, top_k {w['top_k']}, {w['partition_rows']} rows per partition, "
        f"{w['index_passages']} passages ({w['index_bytes_per_passage']} bytes each on disk), {w['model']}, "
        f"model load {w['model_load_seconds']} s.",
        "",
        "| engine | scoring workers | CPUs per worker | torch threads | seconds | claims/s | first partition after (s) | same labels as local |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for x in r["runs"]:
        lines.append(f"| {x['engine']} | {x['workers']} | {x.get('cpus_per_worker', '-')} | {x['torch_threads']} | "
                     f"{x['seconds']} | {x['claims_per_s']} | {x['first_partition_s']} | {x.get('same_labels_as_local', '-')} |")
    lines += ["", f"2 vs 1 Ray workers: {r['speedup_2_vs_1_workers']}x claims/s end to end. Seconds include actor "
                  "start-up and model loads, not `ray.init`.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
