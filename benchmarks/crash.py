"""Crash consistency: kill -9 `verify index`, `verify check` and `verify run` at random points, then
check that the next run succeeds and gives the same result as a clean run (issue 20).

    python benchmarks/crash.py --out benchmarks/results     # the committed run: seed 20, 4 kills per command

For each command a clean run gives the reference; then, N times, the command is started and its
whole process group gets SIGKILL at a random point inside the phase that writes state (timing
alone is useless on a loaded machine: start-up dominates). The script polls for the moment that
phase begins, waits a random 0-JITTER s more, and kills; then the same command is run again to
completion:

* index: killed once its staging folder appears (the index files are being written), while it
  rebuilds (`--rebuild`) over an existing index; the next plain `verify index` must exit 0 with the
  clean run's passages and corpus hash.
* check: killed once its score cache (SQLite, a fresh one per trial) starts growing, i.e. during the
  cache write or the report write right after it; the next run, on the same cache, must exit 0 with
  the clean run's verdict labels.
* run: killed once a random number of its partition files exist (one claim per partition); the next
  run resumes the same --out folder and must exit 0, the partitions together equal to the clean run's.

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
ARTICLE_CHARS = 900
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


def kill_when(argv: list[str], env: dict, trigger, jitter: float, rng: random.Random, poll: float = 0.02) -> str:
    """Start `argv`; once `trigger()` holds, wait 0-`jitter` s and SIGKILL its process group."""
    proc = start(argv, env)
    while proc.poll() is None and not trigger():
        time.sleep(poll)
    if proc.poll() is None:
        time.sleep(rng.uniform(0, jitter))
    if proc.poll() is not None:
        proc.wait()
        return f"finished before the kill (exit {proc.returncode})"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return "killed"


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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


def leftovers(folder: Path) -> list[str]:
    """Temp files and staging folders a killed run left (harmless: never read as results)."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.endswith(".tmp"))


# ---------------------------------------------------------------- trials


def report(args, trials: list[dict], durations: dict, load, started: float, final: bool) -> list[dict]:
    failures = [t for t in trials if not t["ok"]]
    planned = 3 * args.kills
    result = {
        "command": f"python benchmarks/crash.py --kills {args.kills} --seed {args.seed} --jitter {args.jitter}",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU cores ({platform.machine()}), load average at start {[round(x, 2) for x in load]}",
        "kills_per_command": args.kills, "trials": len(trials), "trials_planned": planned, "complete": final,
        "failures": len(failures),
        "killed": sum(t["outcome"].startswith("killed") for t in trials),
        "clean_seconds": durations, "wall_seconds": round(time.monotonic() - started, 1), "detail": trials,
    }
    lines = ["# crash — kill -9 at random points, then rerun", "",
             f"`{result['command']}` on {result['machine']}, {result['date']}; {result['wall_seconds']} s wall.", "",
             f"{args.kills} trials per command, each killed (SIGKILL to the process group) 0-{args.jitter} s (index: 0-{args.jitter / 100} s, polled every 0.5 ms) after its "
             "write phase began (index: staging folder present; check: score cache growing; run: a random number "
             f"of partitions written); {result['killed']} of {len(trials)} runs were killed (the others finished "
             "first). Then the same command ran to completion and was compared with a clean run (index: passages + "
             "corpus hash; check: verdict labels on the same score cache; run: every partition's verdict lines "
             f"after resuming). Clean run times: {', '.join(f'{k} {v} s' for k, v in durations.items())}.", "",
             "| command | trial | outcome | next run matches clean | leftovers at the kill |", "|---|---:|---|---|---|",
            ]
    for i, t in enumerate(trials):
        lines.append(f"| {t['command']} | {i} | {t['outcome']} | {'yes' if t['ok'] else 'NO: ' + t['problem']} | "
                     f"{', '.join(t['leftovers']) or '—'} |")
    lines += ["", f"**Failures: {len(failures)} of {len(trials)}**"
              + ("" if final else f" (interim: {len(trials)} of {planned} planned trials done)"), ""]
    text = "\n".join(lines) + "\n"
    if final:
        print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "crash.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        (args.out / "crash.md").write_text(text, encoding="utf-8")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=4, help="kill -9 trials per command")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--jitter", type=float, default=0.5, help="random extra delay (s) after the write phase begins")
    parser.add_argument("--out", type=Path, default=None, help="write crash.json/.md here (default: print only)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="verify-crash-"))
    base_env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false", "VERIFY_CACHE_DIR": str(root / "cache-clean")}
    base_env.pop("VERIFY_DEBUG", None)
    corpus = root / "corpus"
    shutil.copytree(SEED / "corpus", corpus, ignore=shutil.ignore_patterns(".*"))
    article = root / "article.txt"  # the seed article's head: a few claims keep each check short
    head = (SEED / "article.txt").read_text(encoding="utf-8")[:ARTICLE_CHARS]
    article.write_text(head[: head.rfind(".") + 1] + "\n", encoding="utf-8")
    rows = root / "rows.jsonl"
    rows.write_text("".join(json.dumps({"id": f"q{i}", "claim": c, "date": "2026-01-03"}) + "\n"
                            for i, c in enumerate(CLAIMS)), encoding="utf-8")
    load = os.getloadavg()
    started = time.monotonic()
    trials: list[dict] = []
    durations: dict[str, float] = {}

    def record(command: str, outcome: str, ok: bool, why: str, extra: list[str]) -> None:
        trials.append({"command": command, "outcome": outcome, "ok": ok, "problem": why, "leftovers": extra})
        print(f"{command}: {outcome} -> {'ok' if ok else 'FAIL ' + why}", file=sys.stderr)
        report(args, trials, durations, load, started, final=False)  # what is done survives an interruption

    # clean runs: the references --------------------------------------------------------------------
    clean_index = root / "index-clean"
    code, err, seconds = finish(verify_cmd("index", corpus, "--index", clean_index), base_env)
    assert code == 0, err
    reference_index = index_result(clean_index)
    durations["index"] = round(seconds, 1)
    clean_report = root / "clean.json"
    check_argv = lambda out: verify_cmd("check", article, "--corpus", corpus, "--index", clean_index, "-q", "--out", out)  # noqa: E731
    code, err, seconds = finish(check_argv(clean_report), {**base_env, "VERIFY_CACHE_DIR": str(root / "cache-check-clean")})
    assert code == 0, err
    reference_check = check_result(clean_report)
    durations["check"] = round(seconds, 1)
    clean_run = root / "run-clean"
    run_args = ["--corpus", corpus, "--index", clean_index, "--partition-rows", "1", "-q"]
    code, err, seconds = finish(verify_cmd("run", rows, "--out", clean_run, *run_args), base_env)
    assert code == 0, err
    reference_run = run_result(clean_run)
    durations["run"] = round(seconds, 1)

    target = root / "index-trial"
    assert finish(verify_cmd("index", corpus, "--index", target), base_env)[0] == 0
    staging = lambda: any(p.name.startswith(".index-trial.") for p in root.iterdir())  # noqa: E731
    for n in range(args.kills):  # one trial of each command per round, so an interrupted run has some of each
        # index: killed while writing its staging folder, rebuilding over an existing index
        outcome = kill_when(verify_cmd("index", corpus, "--index", target, "--rebuild"), base_env, staging,
                            args.jitter / 100, rng, poll=0.0005)  # a small index is written in milliseconds
        stale = [p.name for p in root.iterdir() if p.name.startswith(".index-trial.")]
        code, err, _ = finish(verify_cmd("index", corpus, "--index", target), base_env)
        ok = code == 0 and index_result(target) == reference_index
        record("index", outcome, ok, "" if ok else f"exit {code}: {err.strip()[-300:]}", stale)
        for name in stale:  # a killed build's staging folder: never read as an index; cleared for the next trial
            shutil.rmtree(root / name, ignore_errors=True)

        # check: killed while its (fresh) score cache grows; the rerun uses the same cache
        cache = root / f"cache-check-{n}"
        env = {**base_env, "VERIFY_CACHE_DIR": str(cache)}
        first: dict[str, int] = {}

        def cache_growing() -> bool:  # past its creation (empty table), the file grows only by score writes
            now = size(cache / "scores.sqlite-wal") + size(cache / "scores.sqlite")
            if now == 0:
                return False
            first.setdefault("size", now)
            return now > first["size"]

        report_path = root / f"check-{n}.json"
        outcome = kill_when(check_argv(report_path), env, cache_growing, args.jitter, rng)
        left = leftovers(root)
        code, err, _ = finish(check_argv(report_path), env)
        ok = code == 0 and check_result(report_path) == reference_check
        record("check", outcome, ok, "" if ok else f"exit {code}: {err.strip()[-300:]}", left)

        # run: killed once a random number of partitions exist; the rerun resumes
        out = root / f"run-{n}"
        wanted = rng.randint(1, len(CLAIMS) - 1)
        outcome = kill_when(verify_cmd("run", rows, "--out", out, *run_args), base_env,
                            lambda: len(list(out.glob("part-*.jsonl"))) >= wanted, args.jitter, rng)
        parts_at_kill = len(list(out.glob("part-*.jsonl"))) if out.exists() else 0
        left = leftovers(out)
        code, err, _ = finish(verify_cmd("run", rows, "--out", out, *run_args), base_env)
        ok = code == 0 and run_result(out) == reference_run
        record("run", f"{outcome} ({parts_at_kill}/{len(CLAIMS)} partitions there)", ok,
               "" if ok else f"exit {code}: {err.strip()[-300:]}", left)

    failures = report(args, trials, durations, load, started, final=True)
    shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
