"""`verify bench`: the CLI face of the benchmark harness (registered by verify/cli.py with
`app.command("bench")(bench_command)`)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..bars import Bars
from ..errors import MESSAGE_CHARS, InputError, VerifyError, clip
from ..paths import bench_results_dir
from ..options import settings_options, warn_deprecated
from ..settings import Settings

console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

DATASET_HELP = ("scifact | covid-fact | fever-symmetric | sufficient-facts | nli (held-out NLI suite) | nli:<set> | "
                "counterfactual (the hand-written swap/paraphrase table, per kind) | "
                "extraction (claim extractor vs tests/data/extraction_gold.yaml) | checkworthiness (sentence classes vs "
                "tests/data/checkworthiness_labels.yaml) | "
                "a JSONL/CSV file (with --format and column options). With --compare: two results JSON files.")


BENCH_FLAGS = ("model", "engine", "trust_remote_code", "temperature", "top_k", "checks", "pairs", "settle", "windows_kept",
               "aggregator", "support_threshold", "contradict_threshold")


def _one_line_errors(command):
    """A VerifyError (from the options too) as one line and its exit code, also when `bench` is
    registered on another typer app than verify's."""
    @functools.wraps(command)
    def run(**kwargs):
        try:
            return command(**kwargs)
        except VerifyError as err:
            from rich.markup import escape

            err_console.print(f"[red]error:[/red] {escape(clip(err, MESSAGE_CHARS))}", highlight=False, soft_wrap=True)
            raise typer.Exit(err.exit_code)

    return run


@_one_line_errors
@settings_options(*BENCH_FLAGS, defaults={"engine": "torch"})
def bench_command(
    targets: Optional[list[str]] = typer.Argument(None, help=DATASET_HELP, show_default=False),
    split: Optional[str] = typer.Option(None, help="scifact: train|validation; fever-symmetric: test|dev|full|generated; "
                                        "sufficient-facts: all|fever|hover|vitaminc; covid-fact: all"),
    mode: str = typer.Option("oracle", help="oracle (gold evidence given), retrieval (the dataset's whole corpus), or pipeline (NLI pair sets judged through windows + checks + aggregation)"),
    limit: Optional[int] = typer.Option(None, help="score a seeded random sample of N examples (per set for nli; N premises, both halves, for counterfactual)"),
    seed: int = typer.Option(13, help="sampling and bootstrap seed"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="FOLDER for results JSON/MD/PNG (a folder, not a file; "
                                       "default: $VERIFY_RESULTS_DIR, else ~/.local/share/verify/bench-results; the "
                                       "repo's committed files only with --out benchmarks/results)"),
    data_dir: Optional[Path] = typer.Option(None, help="data root (default $VERIFY_DATA_DIR, else ../shared/data beside a source checkout)"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted run from its per-example cache"),
    batch_size: int = typer.Option(16, help="examples per batch (and per cache append)"),
    dedup: Optional[bool] = typer.Option(None, "--dedup/--no-dedup", help="drop claims that occur in nli/train/ "
                                         "(default: on, except sufficient-facts where the overlap is only counted)"),
    sets: Optional[str] = typer.Option(None, help="nli: comma-separated held-out sets (default: all in nli/heldout/)"),
    compare: bool = typer.Option(False, "--compare", help="print the difference table of two results JSON files"),
    table: bool = typer.Option(False, "--table", help="regenerate benchmarks/README.md's tables from --out/*.json (source checkout)"),
    fmt: Optional[str] = typer.Option(None, "--format", help="generic file: jsonl or csv"),
    claim_col: str = typer.Option("claim", help="generic file: claim column"),
    evidence_col: str = typer.Option("evidence", help="generic file: evidence column (text or list of texts)"),
    label_col: str = typer.Option("label", help="generic file: label column"),
    verdict_map: Optional[str] = typer.Option(None, "--verdict-map", help="generic file: the file's labels as verdicts, RAW=label,... e.g. SUPPORTS=supported,REFUTES=contradicted"),
    label_map: Optional[str] = typer.Option(None, "--label-map", hidden=True, help="Deprecated name of --verdict-map (--label-map is the model's label map elsewhere)."),
    id_col: Optional[str] = typer.Option(None, help="generic file: id column (default: row number)"),
    doc_col: Optional[str] = typer.Option(None, help="generic file: gold document id column(s) for retrieval recall"),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", hidden=True, help="Deprecated: use --quiet."),
    settings: Settings = None, profile=None, profile_path: Optional[Path] = None, quiet: bool = False,
) -> None:
    """Benchmark the verifier (or a baseline: --model majority | lexical) on a labelled dataset and write results files."""
    if label_map is not None:
        warn_deprecated("bench --label-map (a dataset file's labels)", "--verdict-map")
        verdict_map = verdict_map or label_map
    if progress is not None:
        warn_deprecated("bench --progress/--no-progress", "--quiet/-q")
        quiet = quiet or not progress
    from .runner import BenchRun

    bars = Bars(err_console, enabled=not quiet, transient=False)  # entered once, by the branch that runs
    run = BenchRun(settings=settings, mode=mode, limit=limit, seed=seed, batch_size=batch_size, resume=resume,
                   data_dir=str(data_dir) if data_dir else None, progress=bars,
                   profile=profile, profile_name=profile_path.stem if profile_path else None)
    _run(run, bars, targets, split, out, dedup, sets, compare, table, fmt, claim_col, evidence_col, label_col,
         verdict_map, id_col, doc_col)


def _run(run, bars, targets, split, out, dedup, sets, compare, table, fmt, claim_col, evidence_col, label_col,
         verdict_map, id_col, doc_col) -> None:
    from .results import compare_table, read_result

    targets = targets or []
    if table:
        from .table import REPO_ROOT, update_readme

        readme = REPO_ROOT / "benchmarks" / "README.md"
        if not readme.is_file():
            raise InputError(f"--table regenerates the source checkout's {readme}: not found (run it in a checkout)")
        path = update_readme(readme, out or REPO_ROOT / "benchmarks" / "results")
        console.print(f"updated {path}")
        return
    out = out if out is not None else bench_results_dir()
    if str(out) == "-":
        raise InputError("--out is a folder for results files (JSON, Markdown, PNG), not '-'")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out must be a folder, but {out} is a file")
    if compare:
        if len(targets) != 2:
            raise InputError("--compare takes two results JSON files: verify bench --compare A.json B.json")
        a, b = (Path(t) for t in targets)
        console.print(compare_table(read_result(a), read_result(b), a.name, b.name))
        return
    if len(targets) != 1:
        raise InputError(f"give one dataset: {DATASET_HELP}")
    if targets[0] in ("extraction", "checkworthiness"):
        _run_extraction_bench(targets[0], out)
        return
    if run.mode not in ("oracle", "retrieval", "pipeline"):
        raise InputError(f"--mode must be oracle, retrieval or pipeline, got {run.mode!r}")
    if run.limit is not None and run.limit <= 0:
        raise InputError("--limit must be positive")
    if run.batch_size <= 0:
        raise InputError("--batch-size must be positive")

    name = targets[0]
    if name == "nli":
        from .nli_suite import run_nli_suite, write_nli_results

        if run.mode != "oracle":
            raise InputError("the nli suite scores the model alone (--mode oracle); for the pipeline use nli:<set> --mode pipeline")
        chosen = [s.strip() for s in sets.split(",") if s.strip()] if sets else None
        with bars:
            record = run_nli_suite(chosen, run, out)
        paths = write_nli_results(record, out)
        from .nli_suite import nli_markdown

        console.print(nli_markdown(record))
        console.print(f"wrote {paths['json']} and {paths['md']}")
        return

    if name == "counterfactual":
        from .counterfactual import counterfactual_markdown, run_counterfactual, write_counterfactual_results

        with bars:
            record = run_counterfactual(run, out)
        paths = write_counterfactual_results(record, out)
        console.print(counterfactual_markdown(record))
        console.print(f"wrote {paths['json']} and {paths['md']}")
        return

    if name.startswith("nli:") and split not in (None, "heldout"):
        raise InputError("verify bench reports NLI sets held out only (nli/heldout/); nli/train/ is training data")
    dataset = _load(name, split, run.data_dir, dedup, fmt, claim_col, evidence_col, label_col, verdict_map, id_col, doc_col)
    from .results import markdown_summary, write_results
    from .runner import run_benchmark

    with bars:
        record = run_benchmark(dataset, run, out)
    paths = write_results(record, out)
    console.print(markdown_summary(record))
    console.print("wrote " + ", ".join(str(p) for p in paths.values()))


def _run_extraction_bench(name: str, out: Path) -> None:
    """The extractor against the hand-annotated files in tests/data (no model, no data folder)."""
    from .extraction import (
        checkworthiness_markdown,
        extraction_markdown,
        run_checkworthiness_bench,
        run_extraction_bench,
    )

    paths = run_extraction_bench(out) if name == "extraction" else run_checkworthiness_bench(out)
    import json

    record = json.loads(paths["json"].read_text(encoding="utf-8"))
    console.print(extraction_markdown(record) if name == "extraction" else checkworthiness_markdown(record), markup=False)
    console.print(f"wrote {paths['json']} and {paths['md']}")


def _load(name, split, data_dir, dedup, fmt, claim_col, evidence_col, label_col, verdict_map, id_col, doc_col):
    from .datasets import load_benchmark, load_generic, parse_verdict_map

    path = Path(name)
    if fmt or path.suffix.lower() in (".jsonl", ".json", ".csv", ".tsv"):
        if not verdict_map:
            raise InputError("a dataset file needs --verdict-map RAW=label,... (labels: supported, contradicted, "
                             "not_enough_info, not_supported, or entailment, neutral, contradiction, not_entailment)")
        return load_generic(path, fmt, claim_col, evidence_col, label_col, parse_verdict_map(verdict_map), id_col, doc_col)
    return load_benchmark(name, split, data_dir, dedup)

