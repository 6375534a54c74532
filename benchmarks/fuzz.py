"""Fuzz the command line with hostile input and check the exit-code contract (issue 20).

    python benchmarks/fuzz.py                       # the committed run: seed 20, 150 cases
    python benchmarks/fuzz.py --cases 40 --seed 7   # a quick one elsewhere

A seeded generator (same seed, same cases) builds random bytes, random Unicode (RTL, combining marks,
zero-width, lone surrogates, control characters), text in several encodings and byte-order marks,
nested / huge / aliased YAML, random claim-set structures, JSON lines with wrong types, and random
corpus folders, and feeds them to `verify extract`, `check`, `ci` and `run`. Every case must:

* exit 0, 1 or 2 — never 3 (an internal error), never a traceback;
* on exit 2, end stderr with one `error:` line of bounded length, and leave no output file or temp file;
* never change an input file;
* finish under the per-case time ceiling and the worker's memory ceiling (RLIMIT_AS).

Cases run in worker processes through `verify.cli.main` (the CLI minus interpreter start-up, so
the model loads once per worker, not once per case); a worker that dies (a crash, the memory
ceiling) fails its case and a fresh worker takes the rest. Results: benchmarks/results/fuzz.{json,md}.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
SEED_CORPUS = REPO / "claims" / "seed-summit" / "corpus"
COMMANDS = ("extract", "check", "ci", "run")
SHARE = {"extract": 0.4, "check": 0.2, "ci": 0.2, "run": 0.2}
MESSAGE_CHARS = 700

# ---------------------------------------------------------------- generators

WORDS = ("Acme", "revenue", "rose", "fell", "percent", "million", "billion", "in", "on", "the", "minister", "said",
         "Seoul", "Beijing", "2024", "2025", "last", "year", "next", "week", "January", "March", "summit", "signed",
         "agreements", "not", "more", "than", "fewer", "about", "first", "second", "third", "since", "until", "by")
POOLS = [
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ .,;:!?'\"()-",
    "0123456789 ,.%$€£-/",
    "\u05d0\u05d1\u05d2\u05d3\u05d4 \u0627\u0628\u062a\u062b\u062c \u202e\u202d\u202c\u200f\u200e",  # RTL, overrides
    "".join(chr(c) for c in range(0x0300, 0x0370)),  # combining marks
    "\u200b\u200c\u200d\u2060\ufeff\u00ad",  # zero-width, soft hyphen, BOM inside text
    "\u4e2d\u6587\u65e5\u672c\u8a9e\ud55c\uad6d\uc5b4 \U0001f600\U0001f4a5\U0001f1f0\U0001f1f7",
    "".join(chr(c) for c in range(1, 32)) + "\x7f\x85\u2028\u2029",  # control characters, odd line breaks
    "<>&\"'`[](){}|\\*_#=!~^",  # markup
]
NUMBERS = ("0", "-1", "3.5", "1e308", "1e-400", "10^400", "99999999999999999999999", "½", "٣", "一百", "NaN", "inf",
           "1,000,000", "12.5%", "$4.2bn", "-0", "0x1F", "1/0")
DATES = ("9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "31/12/2025", "2025-06-15", "1999-01-01",
         "December 31, 9999", "January 1, 1", "the year 10000", "in 5000 years", "300 centuries ago",
         "next year", "last week", "in 2 weeks", "yesterday", "Q5 2025", "FY2026", "the 1990s")

ISO_DATES = ("2026-01-03", "2024-02-29", "1000-01-01", "2999-12-31", "1970-01-01")


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS + NUMBERS + DATES) for _ in range(n))


def sentence_soup(rng: random.Random, n: int) -> str:
    return " ".join(words(rng, rng.randint(3, 15)).capitalize() + rng.choice(".!?;") for _ in range(n))


def unicode_soup(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(rng.choice(POOLS)) for _ in range(n))


def surrogate_text(rng: random.Random, n: int) -> bytes:
    text = unicode_soup(rng, n) + "".join(chr(rng.randint(0xD800, 0xDFFF)) for _ in range(rng.randint(1, 5)))
    return text.encode("utf-8", "surrogatepass")  # lone surrogates: not valid UTF-8


def text_bytes(rng: random.Random) -> bytes:
    kind = rng.choice(["news", "news", "unicode", "bytes", "surrogates", "utf16", "utf32", "latin1", "bom-lie",
                       "long-token", "empty", "html", "binary-ish"])
    if kind == "news":
        return sentence_soup(rng, rng.randint(1, 30)).encode("utf-8")
    if kind == "unicode":
        return (sentence_soup(rng, 3) + unicode_soup(rng, rng.randint(1, 3000))).encode("utf-8")
    if kind == "bytes":
        return rng.randbytes(rng.randint(1, 5000))
    if kind == "surrogates":
        return surrogate_text(rng, rng.randint(1, 500))
    if kind == "utf16":
        return sentence_soup(rng, rng.randint(1, 10)).encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
    if kind == "utf32":
        return sentence_soup(rng, rng.randint(1, 10)).encode("utf-32")
    if kind == "latin1":
        return ("Caf\u00e9 " + sentence_soup(rng, 5) + " \u00fcber \u00e0 \u00df").encode("latin-1", "replace")
    if kind == "bom-lie":
        return rng.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff"]) + rng.randbytes(rng.randint(0, 301))
    if kind == "long-token":
        return (sentence_soup(rng, 2) + " " + rng.choice("A9-_.") * rng.randint(10_000, 300_000)).encode("utf-8")
    if kind == "empty":
        return rng.choice([b"", b" ", b"\n\n\t", "\u200b\u200b".encode()])
    if kind == "html":
        return (f"<html><script>alert(1)</script><p>{sentence_soup(rng, 5)}</p>"
                "<a href='javascript:alert(2)'>x</a>[y](javascript:alert(3))").encode("utf-8")
    return b"%PDF-1.4\n" + rng.randbytes(rng.randint(10, 2000))


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.randint(0, 9 if depth < 6 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, 0, -1, 2**70, 1e308, float("nan"), float("inf")])
    if kind == 2:
        return unicode_soup(rng, rng.randint(0, 60))
    if kind in (3, 4, 5):
        return sentence_soup(rng, 1)
    if kind in (6, 7):
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["text", "claim", "expect", "tags", "id", "date", "corpus", "name", "x"]): random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def yaml_scalar(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)  # JSON is YAML (nan/inf become plain words)


def claim_set_text(rng: random.Random, corpus_ref: str) -> bytes:
    kind = rng.choice(["valid", "valid", "typed", "random", "laughs", "recursive", "deep", "python", "dupkey",
                       "syntax", "bytes", "huge-scalar", "dates"])
    expect = lambda: rng.choice(["supported", "contradicted", "not_enough_info", "maybe", 3, None])  # noqa: E731
    if kind in ("valid", "typed", "dates"):
        lines = [f"name: fuzz-{rng.randint(0, 10**6)}", f"corpus: {corpus_ref}"]
        if kind == "dates":
            lines.append(f"date: {rng.choice(DATES)}")
        lines.append("claims:")
        for _ in range(rng.randint(1, 4)):
            text = sentence_soup(rng, 1) if kind != "typed" else random_value(rng)
            lines.append(f"  - text: {yaml_scalar(text)}")
            lines.append(f"    expect: {yaml_scalar(expect())}")
            if rng.random() < 0.3:
                lines.append(f"    tags: {yaml_scalar(random_value(rng))}")
        return ("\n".join(lines) + "\n").encode("utf-8")
    if kind == "random":
        return json.dumps(random_value(rng), ensure_ascii=False).encode("utf-8")
    if kind == "laughs":
        levels, width = rng.randint(3, 12), rng.randint(2, 12)
        lines = ["name: lol", f"corpus: {corpus_ref}", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
        lines += ["claims:", "  - text: x", "    expect: supported", f"    note: *a{levels - 1}"]
        return ("\n".join(lines) + "\n").encode("utf-8")
    if kind == "recursive":
        return f"name: r\ncorpus: {corpus_ref}\nclaims: &c [*c, {{a: *c}}]\n".encode()
    if kind == "deep":
        depth = rng.randint(50, 20_000)
        opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
        return f"name: d\ncorpus: {corpus_ref}\nclaims: {opener * depth}1{closer * depth}\n".encode()
    if kind == "python":
        tag = rng.choice(["!!python/object/apply:os.system ['touch /tmp/fuzz-pwned']", "!!python/name:os.system",
                          "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!custom x"])
        return f"name: p\ncorpus: {corpus_ref}\nclaims:\n  - text: {tag}\n    expect: supported\n".encode()
    if kind == "dupkey":
        return f"name: k\ncorpus: {corpus_ref}\nclaims:\n  - text: a b c.\n    expect: supported\n    expect: contradicted\n".encode()
    if kind == "syntax":
        return rng.choice([b"name: [unclosed\n", b"\t- bad indent\n  x: : :\n", b"a: b: c\n", b"%YAML 9.9\n---\n",
                           b"--- !<tag:x> 1\n--- 2\n", b"key: 'unterminated\n"])
    if kind == "bytes":
        return rng.randbytes(rng.randint(1, 2000))
    return f"name: big\ncorpus: {corpus_ref}\nclaims:\n  - text: x.\n    expect: '{'y' * rng.randint(10_000, 3_000_000)}'\n".encode()


def jsonl_text(rng: random.Random) -> bytes:
    field = rng.choice(["claim", "text", "body"])
    lines = []
    for _ in range(rng.randint(0, 8)):
        kind = rng.randint(0, 9)
        if kind <= 4:
            row = {field: sentence_soup(rng, 1 if field == "claim" else rng.randint(1, 3))}
        elif kind == 5:
            row = {field: random_value(rng)}
        elif kind == 6:
            row = random_value(rng)
        elif kind == 7:
            lines.append(rng.choice(["", "{", "{\"claim\": \"x\"", "[1,2]", "null", "\x00", "{\"claim\": NaN}"]))
            continue
        else:
            row = {field: sentence_soup(rng, 1), "date": rng.choice(DATES + ("", None, 5)), "id": random_value(rng)}
        try:
            lines.append(json.dumps(row, ensure_ascii=rng.random() < 0.5, allow_nan=True))
        except (TypeError, ValueError):
            lines.append("{}")
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    return (b"\xef\xbb\xbf" + data) if rng.random() < 0.1 else data


def make_corpus(rng: random.Random, folder: Path) -> Path:
    """A random corpus folder (or, one time in three, a copy of the seed corpus plus noise)."""
    folder.mkdir(parents=True)
    if rng.random() < 0.33:
        for f in SEED_CORPUS.iterdir():
            if f.is_file():
                shutil.copy(f, folder / f.name)
    names = ["a.txt", "b.md", "c.html", "sub/d.txt", ".hidden/e.txt", "space name.txt", "ünï cödé.md", "x.bin",
             "empty.txt", "f.markdown", "g.htm"]
    for _ in range(rng.randint(0, 5)):
        path = folder / rng.choice(names)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text_bytes(rng))
    return folder


# ---------------------------------------------------------------- cases


def make_cases(rng: random.Random, total: int, root: Path) -> list[dict]:
    cases = []
    counts = {c: max(1, round(total * SHARE[c])) for c in COMMANDS}
    order = [c for c in COMMANDS for _ in range(counts[c])]
    rng.shuffle(order)
    for number, command in enumerate(order):
        case_dir = root / f"case-{number:04d}"
        inputs = case_dir / "in"
        outputs = case_dir / "out"
        inputs.mkdir(parents=True)
        outputs.mkdir()
        argv: list[str] = [command]
        out_file = None
        if command == "extract":
            article = inputs / rng.choice(["a.txt", "a.md", "a"])
            article.write_bytes(text_bytes(rng))
            argv += [str(article)] + (["--json"] if rng.random() < 0.5 else [])
            if rng.random() < 0.3:
                argv += ["--date", rng.choice(DATES + ISO_DATES)]
        elif command == "check":
            article = inputs / "article.txt"
            article.write_bytes(text_bytes(rng))
            corpus = make_corpus(rng, inputs / "corpus")
            out_file = outputs / f"report{rng.choice(['.json', '.jsonl', '.md', '.html', '.xml'])}"
            argv += [str(article), "--corpus", str(corpus), "--out", str(out_file), "--top-k", "2", "-q",
                     "--max-claims", str(rng.choice([5, 20, 40]))]
            if rng.random() < 0.3:
                argv += ["--date", rng.choice(DATES + ISO_DATES)]
        elif command == "ci":
            corpus = make_corpus(rng, inputs / "docs")
            path = inputs / "fuzz.claims.yaml"
            path.write_bytes(claim_set_text(rng, "docs"))
            out_file = outputs / "ci.json"
            argv += [str(path), "--json-out", str(out_file), "--top-k", "2"]
        else:
            data = inputs / "rows.jsonl"
            data.write_bytes(jsonl_text(rng))
            corpus = make_corpus(rng, inputs / "corpus")
            out_file = outputs / "run"
            argv += [str(data), "--corpus", str(corpus), "--out", str(out_file), "--top-k", "2", "-q",
                     "--partition-rows", str(rng.randint(1, 5))]
        cases.append({"number": number, "command": command, "argv": argv, "inputs": str(inputs),
                      "outputs": str(outputs), "out_file": str(out_file) if out_file else None})
    return cases


# ---------------------------------------------------------------- worker


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so the CLI's `except Exception` cannot turn it into exit 3."""


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".verify-index" not in p.parts}


def _judge(case: dict, code, stderr: str, seconds: float, before: dict[str, str]) -> list[str]:
    problems = []
    if code not in (0, 1, 2):
        problems.append(f"exit {code}")
    if "Traceback" in stderr:
        problems.append("traceback on stderr")
    lines = [line for line in stderr.splitlines() if line.strip()]
    if code == 2:
        if not lines or not lines[-1].startswith("error:"):
            problems.append("exit 2 without an `error:` line")
        elif len(lines[-1]) > MESSAGE_CHARS:
            problems.append(f"error line of {len(lines[-1])} characters")
        out = case["out_file"]
        if out and Path(out).exists() and case["command"] != "run":
            problems.append("output file left after exit 2")
        if out and case["command"] == "run" and Path(out).exists() and list(Path(out).glob("part-*")):
            problems.append("partitions left after exit 2")
    temps = [p.name for p in Path(case["outputs"]).rglob("*.tmp")]
    if temps:
        problems.append(f"temp files left: {temps[:3]}")
    if _digest(Path(case["inputs"])) != before:
        problems.append("an input file changed")
    return problems


def worker(cases_file: Path, results_file: Path, start: int, memory_gb: float, case_seconds: int) -> None:
    limit = int(memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def alarm(signum, frame):
        raise CaseTimeout()

    signal.signal(signal.SIGALRM, alarm)
    from verify.cli import main

    cases = json.loads(cases_file.read_text())
    with open(results_file, "a", encoding="utf-8") as results:
        for case in cases[start:]:
            before = _digest(Path(case["inputs"]))
            stdout, stderr = io.StringIO(), io.StringIO()
            sys.argv = ["verify", *case["argv"]]
            started = time.monotonic()
            signal.alarm(case_seconds)
            try:
                with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                    try:
                        main()
                        code = 0
                    except SystemExit as exit_:
                        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            except CaseTimeout:
                code = "timeout"
            except MemoryError:
                code = "memory"
            finally:
                signal.alarm(0)
            seconds = time.monotonic() - started
            err = stderr.getvalue()
            problems = _judge(case, code, err, seconds, before)
            if code in ("timeout", "memory"):
                problems.append(f"{code} ceiling")
            tail = [line for line in err.splitlines() if line.strip()][-1:] or [""]
            results.write(json.dumps({"number": case["number"], "command": case["command"], "code": code,
                                      "seconds": round(seconds, 2), "problems": problems,
                                      "stderr": tail[0][:300]}) + "\n")
            results.flush()


# ---------------------------------------------------------------- driver


def run(seed: int, total: int, memory_gb: float, case_seconds: int, keep: bool) -> dict:
    rng = random.Random(seed)
    root = Path(tempfile.mkdtemp(prefix="verify-fuzz-"))
    cache = root / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO), "VERIFY_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    env.pop("VERIFY_DEBUG", None)
    cases = make_cases(rng, total, root / "cases")
    cases_file, results_file = root / "cases.json", root / "results.jsonl"
    cases_file.write_text(json.dumps(cases))
    started = time.monotonic()
    load = os.getloadavg()
    done = 0
    while done < len(cases):
        proc = subprocess.run([sys.executable, __file__, "--worker", str(cases_file), str(results_file), str(done),
                               str(memory_gb), str(case_seconds)], env=env, cwd=root, capture_output=True, text=True)
        finished = len(results_file.read_text().splitlines()) if results_file.exists() else 0
        if finished < len(cases):  # the worker died on case `finished`: that case fails
            case = cases[finished]
            with open(results_file, "a", encoding="utf-8") as f:
                f.write(json.dumps({"number": case["number"], "command": case["command"], "code": f"worker died ({proc.returncode})",
                                    "seconds": None, "problems": [f"worker died with {proc.returncode}"],
                                    "stderr": proc.stderr.strip().splitlines()[-1][:300] if proc.stderr.strip() else ""}) + "\n")
            finished += 1
        done = finished
        print(f"{done}/{len(cases)} cases", file=sys.stderr)
    rows = [json.loads(line) for line in results_file.read_text().splitlines()]
    pwned = Path("/tmp/fuzz-pwned").exists()
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    by_command = {}
    for command in COMMANDS:
        mine = [r for r in rows if r["command"] == command]
        codes: dict[str, int] = {}
        for r in mine:
            codes[str(r["code"])] = codes.get(str(r["code"]), 0) + 1
        secs = [r["seconds"] for r in mine if r["seconds"] is not None]
        by_command[command] = {"cases": len(mine), "exit_codes": dict(sorted(codes.items())),
                               "max_seconds": max(secs) if secs else None,
                               "violations": sum(bool(r["problems"]) for r in mine)}
    violations = [r for r in rows if r["problems"]] + ([{"problems": ["a YAML python tag ran a command"]}] if pwned else [])
    return {
        "command": f"python benchmarks/fuzz.py --seed {seed} --cases {total} --memory-gb {memory_gb} --case-seconds {case_seconds}",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU cores ({platform.machine()}), load average at start {[round(x, 2) for x in load]}",
        "seed": seed, "cases": len(rows), "memory_ceiling_gb": memory_gb, "case_seconds_ceiling": case_seconds,
        "wall_seconds": round(time.monotonic() - started, 1),
        "by_command": by_command, "violations": violations,
        "slowest": sorted(({"number": r["number"], "command": r["command"], "seconds": r["seconds"], "code": r["code"]}
                           for r in rows if r["seconds"] is not None), key=lambda r: -r["seconds"])[:5],
    }


def markdown(result: dict) -> str:
    lines = ["# fuzz — the exit-code contract under hostile input", "",
             f"`{result['command']}` on {result['machine']}, {result['date']}; {result['wall_seconds']} s wall.", "",
             f"Budget: {result['cases']} seeded cases (seed {result['seed']}), each under a {result['case_seconds_ceiling']} s "
             f"ceiling, workers under RLIMIT_AS {result['memory_ceiling_gb']} GiB. Contract: exit 0/1/2 (never 3), no "
             "traceback, exit 2 ends with one bounded `error:` line and leaves no output or temp file, inputs unchanged.", "",
             "| command | cases | exit codes | slowest case s | violations |", "|---|---:|---|---:|---:|"]
    for command, row in result["by_command"].items():
        codes = ", ".join(f"{k}: {v}" for k, v in row["exit_codes"].items())
        lines.append(f"| {command} | {row['cases']} | {codes} | {row['max_seconds']} | {row['violations']} |")
    lines += ["", f"**Contract violations: {len(result['violations'])}**", ""]
    for v in result["violations"][:20]:
        lines.append(f"- case {v.get('number')} ({v.get('command')}): {'; '.join(v['problems'])} — `{v.get('stderr', '')}`")
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _, _, cases_file, results_file, start, memory_gb, case_seconds = sys.argv
        worker(Path(cases_file), Path(results_file), int(start), float(memory_gb), int(case_seconds))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--memory-gb", type=float, default=8.0, help="RLIMIT_AS of each worker process")
    parser.add_argument("--case-seconds", type=int, default=300, help="time ceiling per case")
    parser.add_argument("--out", type=Path, default=None, help="write fuzz.json/.md here (default: print only)")
    parser.add_argument("--keep", action="store_true", help="keep the generated cases (path printed)")
    args = parser.parse_args()
    result = run(args.seed, args.cases, args.memory_gb, args.case_seconds, args.keep)
    text = markdown(result)
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "fuzz.json").write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        (args.out / "fuzz.md").write_text(text, encoding="utf-8")
    sys.exit(1 if result["violations"] else 0)


if __name__ == "__main__":
    main()
