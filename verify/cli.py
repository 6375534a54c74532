"""The `verify` command line: thin — parse options, call the API, render with rich.

Exit codes: 0 ok · 1 verification or CI failure (e.g. --fail-on-contradicted, a failing claim set)
· 2 bad input or usage · 3 internal error (a bug: rerun with VERIFY_DEBUG=1 for the traceback).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from .bars import Bars
from .bench.command import bench_command
from .ci.command import ci_command
from .distributed.command import run_command
from .version import __version__
from .errors import MESSAGE_CHARS, InputError, VerifyError, clip
from .io import refuse_overwriting_inputs
from .options import settings_options, warn_deprecated
from .settings import Settings
from .serve.command import serve_command

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Check the facts in a text against a reference corpus, offline.")
err = Console(stderr=True, emoji=False)
out = Console(emoji=False)

REPORT_SUFFIXES = (".json", ".jsonl", ".md", ".html", ".xml", ".sarif")
STDOUT = "-"  # `check -o -`: the JSON report on stdout


def _version(value: bool) -> None:
    if value:
        print(f"verify {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Check the facts in a text against a reference corpus, offline."""


def _parse_date(value: Optional[str]) -> Optional[dt.date]:
    from .io import parse_date

    return parse_date(value, "--date")


def _check_outputs(paths: List[Path]) -> None:
    """Validate every --out before any work, so a bad path fails fast and writes nothing."""
    for p in paths:
        if p.suffix.lower() not in REPORT_SUFFIXES:
            raise InputError(f"--out {p}: unknown report format '{p.suffix}' (use {', '.join(REPORT_SUFFIXES)})")
        _check_output_folder(p)


def _check_output_folder(p: Path) -> None:
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"--out {p}: folder does not exist: {parent}")
    if not os.access(parent, os.W_OK):
        raise InputError(f"--out {p}: folder is not writable: {parent}")


# -- text (helper "text"): user lexicons merged over the built-in word lists --------------------


def _use_lexicons(names: tuple[str, ...]) -> None:
    """Load (and check: a bad file is exit 2) the lexicon files and make them the ones in use."""
    from .text import lexicon

    lexicon.use(lexicon.load(names))


@app.command()
@settings_options("lexicons")
def extract(article: Path = typer.Argument(..., help="Text file (UTF-8 or a detectable encoding)."),
            date: Optional[str] = typer.Option(None, help="Document date YYYY-MM-DD (else found in the text)."),
            as_json: bool = typer.Option(False, "--json", help="Print the claims as JSON lines (streamed, no limit)."),
            max_claims: int = typer.Option(10_000, "--max-claims", min=1, help="Table mode: refuse an article with more claims than this."),
            settings: Settings = None):
    """Split an article into atomic claims with spans, types and check-worthiness."""
    from .extract import iter_claims, load_document

    _use_lexicons(settings.lexicons)
    doc = load_document(article, date=_parse_date(date))
    if as_json:  # streamed: memory stays bounded however long the article
        for c in iter_claims(doc):
            print(c.model_dump_json())
        return
    claims = []
    for c in iter_claims(doc):
        claims.append(c)
        if len(claims) > max_claims:
            raise InputError(f"{article} has more than {max_claims:,} claims: too many for a table; "
                             "use --json (streamed) or raise --max-claims")
    from rich.table import Table

    table = Table(title=f"{len(claims)} claims in {article} (date: {doc.date or 'unknown'})")
    for col in ("id", "claim", "type", "check-worthy", "span"):
        table.add_column(col)
    for c in claims:
        worthy = "yes" if c.checkworthy else f"no ({c.reason})"
        if c.checkworthy and c.reason:
            worthy = f"yes ({c.reason})"
        table.add_row(c.id, c.text, c.type, worthy, f"{c.source_span[0]}–{c.source_span[1]}")
    out.print(table)


@app.command()
@settings_options("index_dir")
def index(corpus: Path = typer.Argument(..., help="Folder of .txt/.md/.html files, or a .jsonl/.csv/.parquet file."),
          rebuild: bool = typer.Option(False, help="Rebuild even if the corpus is unchanged."),
          settings: Settings = None, quiet: bool = False):
    """Build (or reuse) the BM25 + dense retrieval index of a corpus."""
    from .corpus import open_index

    with Bars(err, enabled=not quiet) as bars:
        idx = open_index(corpus, index_dir=settings.index_dir, rebuild=rebuild, progress=bars)
    reused = idx.manifest.get("reused_embeddings")
    out.print(f"index ready: {len(idx)} passages ({reused} embeddings reused), "
              f"corpus hash {str(idx.manifest.get('corpus_hash'))[:16]}, at {idx.path}")


FORMAT_OPTION = typer.Option("table", "--format", help="table, or github: also print GitHub Actions annotations (::error file=…,line=…::) at each claim's line and append a Markdown job summary to $GITHUB_STEP_SUMMARY.")
ONLY_FAILURES_OPTION = typer.Option(False, "--only-failures", help="Show, annotate and write only the failing claims (contradicted; for ci, the failing cases).")
LONG_RUN_CLAIMS = 100  # from this many claims on, say up front how long it will take
MAX_CLAIMS = 1000  # `check` refuses an article with more claims to verify, unless --max-claims says otherwise


def _announce(claims: int) -> None:
    from .pipeline import REFERENCE_CLAIMS_PER_SECOND, duration_text

    if claims >= LONG_RUN_CLAIMS:
        err.print(f"verifying {claims:,} claims: about {duration_text(claims)} at {REFERENCE_CLAIMS_PER_SECOND} claims/s "
                  "on 2 CPU cores (the progress bar shows this machine's rate)", highlight=False)


PIPELINE_FLAGS = ("model", "engine", "trust_remote_code", "temperature", "cache", "top_k", "index_dir", "checks",
                  "pairs", "settle", "windows_kept", "aggregator", "support_threshold", "contradict_threshold", "all_claims",
                  "label_map", "retriever", "lexicons")


@app.command()
@settings_options(*PIPELINE_FLAGS, "max_claims", defaults={"max_claims": MAX_CLAIMS, "cache": True})
def check(article: Path = typer.Argument(..., help="The article to check."),
          corpus: Path = typer.Option(..., "--corpus", "-c", help="Reference corpus folder/file, or a built index folder."),
          out_paths: List[Path] = typer.Option([], "--out", "-o", help="Report file(s): .json .jsonl .md .html .xml (JUnit) .sarif (SARIF 2.1.0); '-' prints the JSON report on stdout. Repeatable."),
          date: Optional[str] = typer.Option(None, help="Document date YYYY-MM-DD for relative dates (else found in the text)."),
          fail_on_contradicted: bool = typer.Option(False, help="Exit 1 when any claim is contradicted."),
          output_format: str = FORMAT_OPTION,
          failures_only: bool = ONLY_FAILURES_OPTION,
          settings: Settings = None, profile=None, profile_path: Optional[Path] = None, quiet: bool = False):
    """Extract claims from ARTICLE, retrieve evidence from the corpus, and give each a verdict."""
    from .extract import load_document
    from .pipeline import Pipeline
    from .profile import check_profile_model
    from .report import render_terminal, write_report

    from .report.annotations import check_format

    check_format(output_format)
    to_stdout = any(str(p) == STDOUT for p in out_paths)
    if to_stdout and output_format == "github":
        raise InputError("-o - and --format github both write to stdout: choose one")
    files = [p for p in out_paths if str(p) != STDOUT]
    quiet = quiet or to_stdout  # stdout holds the JSON report alone
    _check_outputs(files)
    index_dir = Path(settings.index_dir) if settings.index_dir else None
    refuse_overwriting_inputs(files, [article, corpus, index_dir, profile_path])
    doc = load_document(article, date=_parse_date(date))
    bars = Bars(err, enabled=not quiet)
    pipe = Pipeline(settings, progress=bars, on_claims=None if quiet else _announce)
    if profile:
        check_profile_model(profile, pipe.verifier)
    with bars:
        full = report = pipe.check(doc, corpus)
    if failures_only:
        from .report.annotations import only_failures

        report = only_failures(report)
    for p in files:
        write_report(report, p)
    if to_stdout:
        from .report.json_formats import render_json

        sys.stdout.write(render_json(report))
        sys.stdout.flush()
    if not quiet:
        render_terminal(report, out)
        for p in files:
            out.print(f"wrote {p}")
    if output_format == "github":
        from .report import render_markdown
        from .report.annotations import append_step_summary, github_commands, report_annotations

        sys.stdout.write(github_commands(report_annotations(report)))
        append_step_summary(render_markdown(report))
    if fail_on_contradicted and full.summary.get("contradicted", 0):
        raise typer.Exit(1)


SCORE_FLAGS = ("model", "engine", "trust_remote_code", "temperature", "cache", "checks", "pairs", "settle", "windows_kept",
               "aggregator", "support_threshold", "contradict_threshold", "all_claims", "label_map", "lexicons")


@app.command()
@settings_options(*SCORE_FLAGS, defaults={"cache": True})
def score(data: Path = typer.Argument(..., help="Table of (context, answer) rows: .jsonl, .csv or .parquet."),
          out_path: Path = typer.Option(..., "--out", "-o", help="The claims table: .csv, .jsonl or .parquet; '-' prints CSV on stdout."),
          context_col: str = typer.Option("context", "--context-col", help="Column holding each answer's context (a text, or a list of texts in JSONL/Parquet)."),
          answer_col: str = typer.Option("answer", "--answer-col", help="Column holding the answer to split into claims."),
          id_col: Optional[str] = typer.Option(None, "--id-col", help="Column of answer ids (default: the row number from 0)."),
          settings: Settings = None, profile=None, quiet: bool = False):
    """Faithfulness of answers to their own contexts: one row per claim (no corpus, no index)."""
    from .io import atomic_write
    from .pipeline import Pipeline
    from .profile import check_profile_model
    from .scoring import TABLE_SUFFIXES, answers_frame, read_pairs, score as run_score, table_bytes

    to_stdout = str(out_path) == "-"
    suffix = ".csv" if to_stdout else out_path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"--out {out_path}: unknown table format '{out_path.suffix}' (use {', '.join(TABLE_SUFFIXES)}, or - for stdout)")
    if not to_stdout:
        _check_output_folder(out_path)
        refuse_overwriting_inputs([out_path], [data])
    contexts, answers, ids = read_pairs(data, context_col, answer_col, id_col)
    bars = Bars(err, enabled=not quiet)
    pipe = Pipeline(settings, progress=bars)
    if profile:
        check_profile_model(profile, pipe.verifier)
    with bars:
        frame = run_score(contexts, answers, ids=ids, pipeline=pipe)
    if to_stdout:
        sys.stdout.write(table_bytes(frame, ".csv").decode("utf-8"))
    else:
        atomic_write(out_path, table_bytes(frame, suffix))
    if not quiet:
        faith = answers_frame(frame)["faithfulness"]
        err.print(f"{len(frame)} claims in {len(answers)} answers; mean faithfulness {faith.mean():.3f} "
                  f"(supported / check-worthy claims; {int(faith.isna().sum())} answers without one)"
                  + ("" if to_stdout else f"; wrote {out_path}"), highlight=False)


@app.command()
def train(recipe: Optional[Path] = typer.Option(None, "--recipe", help="Training recipe (YAML; the embedded model's is benchmarks/train/minilm-nli.yaml in the source repository)."),
          config: Optional[Path] = typer.Option(None, "--config", hidden=True, help="Deprecated name of --recipe."),
          resume: bool = typer.Option(False, help="Continue from the last checkpoint in the output folder."),
          export: Optional[str] = typer.Option(None, help="After training, export the best checkpoint as fp16 into EXPORT_TO/NAME and fit its temperature (calibration.json) on the recipe's dev slice; `--model NAME` then finds it."),
          export_to: Optional[Path] = typer.Option(None, "--export-to", help="Folder for --export (default: the user models folder, ~/.local/share/verify/models; verify/models to replace an embedded model in a source checkout).")):
    """Fine-tune an NLI verifier from a recipe. Resumable."""
    from .io import read_text
    from .nli.train import export_fp16, load_config, train as run_train

    if config is not None:
        warn_deprecated("train --config FILE", "--recipe FILE (--config names a settings file elsewhere)")
        recipe = recipe or config
    if recipe is None:
        raise InputError("give --recipe FILE: a training recipe (YAML); the embedded model's is "
                         "benchmarks/train/minilm-nli.yaml in the source repository")
    read_text(recipe, "recipe")  # clear error for a missing/unreadable file
    cfg = load_config(recipe)
    with Bars(err, enabled=sys.stderr.isatty()) as bars:
        best = run_train(cfg, resume=resume, progress=bars, log=err.print)
    if export:
        from .nli.calibrate import calibrate_model
        from .paths import user_models_dir

        folder = export_to if export_to is not None else user_models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        dst = export_fp16(best, folder / export)
        out.print(f"exported to {dst}")
        record = calibrate_model(dst, recipe)  # temperature on the recipe's dev slice (never held-out data)
        out.print(f"calibrated: temperature {record['temperature']} (NLL {record['nll']['before']} -> {record['nll']['after']})")


@app.command()
@settings_options("model", "engine", "checks", "aggregator", "pairs")
def calibrate(labelled: str = typer.Argument(..., help="JSONL of {evidence|premise, claim|hypothesis, label} rows, or a benchmark name (scifact, covid-fact, ...) with --split."),
              split: Optional[str] = typer.Option(None, help="Split of a benchmark name (use a train split: never calibrate on what you report)."),
              target_precision: float = typer.Option(0.9, min=0.0, max=1.0, help="Wanted precision of `contradicted` verdicts (0: none; both thresholds then maximise macro-F1)."),
              limit: Optional[int] = typer.Option(None, min=10, help="Use at most this many rows (a seeded sample)."),
              profile_out: Path = typer.Option(Path("verify-profile.json"), "--out", "-o", help="Where to write the profile (JSON); '-' prints it on stdout."),
              settings: Settings = None, quiet: bool = False):
    """Fit a calibration profile (temperature, verdict calibration, thresholds) on your own labelled claims."""
    import random

    from .io import atomic_write
    from .profile import fit_profile, read_rows

    if Path(labelled).is_file():
        rows, source = read_rows(labelled), Path(labelled).name
    else:
        from .bench.datasets import load_benchmark

        ds = load_benchmark(labelled, split, dedup=False)  # a train split: its overlap with nli/train/ is no leak
        rows = [{"evidence": list(e.evidence), "claim": e.claim, "label": e.label} for e in ds.examples if e.evidence]
        rows = [r for r in rows if r["label"] in ("supported", "contradicted", "not_enough_info")]
        source = f"{labelled}:{split or 'default split'}"
    if limit and len(rows) > limit:
        rows = random.Random(13).sample(rows, limit)
    to_stdout = str(profile_out) == STDOUT
    if not to_stdout:
        _check_outputs([profile_out])
        refuse_overwriting_inputs([profile_out], [Path(labelled)] if Path(labelled).exists() else [])
    prof = fit_profile(rows, settings, target_precision=target_precision, source=source)
    if to_stdout:
        sys.stdout.write(prof.model_dump_json(indent=1) + "\n")
        return
    atomic_write(profile_out, prof.model_dump_json(indent=1) + "\n")
    if quiet:
        return
    m = prof.metrics
    why = ("no target precision: both macro-F1-best" if target_precision == 0 else f"target precision {target_precision:g}"
           + ("" if m.get("target_precision_reached") else ", NOT reached on these rows: both are the macro-F1-best instead"))
    out.print(f"temperature {prof.temperature:g}; thresholds support {prof.support_threshold:g}, "
              f"contradict {prof.contradict_threshold:g} ({why})")
    out.print(f"verdict calibration fitted for the {prof.aggregator} aggregator (matrix scaling; see the profile)")
    out.print(f"on the {prof.rows} rows: macro-F1 {m['before']['macro_f1']} -> {m['after']['macro_f1']}, "
              f"contradicted precision {m['before']['contradicted_precision']} -> {m['after']['contradicted_precision']}, "
              f"ECE {m['before']['ece']} -> {m['after']['ece']}")
    out.print(f"wrote {profile_out}")


@app.command("train-aggregator")
@settings_options("model", "engine", "top_k", "pairs", "checks")
def train_aggregator_command(
        data_dir: Optional[Path] = typer.Option(None, help="Data root (default $VERIFY_DATA_DIR or ../shared/data beside a source checkout)."),
        out_file: Optional[Path] = typer.Option(None, "--out", help="Where to write the model JSON (default: verify/aggregate/learned.json, with LEARNED.md beside it)."),
        sources: str = typer.Option("scifact:train:oracle,scifact:train:retrieval", help="Comma-separated DATASET:train:oracle|retrieval[:N] sources (train splits only; DATASET may be nli:<set> of nli/train/; N = a seeded sample of N claims)."),
        settings: Settings = None, quiet: bool = False):
    """Fit the `learned` aggregator on claim-level train splits (SciFact train: gold evidence and retrieval)."""
    from .bench.train_aggregator import MODEL_FILE, parse_source, train_aggregator
    from .nli.verifier import resolve_engine

    out_path = out_file or MODEL_FILE
    chosen = tuple(x.strip() for x in sources.split(",") if x.strip())
    if not chosen:
        raise InputError("--sources: no source given")
    for source in chosen:
        parse_source(source)
    with Bars(err, enabled=not quiet) as bars:
        params = train_aggregator(chosen, settings.replace(engine=resolve_engine(settings.engine)), out=out_path,
                                  data_dir=str(data_dir) if data_dir else None, progress=bars)
    out.print(f"wrote {out_path} (cross-validated macro-F1 {params['cv']['cv_macro_f1']}, C={params['C']}) "
                  f"and {out_path.with_name('LEARNED.md')}")


@app.command()
def models():
    """List the embedded models and their held-out metrics."""
    from rich.table import Table

    from .nli.base import DEFAULT_MODEL
    from .paths import MODELS_DIR

    table = Table(title="embedded models (any Hugging Face NLI model id or folder also works with --model)")
    for col in ("name", "default", "size", "held-out metrics"):
        table.add_column(col)
    for d in sorted(p for p in MODELS_DIR.iterdir() if p.is_dir()) if MODELS_DIR.is_dir() else []:
        size = sum(f.stat().st_size for f in d.iterdir() if f.is_file()) / 1e6
        metrics = d / "metrics.json"
        shown = ""
        if metrics.exists():
            m = json.loads(metrics.read_text())
            shown = ", ".join(f"{k} {v:.1%}" for k, v in m.get("accuracy", {}).items())
        table.add_row(d.name, "yes" if d.name == DEFAULT_MODEL else "", f"{size:.0f} MB", shown)
    out.print(table)


# Commands that live with their stage (a broken import there is a bug, reported as one: never "No such command").
app.command("ci", help="Run curated claim sets with expected verdicts; fail on regressions.")(ci_command)
app.command("run", help="Verify a dataset of articles or claims in partitions, locally or on Ray; resumable.")(run_command)
app.command("serve", help="Serve the checker over HTTP: a web page and a JSON API (the serve extra).")(serve_command)
app.command("bench", help="Score the pipeline or a model on public benchmarks.")(bench_command)


def _click_exceptions():
    """typer ≥ 0.29 vendors its own click; usage errors may come from either copy."""
    import click

    mods = [click.exceptions]
    try:
        from typer._click import exceptions as vendored

        mods.append(vendored)
    except ImportError:
        pass
    return (tuple(m.ClickException for m in mods),
            tuple(m.Abort for m in mods if hasattr(m, "Abort")))


def main() -> None:
    click_errors, aborts = _click_exceptions()
    try:
        rc = app(standalone_mode=False)
    except VerifyError as e:
        from rich.markup import escape

        # escape: a message may hold brackets (`pip install "verify-claims[ray]"`, file names)
        # clip: one line, bounded, whatever the input put into the message
        err.print(f"[red]error:[/red] {escape(clip(e, MESSAGE_CHARS))}", highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except aborts:
        err.print("aborted")
        sys.exit(130)
    except click_errors as e:
        e.show()
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # a bug, not bad input: one line, traceback on request
        if os.environ.get("VERIFY_DEBUG"):
            raise
        from rich.markup import escape

        err.print(f"[red]internal error:[/red] {type(e).__name__}: {escape(clip(e, MESSAGE_CHARS))} "
                  "(rerun with VERIFY_DEBUG=1 for details)",
                  highlight=False, soft_wrap=True)
        sys.exit(3)
    sys.exit(rc if isinstance(rc, int) else 0)
