"""`verify ci`: run the claim sets and gate on them (exit 0 pass, 1 fail, 2 bad input)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from ..io import atomic_write, refuse_overwriting_inputs
from ..report.annotations import check_format
from .baseline import DEFAULT_TOLERANCE, BaselineComparison, VerdictChange, compare, load_baseline, write_baseline
from .junit import write_junit
from .loader import load_claim_sets
from .render import make_console, print_summary, result_json
from .runner import CheckingPipeline, CIResult, run_sets

DEFAULT_CLAIMS_DIR = Path("claims")
OUT_SUFFIXES = (".sarif", ".xml", ".json")


def make_pipeline(model: Optional[str], top_k: int, checks: bool, engine: str = "auto",
                  cache: bool = True, profile: Optional[Path] = None,
                  aggregator: Optional[str] = None) -> CheckingPipeline:
    from ..aggregate import AGGREGATORS
    from ..pipeline import Pipeline
    from ..profile import check_profile_model, load_profile, pipeline_settings

    if aggregator is not None and aggregator not in AGGREGATORS:
        raise InputError(f"unknown aggregator '{aggregator}' (choose from: {', '.join(AGGREGATORS)})")
    extra = {"aggregator": aggregator} if aggregator else {}
    prof = load_profile(profile) if profile else None
    pipe = Pipeline(model=model, top_k=top_k, checks=checks, engine=engine, cache=cache, **extra,
                    **pipeline_settings(prof))
    if prof:
        check_profile_model(prof, pipe.verifier)
    return pipe


def ci_command(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Claim-set files or folders (folders: every claims.yaml / *.claims.yaml). Default: claims/"
    ),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write JUnit XML here (one suite per set)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout (table goes to stderr)."),
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Write the JSON result to this file."),
    min_accuracy: Optional[float] = typer.Option(
        None, "--min-accuracy", help="Tolerant mode: pass when this share of claims passes."
    ),
    tags: Optional[str] = typer.Option(None, "--tags", help="Only run claims with one of these tags (a,b)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Compare with a recorded run (JSON lockfile)."),
    update_baseline: bool = typer.Option(False, "--update-baseline", help="Re-record the --baseline file."),
    tolerance: float = typer.Option(
        DEFAULT_TOLERANCE, "--tolerance", help="Report probability drift above this."
    ),
    model: Optional[str] = typer.Option(None, "--model", help="Verifier: embedded name, folder or HF id."),
    top_k: int = typer.Option(5, "--top-k", help="Evidence passages per claim."),
    no_checks: bool = typer.Option(False, "--no-checks", help="Turn off the numeric/date consistency checks."),
    engine: str = typer.Option("auto", "--engine", help="Inference engine: auto (bf16 where native, else torch), torch (fp32), bf16 or onnx (int8)."),
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Reuse scores of unchanged pairs (SQLite, $VERIFY_CACHE_DIR)."),
    profile: Optional[Path] = typer.Option(None, "--profile", help="Calibration profile (JSON from `verify calibrate`)."),
    aggregator: Optional[str] = typer.Option(None, "--aggregator", help="rules or learned (default: the pipeline's)."),
    out_paths: list[Path] = typer.Option([], "--out", "-o", help="Result file(s) by extension: .sarif (SARIF 2.1.0, each case at its line), .xml (JUnit), .json. Repeatable."),
    output_format: str = typer.Option("table", "--format", help="table, or github: also print GitHub Actions annotations at each case's line (claim-set YAML, or the article) and append a Markdown job summary to $GITHUB_STEP_SUMMARY."),
    failures_only: bool = typer.Option(False, "--only-failures", help="Table, annotations and SARIF: only the failing cases."),
) -> None:
    """Run curated claim sets and fail (exit 1) when a claim gets the wrong verdict or regresses."""
    # Ranges are checked here, not by typer, so a bad value is exit 2 with one line like any bad input.
    if min_accuracy is not None and not 0.0 <= min_accuracy <= 1.0:
        raise InputError(f"--min-accuracy must be between 0 and 1, got {min_accuracy}")
    if not 0.0 <= tolerance <= 1.0:
        raise InputError(f"--tolerance must be between 0 and 1, got {tolerance}")
    if top_k < 1:
        raise InputError(f"--top-k must be at least 1, got {top_k}")
    if update_baseline and baseline is None:
        raise InputError("--update-baseline needs --baseline FILE")
    check_format(output_format)
    for p in out_paths:
        if p.suffix.lower() not in OUT_SUFFIXES:
            raise InputError(f"--out {p}: unknown result format '{p.suffix}' (use {', '.join(OUT_SUFFIXES)})")
    tag_filter = _parse_tags(tags)
    sets = load_claim_sets(list(paths) if paths else [DEFAULT_CLAIMS_DIR])
    inputs = [path for s in sets for path in (s.path, s.corpus_path, s.article_path)]
    for option, target in (("--junit", junit), ("--json-out", json_out), ("--baseline", baseline if update_baseline else None),
                           *(("--out", p) for p in out_paths)):
        if target is not None:
            refuse_overwriting_inputs([target], inputs, option)
    previous = None
    if baseline is not None:
        if baseline.exists():
            previous = load_baseline(baseline)
        elif not update_baseline:
            raise InputError(f"baseline not found: {baseline} (record one with --update-baseline)")

    result = run_sets(sets, make_pipeline(model, top_k, not no_checks, engine, cache, profile, aggregator), tag_filter)
    if not result.cases:
        raise InputError(f"no claims selected (--tags {tags})")
    comparison = compare(result, previous, tolerance) if previous is not None else None
    regressions = _gating_regressions(result, comparison)
    # Re-recording accepts today's verdicts, so regressions stop gating; wrong verdicts still do.
    gate_passed = result.gate_passes(min_accuracy) and (update_baseline or not regressions)

    console = make_console(stderr=json_output)
    print_summary(console, result, comparison, min_accuracy, show_table=not failures_only)
    if regressions and not update_baseline:
        console.print(f"[bold red]{len(regressions)} regression(s) against {baseline}[/]")
    junit_outs = [junit] * (junit is not None) + [p for p in out_paths if p.suffix.lower() == ".xml"]
    json_outs = [json_out] * (json_out is not None) + [p for p in out_paths if p.suffix.lower() == ".json"]
    for target in junit_outs:
        write_junit(result, target, comparison)
    sarif_outs = [p for p in out_paths if p.suffix.lower() == ".sarif"]
    if sarif_outs or output_format == "github":
        from .. import __version__
        from ..report.annotations import append_step_summary, github_commands, sarif_text
        from .annotate import ci_annotations, ci_summary_markdown

        annotations = ci_annotations(result, sets, failures_only)
        for target in sarif_outs:
            atomic_write(target, sarif_text(annotations, __version__))
        if output_format == "github":
            typer.echo(github_commands(annotations), nl=False, err=json_output)
            append_step_summary(ci_summary_markdown(result, gate_passed, failures_only))
    if json_output or json_outs:
        payload = result_json(result, comparison, gate_passed, min_accuracy)
        for target in json_outs:
            atomic_write(target, payload)
        if json_output:
            typer.echo(payload, nl=False)
    if update_baseline:
        write_baseline(result, baseline, previous)
        console.print(f"baseline written: {baseline}")
    console.print("[bold green]gate: pass[/]" if gate_passed else "[bold red]gate: FAIL[/]")
    raise typer.Exit(0 if gate_passed else 1)


def _parse_tags(tags: Optional[str]) -> Optional[set[str]]:
    if tags is None:
        return None
    selected = {t.strip() for t in tags.split(",") if t.strip()}
    if not selected:
        raise InputError("--tags is empty; give a comma-separated list such as numeric,temporal")
    return selected


def _gating_regressions(result: CIResult, comparison: Optional[BaselineComparison]) -> list[VerdictChange]:
    if comparison is None:
        return []
    known = {(c.set_name, c.key) for c in result.cases if c.known_failure}
    return [r for r in comparison.regressions if (r.set_name, r.key) not in known]
