"""Crash consistency: kill -9 `verify index`, `verify check` and `verify run` at random points, then
check that the next run succeeds and gives the same result as a clean run (issue 20).

    python benchmarks/crash.py --out benchmarks/results     # the committed run: seed 20, 4 kills per command

For each command a clean run is timed first (its result is the reference); then, N times, the
command is started and its whole process group is sent SIGKILL after a random delay drawn
uniformly from [0.3, 1.05] x the clean duration (so some kills land in start-up, some in the
writes at the end, a few after a normal finish), and the same command is run again to completion:

* index: the killed run rebuilds (`--rebuild`) into an index folder that already holds an index;
  the next plain `verify index` must exit 0 with the clean run's passages and corpus hash.
* check: the score cache (SQLite) is shared across the killed and the next run; the next run must
  exit 0 with the clean run's verdict labels.
* run: the next run resumes the same --out folder (partition files written by rename); it must
  exit 0 and the partitions together must equal the clean run's verdict lines.

Leftover staging folders or temp files are counted (they must never be mistaken for results).
Results: benchmarks/results/crash.{json,md}.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "claims" / "seed-summit"
CLAIMS = [
    "Xi Jinping and Lee Jae-myung held their second summit in two months.",
    "China and South Korea signed 14 memorandums of understanding.",
    "China and South Korea signed 40 memorandums of understanding.",
    "Lee Jae-myung took office in mid-2025.",
    "Lee Jae-myung took office in 2023.",
    "The APEC summit was held in Gyeongju.",
    "Beijing had a cold snap in January 2026.",
    "Wi Sung-lac is South Korea's national security adviser.",
    "Shanghai has a provisional government.",
    "A chipmaker reported record earnings.",
]


def verify_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "verify", *map(str, args)]


def start(argv: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(argv: list[str], env: dict) -> tuple[int, str, float]:
    t = time.monotonic()
    proc = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=1800)
    return proc.returncode, proc.stderr, time.monotonic() - t


def kill_after(argv: list[str], env: dict, delay: float) -> str:
    """Start `argv`, SIGKILL its process group after `delay` s; 'killed' or 'finished' (exit code)."""
    proc = start(argv, env)
    try:
        proc.wait(timeout=delay)
        return f"finished before the kill (exit {proc.returncode})"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "killed"


# ---------------------------------------------------------------- what a result is


def index_result(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    passages = (folder / "passages.jsonl").read_text(encoding="utf-8")
    return {"corpus_hash": manifest["corpus_hash"], "passages": manifest["passages"], "text": passages}


def check_result(report: Path) -> list:
    data = json.loads(report.read_text(encoding="utf-8"))
    return [(v["claim_id"], v["label"]) for v in data["verdicts"]]


def run_result(out: Path) -> list:
    lines = []
    for part in sorted(out.glob("part-*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            lines.append((row.get("row"), row.get("claim_id"), row.get("label")))
    return sorted(lines, key=str)


def leftovers(*folders: Path) -> list[str]:
    found = []
    for folder in folders:
        if folder.exists():
            found += [str(p.relative_to(folder.parent)) for p in folder.rglob("*") if p.name.endswith(".tmp")
                      or ".tmp" in p.name and p.is_dir()]
    return found


# ---------------------------------------------------------------- trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=4, help="kill -9 trials per command")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None, help="write crash.json/.md here (default: print only)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="verify-crash-"))
    base_env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false", "VERIFY_CACHE_DIR": str(root / "cache-clean")}
    base_env.pop("VERIFY_DEBUG", None)
    corpus = root / "corpus"
    shutil.copytree(SEED / "corpus", corpus, ignore=shutil.ignore_patterns(".*"))
    article = root / "article.txt"
    shutil.copy(SEED / "article.txt", article)
    rows = root / "rows.jsonl"
    rows.write_text("".join(json.dumps({"id": f"q{i}", "claim": c, "date": "2026-01-03"}) + "\n"
                            for i, c in enumerate(CLAIMS)), encoding="utf-8")
    load = os.getloadavg()
    started = time.monotonic()
    trials: list[dict] = []

    def record(command: str, outcome: str, ok: bool, why: str, delay: float, extra: list[str]) -> None:
        trials.append({"command": command, "kill_after_s": round(delay, 1), "outcome": outcome, "ok": ok,
                       "problem": why, "leftovers": extra})
        print(f"{command}: {outcome} at {delay:.1f}s -> {'ok' if ok else 'FAIL ' + why}", file=sys.stderr)

    # index ------------------------------------------------------------------------------------------
    clean_index = root / "index-clean"
    code, err, seconds = finish(verify_cmd("index", corpus, "--index", clean_index), base_env)
    assert code == 0, err
    reference_index = index_result(clean_index)
    durations = {"index": round(seconds, 1)}
    target = root / "index-trial"
    assert finish(verify_cmd("index", corpus, "--index", target), base_env)[0] == 0
    for _ in range(args.kills):
        delay = rng.uniform(0.3, 1.05) * seconds
        outcome = kill_after(verify_cmd("index", corpus, "--index", target, "--rebuild"), base_env, delay)
        code, err, _ = finish(verify_cmd("index", corpus, "--index", target), base_env)
        ok = code == 0 and index_result(target) == reference_index
        record("index", outcome, ok, "" if ok else f"exit {code}: {err.strip()[-300:]}", delay, leftovers(root / "index-trial"))

    # check (score cache writes) ---------------------------------------------------------------------
    env = {**base_env, "VERIFY_CACHE_DIR": str(root / "cache-check-clean")}
    clean_report = root / "clean.json"
    code, err, seconds = finish(verify_cmd("check", article, "--corpus", corpus, "--index", clean_index, "-q",
                                           "--out", clean_report), env)
    assert code == 0, err
    reference_check = check_result(clean_report)
    durations["check"] = round(seconds, 1)
    env = {**base_env, "VERIFY_CACHE_DIR": str(root / "cache-check-trials")}
    for n in range(args.kills):
        delay = rng.uniform(0.3, 1.05) * seconds
        report = root / f"check-{n}.json"
        outcome = kill_after(verify_cmd("check", article, "--corpus", corpus, "--index", clean_index, "-q",
                                        "--out", report), env, delay)
        code, err, _ = finish(verify_cmd("check", article, "--corpus", corpus, "--index", clean_index, "-q",
                                         "--out", report), env)
        ok = code == 0 and check_result(report) == reference_check
        record("check", outcome, ok, "" if ok else f"exit {code}: {err.strip()[-300:]}", delay,
               leftovers(root / "cache-check-trials"))

    # run (partition writes) -------------------------------------------------------------------------
    clean_run = root / "run-clean"
    run_args = ["--corpus", corpus, "--index", clean_index, "--partition-rows", "1", "-q"]
    code, err, seconds = finish(verify_cmd("run", rows, "--out", clean_run, *run_args), base_env)
    assert code == 0, err
    reference_run = run_result(clean_run)
    durations["run"] = round(seconds, 1)
    for n in range(args.kills):
        delay = rng.uniform(0.3, 1.05) * seconds
        out = root / f"run-{n}"
        outcome = kill_after(verify_cmd("run", rows, "--out", out, *run_args), base_env, delay)
        parts_at_kill = len(list(out.glob("part-*"))) if out.exists() else 0
        code, err, _ = finish(verify_cmd("run", rows, "--out", out, *run_args), base_env)
        ok = code == 0 and run_result(out) == reference_run
        record("run", f"{outcome} ({parts_at_kill}/{len(CLAIMS)} partitions there)", ok,
               "" if ok else f"exit {code}: {err.strip()[-300:]}", delay, leftovers(out))

    failures = [t for t in trials if not t["ok"]]
    result = {
        "command": f"python benchmarks/crash.py --kills {args.kills} --seed {args.seed}",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU cores ({platform.machine()}), load average at start {[round(x, 2) for x in load]}",
        "kills_per_command": args.kills, "trials": len(trials), "failures": len(failures),
        "killed": sum(t["outcome"].startswith("killed") for t in trials),
        "clean_seconds": durations, "wall_seconds": round(time.monotonic() - started, 1), "detail": trials,
    }
    lines = ["# crash — kill -9 at random points, then rerun", "",
             f"`{result['command']}` on {result['machine']}, {result['date']}; {result['wall_seconds']} s wall.", "",
             f"{args.kills} trials per command; kill delay uniform in [0.3, 1.05] x the clean run's time "
             f"({', '.join(f'{k} {v} s' for k, v in durations.items())}); {result['killed']} of {len(trials)} runs were "
             "killed (the others finished first). After each, the same command ran to completion and was compared "
             "with the clean run (index: passages + corpus hash; check: verdict labels, shared score cache; "
             "run: every partition's verdict lines after resuming).", "",
             "| command | trial | kill after s | outcome | next run matches clean | leftovers |", "|---|---:|---:|---|---|---|"]
    for i, t in enumerate(trials):
        lines.append(f"| {t['command']} | {i} | {t['kill_after_s']} | {t['outcome']} | "
                     f"{'yes' if t['ok'] else 'NO: ' + t['problem']} | {len(t['leftovers'])} |")
    lines += ["", f"**Failures: {len(failures)} of {len(trials)}**", ""]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "crash.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        (args.out / "crash.md").write_text(text, encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
