"""`verify bench`: the CLI face of the benchmark harness (registered by verify/cli.py with
`app.command("bench")(bench_command)`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..bars import Bars
from ..errors import MESSAGE_CHARS, InputError, VerifyError, clip
from ..paths import bench_results_dir

console = Console()
err_console = Console(stderr=True)

DATASET_HELP = ("scifact | covid-fact | fever-symmetric | sufficient-facts | nli (held-out NLI suite) | nli:<set> | "
                "counterfactual (the hand-written swap/paraphrase table, per kind) | "
                "extraction (claim extractor vs tests/data/extraction_gold.yaml) | checkworthiness (sentence classes vs "
                "tests/data/checkworthiness_labels.yaml) | "
                "a JSONL/CSV file (with --format and column options). With --compare: two results JSON files.")


def bench_command(
    targets: Optional[list[str]] = typer.Argument(None, help=DATASET_HELP, show_default=False),
    split: Optional[str] = typer.Option(None, help="scifact: train|validation; fever-symmetric: test|dev|full|generated; "
                                        "sufficient-facts: all|fever|hover|vitaminc; covid-fact: all"),
    mode: str = typer.Option("oracle", help="oracle (gold evidence given), retrieval (the dataset's whole corpus), or pipeline (NLI pair sets judged through windows + checks + aggregation)"),
    model: Optional[str] = typer.Option(None, help="verifier name/path/HF id (default: the embedded model), or majority / lexical"),
    limit: Optional[int] = typer.Option(None, help="score a seeded random sample of N examples (per set for nli; N premises, both halves, for counterfactual)"),
    seed: int = typer.Option(13, help="sampling and bootstrap seed"),
    out: Optional[Path] = typer.Option(None, help="folder for results JSON/MD/PNG (default: $VERIFY_RESULTS_DIR, else "
                                       "~/.local/share/verify/bench-results; the repo's committed files only with "
                                       "--out benchmarks/results)"),
    data_dir: Optional[Path] = typer.Option(None, help="data root (default $VERIFY_DATA_DIR or ../shared/data beside the repo)"),
    checks: bool = typer.Option(True, "--checks/--no-checks", help="numeric/date checks in the pipeline"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted run from its per-example cache"),
    top_k: int = typer.Option(5, help="passages retrieved per claim (retrieval mode)"),
    batch_size: int = typer.Option(16, help="examples per batch (and per cache append)"),
    dedup: Optional[bool] = typer.Option(None, "--dedup/--no-dedup", help="drop claims that occur in nli/train/ "
                                         "(default: on, except sufficient-facts where the overlap is only counted)"),
    sets: Optional[str] = typer.Option(None, help="nli: comma-separated held-out sets (default: all in nli/heldout/)"),
    compare: bool = typer.Option(False, "--compare", help="print the difference table of two results JSON files"),
    table: bool = typer.Option(False, "--table", help="regenerate benchmarks/README.md's tables from --out/*.json"),
    fmt: Optional[str] = typer.Option(None, "--format", help="generic file: jsonl or csv"),
    claim_col: str = typer.Option("claim", help="generic file: claim column"),
    evidence_col: str = typer.Option("evidence", help="generic file: evidence column (text or list of texts)"),
    label_col: str = typer.Option("label", help="generic file: label column"),
    label_map: Optional[str] = typer.Option(None, help="generic file: RAW=label,... e.g. SUPPORTS=supported,REFUTES=contradicted"),
    id_col: Optional[str] = typer.Option(None, help="generic file: id column (default: row number)"),
    doc_col: Optional[str] = typer.Option(None, help="generic file: gold document id column(s) for retrieval recall"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="rich progress bars"),
    engine: str = typer.Option("torch", help="inference engine: torch (fp32), bf16 or onnx (int8 ONNX Runtime); results files get a -bf16 / -onnx suffix"),
    windows: Optional[int] = typer.Option(None, "--windows", min=1, help="score each passage whole + only the N sentence "
                                          "windows closest to the claim, not every window (faster; files get -wN)"),
    pairs: Optional[str] = typer.Option(None, "--pairs", help="evidence windows scored per claim: a number or 'all' "
                                        "(default 8; other values give files -pN / -pall)"),
    aggregator: str = typer.Option("rules", "--aggregator", help="rules | learned (files get -learned)"),
    profile: Optional[Path] = typer.Option(None, "--profile", help="calibration profile from `verify calibrate` "
                                           "(fit it on a train split); files get -<profile name>"),
) -> None:
    """Benchmark the verifier (or a baseline) on a labelled dataset and write results files."""
    try:
        _run(**locals())
    except VerifyError as err:
        from rich.markup import escape

        err_console.print(f"[red]error:[/red] {escape(clip(err, MESSAGE_CHARS))}", highlight=False, soft_wrap=True)
        raise typer.Exit(err.exit_code)


def _run(targets, split, mode, model, limit, seed, out, data_dir, checks, resume, top_k, batch_size, dedup, sets,
         compare, table, fmt, claim_col, evidence_col, label_col, label_map, id_col, doc_col, progress,
         engine="torch", windows=None, pairs=None, aggregator="rules", profile=None) -> None:
    from .results import compare_table, read_result

    targets = targets or []
    if table:
        from .table import REPO_ROOT, update_readme

        path = update_readme(REPO_ROOT / "benchmarks" / "README.md", out or REPO_ROOT / "benchmarks" / "results")
        console.print(f"updated {path}")
        return
    out = out if out is not None else bench_results_dir()
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
    if mode not in ("oracle", "retrieval", "pipeline"):
        raise InputError(f"--mode must be oracle, retrieval or pipeline, got {mode!r}")
    if limit is not None and limit <= 0:
        raise InputError("--limit must be positive")
    if batch_size <= 0 or top_k <= 0:
        raise InputError("--batch-size and --top-k must be positive")

    from ..aggregate import AGGREGATORS
    from ..pipeline import parse_pairs
    from .runner import DEFAULT_PAIRS, RunSettings

    if aggregator not in AGGREGATORS:
        raise InputError(f"unknown aggregator '{aggregator}' (choose from: {', '.join(AGGREGATORS)})")

    bars = Bars(err_console, enabled=progress, transient=False)  # entered once, by the branch that runs
    settings = RunSettings(mode=mode, model=model, limit=limit, seed=seed, checks=checks, top_k=top_k,
                           batch_size=batch_size, resume=resume, data_dir=str(data_dir) if data_dir else None,
                           progress=bars, engine=engine, windows_kept=windows, pairs=parse_pairs(pairs, DEFAULT_PAIRS),
                           aggregator=aggregator, profile=str(profile) if profile else None)
    name = targets[0]
    if name == "nli":
        from .nli_suite import run_nli_suite, write_nli_results

        if mode != "oracle":
            raise InputError("the nli suite scores the model alone (--mode oracle); for the pipeline use nli:<set> --mode pipeline")
        chosen = [s.strip() for s in sets.split(",") if s.strip()] if sets else None
        with bars:
            record = run_nli_suite(chosen, settings, out)
        paths = write_nli_results(record, out)
        from .nli_suite import nli_markdown

        console.print(nli_markdown(record))
        console.print(f"wrote {paths['json']} and {paths['md']}")
        return

    if name == "counterfactual":
        from .counterfactual import counterfactual_markdown, run_counterfactual, write_counterfactual_results

        with bars:
            record = run_counterfactual(settings, out)
        paths = write_counterfactual_results(record, out)
        console.print(counterfactual_markdown(record))
        console.print(f"wrote {paths['json']} and {paths['md']}")
        return

    dataset = _load(name, split, data_dir, dedup, fmt, claim_col, evidence_col, label_col, label_map, id_col, doc_col)
    from .results import markdown_summary, write_results
    from .runner import run_benchmark

    with bars:
        record = run_benchmark(dataset, settings, out)
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


def _load(name, split, data_dir, dedup, fmt, claim_col, evidence_col, label_col, label_map, id_col, doc_col):
    from .datasets import load_benchmark, load_generic, parse_label_map

    path = Path(name)
    if fmt or path.suffix.lower() in (".jsonl", ".json", ".csv", ".tsv"):
        if not label_map:
            raise InputError("a dataset file needs --label-map RAW=label,... (labels: supported, contradicted, "
                             "not_enough_info, not_supported, or entailment, neutral, contradiction, not_entailment)")
        return load_generic(path, fmt, claim_col, evidence_col, label_col, parse_label_map(label_map), id_col, doc_col)
    return load_benchmark(name, split, data_dir, dedup)

