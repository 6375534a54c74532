"""Train several configs side by side on one GPU and keep the best one by dev macro accuracy.

Made for the GPU machine that is sometimes lent to this project (15 minutes a session, files back
at most 16 MiB each): each config trains in its own process (a 22.7M-parameter model leaves the GPU
mostly idle, so runs in parallel cost little), every run has a deadline, and the best run that
finished is exported fp16 and packed as a tar in parts of 15 MiB. Works on any CUDA machine:

  python3 benchmarks/train/device_sweep.py benchmarks/train/minilm-nli-gpu-*.yaml --out OUT \
      [--base DIR] [--deadline SECONDS]

Unpack with `cat OUT/model.tar.part* | tar -x -C runs/`. OUT/summary.json holds every run's dev
history and wall time, OUT/logs.txt their logs.

How the shipped model was trained on the lent H200 (its image has torch and transformers but neither
pydantic nor `datasets`, and only 64 MiB travel there). Carried in an ignored folder `.gpu/`: the
pydantic wheels for CPython 3.12, an fp16 copy of the base, and the 13 training sets of the mix as
`nli-train.tar.xz`. `benchmarks/train/device/datasets.py` stands in for `datasets` there (local JSON
lines only; `load_mix` gives identical pairs with it, checked here). Command run there:

  pip install -q --no-index --no-deps --target /tmp/site .gpu/whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD/benchmarks/train/device:$PWD
  mkdir -p ../shared/data/nli && tar -xJf .gpu/nli-train.tar.xz -C ../shared/data/nli
  python3 benchmarks/train/device_sweep.py benchmarks/train/minilm-nli-gpu-*.yaml --out $OUT --base .gpu/base --deadline 430
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import yaml

PART_BYTES = 15 * 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("configs", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", help="Read the base model from this folder instead of the config's base_model.")
    ap.add_argument("--deadline", type=float, default=420.0, help="Seconds after which unfinished runs are stopped.")
    args = ap.parse_args()
    work = Path("runs/device-sweep")
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    runs = {}
    for path in args.configs:
        cfg = yaml.safe_load(path.read_text())
        if args.base:
            cfg["notes"] = (cfg.get("notes", "") + f" Base read from {args.base} (config: {cfg['base_model']}).").strip()
            cfg["base_model"] = args.base
        run_cfg = work / path.name
        run_cfg.write_text(yaml.safe_dump(cfg, sort_keys=False))
        log = open(work / f"{cfg['name']}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "verify", "train", "--config", str(run_cfg)],
                                stdout=log, stderr=subprocess.STDOUT)
        runs[cfg["name"]] = {"proc": proc, "log": log, "dir": Path(cfg["output_dir"]), "config": str(path)}

    t0 = time.time()
    while any(r["proc"].poll() is None for r in runs.values()):
        if time.time() - t0 > args.deadline:
            for r in runs.values():
                if r["proc"].poll() is None:
                    r["proc"].kill()
            break
        time.sleep(2)

    summary = {}
    for name, r in runs.items():
        r["proc"].wait()
        r["log"].close()
        done = r["dir"] / "train_summary.json"
        hist = r["dir"] / "history.json"
        summary[name] = {
            "config": r["config"], "finished": done.exists(), "returncode": r["proc"].returncode,
            "summary": json.loads(done.read_text()) if done.exists() else None,
            "dev_history": json.loads(hist.read_text()) if hist.exists() else [],
        }
    scored = [(max((h["_macro"] for h in s["dev_history"]), default=-1), s["finished"], n) for n, s in summary.items()]
    finished = [x for x in scored if x[1]] or scored  # a finished run beats an unfinished one
    best_dev, _, best = max(finished)
    summary["_chosen"] = {"name": best, "best_dev_macro": best_dev, "seconds": round(time.time() - t0)}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))
    with open(args.out / "logs.txt", "w") as out:
        for name in runs:
            out.write(f"===== {name}\n" + (work / f"{name}.log").read_text()[-20000:])
    if best_dev < 0:
        print("no run reached a dev evaluation", file=sys.stderr)
        return 1

    from verify.nli.train import export_fp16

    export = export_fp16(runs[best]["dir"] / "best", work / "export" / best)
    tar_path = work / "model.tar"
    with tarfile.open(tar_path, "w") as tar:
        tar.add(export, arcname=best)
    data = tar_path.read_bytes()
    for i in range(0, len(data), PART_BYTES):
        (args.out / f"model.tar.part{i // PART_BYTES:02d}").write_bytes(data[i : i + PART_BYTES])
    print(json.dumps(summary["_chosen"]))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
