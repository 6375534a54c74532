"""Load test of `verify serve`: N concurrent clients on loopback, bounded in count and time.

    python benchmarks/serve_load.py                      # 8 clients, 60 s per mode, both modes
    python benchmarks/serve_load.py --clients 4 --duration 10 --modes batched

For each mode the script starts its own `verify serve` process on a free 127.0.0.1 port (never any
other address), waits for /healthz, then runs the clients until `--duration` seconds have passed or
`--requests` requests were sent, whichever comes first, and stops the server. Modes:

- `batched`: score requests waiting together are verified in one pipeline call (`--batch-claims 64`).
- `serial`: one request per pipeline call (`--batch-claims 1`): a single worker thread, as with a lock.

The traffic is the guardrail use: each client sends POST /v1/score (one answer of two claims from
claims/seed-summit/claims.yaml against two passages of the seed corpus), and every `--check-every`th
request is POST /v1/check of a three-sentence article against the seed corpus. The server runs with
`--no-cache`, so every pair is really scored. Recorded per mode: throughput (requests/s and claims/s),
p50/p95/max latency by endpoint, errors (any non-200 answer or transport failure), lost requests
(sent but never answered), the server's peak RSS (VmHWM) and the mean requests per pipeline call.

Writes benchmarks/results/serve.json and serve.md (atomically). Exit codes: 0 done with no error
and no lost request, 1 errors or lost requests, 2 bad arguments (one line on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from verify.errors import InputError  # noqa: E402
from verify.io import atomic_write  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CORPUS = ROOT / "claims" / "seed-summit" / "corpus"
CLAIMS = ROOT / "claims" / "seed-summit" / "claims.yaml"
MODES = {"batched": 64, "serial": 1}
CONTEXT_CHARS = 600
SEED = 11
ARTICLE = ("President Lee Jae-myung took office in mid-2025. Xi Jinping hosted Lee Jae-myung in Beijing on 4 January 2026. "
           "The two leaders first met at the APEC summit in Gyeongju.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request_pool(size: int = 64) -> list[dict]:
    """Seeded score bodies: two claims of the seed claim set against two passages of the seed corpus."""
    rng = random.Random(SEED)
    claims = [c["text"] for c in yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))["claims"]]
    passages = [p.read_text(encoding="utf-8")[:CONTEXT_CHARS] for p in sorted(CORPUS.glob("*.md"))]
    return [{"items": [{"claims": rng.sample(claims, 2), "contexts": rng.sample(passages, 2)}]} for _ in range(size)]


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _busy_s() -> float:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def start_server(batch_claims: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "verify", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-cache",
           "--corpus", f"seed={CORPUS}", "--batch-claims", str(batch_claims)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VERIFY_TOKEN": ""}
    with open(log, "w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"verify serve did not start: {log.read_text()[-1000:]}")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(pick(0.95) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


def run_mode(mode: str, clients: int, duration: float, max_requests: int, check_every: int, log: Path) -> dict[str, Any]:
    proc, url = start_server(MODES[mode], log)
    pool = request_pool()
    lock = threading.Lock()
    sent = [0]
    answers: list[tuple[str, int, float]] = []  # endpoint, status (0 = transport error), seconds
    errors: list[str] = []
    stop_at = time.monotonic() + duration

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=300) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= max_requests:
                        return
                    sent[0] += 1
                    n = sent[0]
                check = check_every > 0 and n % check_every == 0
                path, body = ("/v1/check", {"text": ARTICLE, "corpus": "seed"}) if check else ("/v1/score", pool[n % len(pool)])
                start = time.perf_counter()
                try:
                    status = http.post(path, json=body).status_code
                except httpx.TransportError as e:
                    status = 0
                    with lock:
                        errors.append(f"{path}: {type(e).__name__}")
                took = time.perf_counter() - start
                with lock:
                    answers.append((path, status, took))
                    if status not in (0, 200):
                        errors.append(f"{path}: HTTP {status}")

    busy0, server_cpu0, wall0 = _busy_s(), _cpu_s(proc.pid), time.monotonic()
    ours0 = time.process_time()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - wall0
    others = max(0.0, (_busy_s() - busy0) - (_cpu_s(proc.pid) - server_cpu0) - (time.process_time() - ours0))
    metrics = httpx.get(url + "/metrics", timeout=30).text
    peak_rss_mb = _rss_kb(proc.pid, "VmHWM") / 1024
    proc.terminate()
    proc.wait(timeout=60)

    def metric(name: str) -> float:
        return sum(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(name))

    ok = [a for a in answers if a[1] == 200]
    scores = [a[2] for a in ok if a[0] == "/v1/score"]
    checks = [a[2] for a in ok if a[0] == "/v1/check"]
    return {
        "mode": mode, "batch_claims": MODES[mode], "clients": clients, "seconds": round(wall, 1),
        "sent": sent[0], "answered": len(answers), "lost": sent[0] - len(answers), "errors": len(errors),
        "error_samples": errors[:5],
        "requests_per_s": round(len(ok) / wall, 2), "score_claims_per_s": round(2 * len(scores) / wall, 2),
        "latency": {"all": percentiles([a[2] for a in ok]), "score": percentiles(scores), "check": percentiles(checks)},
        "server_peak_rss_mb": round(peak_rss_mb), "pairs_scored": int(metric("verify_pairs_scored_total")),
        "requests_per_pipeline_call": round(metric('verify_batch_requests_sum{kind="score"}')
                                            / max(metric('verify_batch_requests_count{kind="score"}'), 1), 2),
        "other_processes_cpu_share": round(others / (wall * (os.cpu_count() or 1)), 2),
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# `verify serve` under load",
        "",
        f"Generated by `{results['command']}` on {results['date']}, {results['cpus']} CPUs, {results['platform']}. "
        f"{results['clients']} concurrent clients on loopback for {results['duration_s']:g} s per mode (or "
        f"{results['max_requests']:,} requests); POST /v1/score (2 claims × 2 contexts) with every "
        f"{results['check_every']}th request a POST /v1/check of a 3-sentence article; server with `--no-cache`.",
        "",
        "| mode | requests/s | score claims/s | score p50 ms | score p95 ms | check p50 ms | check p95 ms | all p95 ms "
        "| requests per pipeline call | sent | errors | lost | server peak RSS MB | other processes' CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["modes"]:
        lat = r["latency"]
        lines.append(
            f"| {r['mode']} (`--batch-claims {r['batch_claims']}`) | {r['requests_per_s']} | {r['score_claims_per_s']} "
            f"| {lat['score'].get('p50_ms', '–')} | {lat['score'].get('p95_ms', '–')} | {lat['check'].get('p50_ms', '–')} "
            f"| {lat['check'].get('p95_ms', '–')} | {lat['all'].get('p95_ms', '–')} | {r['requests_per_pipeline_call']} "
            f"| {r['sent']:,} | {r['errors']} | {r['lost']} | {r['server_peak_rss_mb']:,} | {r['other_processes_cpu_share']:.0%} |")
    lines += ["", results["conclusion"], ""]
    return "\n".join(lines)


def conclude(modes: list[dict]) -> str:
    by = {r["mode"]: r for r in modes}
    if not {"batched", "serial"} <= set(by):
        return "Run both modes to compare batching with one request per pipeline call."
    b, s = by["batched"], by["serial"]
    gain = b["requests_per_s"] / s["requests_per_s"] - 1 if s["requests_per_s"] else 0.0
    better = "batched" if gain > 0.05 else "serial" if gain < -0.05 else "neither (within 5%)"
    return (f"Batching concurrent score requests ({b['requests_per_pipeline_call']} requests per pipeline call on average) "
            f"changes throughput by {gain:+.0%} against one request per call ({b['requests_per_s']} vs "
            f"{s['requests_per_s']} requests/s) and score p95 from {s['latency']['score'].get('p95_ms')} to "
            f"{b['latency']['score'].get('p95_ms')} ms: better: {better}. The service's default is "
            f"`--batch-claims 64`.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per mode")
    parser.add_argument("--requests", type=int, default=100_000, help="at most this many requests per mode")
    parser.add_argument("--check-every", type=int, default=10, help="every Nth request is a /v1/check (0: none)")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for serve.json and serve.md")
    args = parser.parse_args(argv)
    try:
        if args.clients < 1 or args.duration <= 0 or args.requests < 1 or args.check_every < 0:
            raise InputError("--clients, --duration and --requests must be positive, --check-every 0 or more")
        if not args.out.is_dir() or not os.access(args.out, os.W_OK):
            raise InputError(f"--out {args.out}: not a writable folder")
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    command = "python benchmarks/serve_load.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))
    modes = []
    for mode in args.modes:
        print(f"{mode}: {args.clients} clients for {args.duration:g} s…", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="serve-load-") as scratch:  # the server's log
            modes.append(run_mode(mode, args.clients, args.duration, args.requests, args.check_every,
                                  Path(scratch) / "server.log"))
        print(json.dumps({k: modes[-1][k] for k in ("requests_per_s", "errors", "lost", "server_peak_rss_mb")}), file=sys.stderr)
    results = {"command": command, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count(),
               "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
               "clients": args.clients, "duration_s": args.duration, "max_requests": args.requests,
               "check_every": args.check_every, "modes": modes, "conclusion": conclude(modes)}
    atomic_write(args.out / "serve.json", json.dumps(results, indent=1) + "\n")
    atomic_write(args.out / "serve.md", markdown(results))
    print(f"wrote {args.out / 'serve.json'} and {args.out / 'serve.md'}", file=sys.stderr)
    return 1 if any(r["errors"] or r["lost"] for r in modes) else 0


if __name__ == "__main__":
    sys.exit(main())
