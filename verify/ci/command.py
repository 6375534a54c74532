"""`verify ci`: run the claim sets and gate on them (exit 0 pass, 1 fail, 2 bad input)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from ..io import atomic_write, refuse_overwriting_inputs
from ..report.annotations import check_format
from ..options import settings_options
from ..profile import Profile
from ..settings import Settings
from .baseline import DEFAULT_TOLERANCE, BaselineComparison, VerdictChange, compare, load_baseline, write_baseline
from .junit import write_junit
from .loader import load_claim_sets
from .render import make_console, print_summary, result_json
from .runner import CheckingPipeline, CIResult, run_sets

DEFAULT_CLAIMS_DIR = Path("claims")
OUT_SUFFIXES = (".sarif", ".xml", ".json")


CI_FLAGS = ("model", "engine", "trust_remote_code", "temperature", "cache", "top_k", "checks", "pairs", "settle", "windows_kept",
            "aggregator", "support_threshold", "contradict_threshold", "label_map", "retriever", "lexicons")


def make_pipeline(settings: Settings, profile: Optional[Profile] = None) -> CheckingPipeline:
    from ..pipeline import Pipeline
    from ..profile import check_profile_model

    pipe = Pipeline(settings)
    if profile:
        check_profile_model(profile, pipe.verifier)
    return pipe


@settings_options(*CI_FLAGS, defaults={"cache": True})
def ci_command(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Claim-set files or folders (folders: every claims.yaml / *.claims.yaml). Default: claims/"
    ),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write JUnit XML here (one suite per set)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout (table goes to stderr)."),
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Write the JSON result to this file ('-': stdout, as --json)."),
    min_accuracy: Optional[float] = typer.Option(
        None, "--min-accuracy", help="Tolerant mode: pass when this share of claims passes."
    ),
    tags: Optional[str] = typer.Option(None, "--tags", help="Only run claims with one of these tags (a,b)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Compare with a recorded run (JSON lockfile)."),
    update_baseline: bool = typer.Option(False, "--update-baseline", help="Re-record the --baseline file."),
    tolerance: float = typer.Option(
        DEFAULT_TOLERANCE, "--tolerance", help="Report probability drift above this."
    ),
    out_paths: list[Path] = typer.Option([], "--out", "-o", help="Result file(s) by extension: .sarif (SARIF 2.1.0, each case at its line), .xml (JUnit), .json. Repeatable."),
    output_format: str = typer.Option("table", "--format", help="table, or github: also print GitHub Actions annotations at each case's line (claim-set YAML, or the article) and append a Markdown job summary to $GITHUB_STEP_SUMMARY."),
    failures_only: bool = typer.Option(False, "--only-failures", help="Table, annotations and SARIF: only the failing cases."),
    settings: Settings = None, profile: Optional[Profile] = None, quiet: bool = False,
) -> None:
    """Run curated claim sets and fail (exit 1) when a claim gets the wrong verdict or regresses."""
    # Ranges are checked here, not by typer, so a bad value is exit 2 with one line like any bad input.
    if min_accuracy is not None and not 0.0 <= min_accuracy <= 1.0:
        raise InputError(f"--min-accuracy must be between 0 and 1, got {min_accuracy}")
    if not 0.0 <= tolerance <= 1.0:
        raise InputError(f"--tolerance must be between 0 and 1, got {tolerance}")
    if json_out is not None and str(json_out) == "-":
        json_output, json_out = True, None
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

    result = run_sets(sets, make_pipeline(settings, profile), tag_filter)
    if not result.cases:
        raise InputError(f"no claims selected (--tags {tags})")
    comparison = compare(result, previous, tolerance) if previous is not None else None
    regressions = _gating_regressions(result, comparison)
    # Re-recording accepts today's verdicts, so regressions stop gating; wrong verdicts still do.
    gate_passed = result.gate_passes(min_accuracy) and (update_baseline or not regressions)

    console = make_console(stderr=json_output, quiet=quiet)
    print_summary(console, result, comparison, min_accuracy, show_table=not failures_only)
    if regressions and not update_baseline:
        console.print(f"[bold red]{len(regressions)} regression(s) against {baseline}[/]")
    junit_outs = [junit] * (junit is not None) + [p for p in out_paths if p.suffix.lower() == ".xml"]
    json_outs = [json_out] * (json_out is not None) + [p for p in out_paths if p.suffix.lower() == ".json"]
    for target in junit_outs:
        write_junit(result, target, comparison)
    sarif_outs = [p for p in out_paths if p.suffix.lower() == ".sarif"]
    if sarif_outs or output_format == "github":
        from ..version import __version__
        from ..report.annotations import append_step_summary, github_commands, sarif_text
        from .annotate import ci_annotations, ci_summary_markdown

        annotations = ci_annotations(result, sets, failures_only)
        for target in sarif_outs:
            atomic_write(target, sarif_text(annotations, __version__))
        if output_format == "github":
            typer.echo(github_commands(annotations), nl=False, err=json_output)
            append_step_summary(ci_summary_markdown(result, gate_passed, failures_only))
    if json_output or json_outs:
        payload = result_json(result, comparison, gate_passed, min_accuracy, settings)
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
