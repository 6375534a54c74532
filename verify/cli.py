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
from .errors import MESSAGE_CHARS, InputError, VerifyError, clip
from .io import refuse_overwriting_inputs
from .serve.command import serve_command

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Check the facts in a text against a reference corpus, offline.")
err = Console(stderr=True)
out = Console()

REPORT_SUFFIXES = (".json", ".jsonl", ".md", ".html", ".xml")


def _parse_date(value: Optional[str]) -> Optional[dt.date]:
    from .io import parse_date

    return parse_date(value, "--date")


def _check_outputs(paths: List[Path]) -> None:
    """Validate every --out before any work, so a bad path fails fast and writes nothing."""
    for p in paths:
        if p.suffix.lower() not in REPORT_SUFFIXES:
            raise InputError(f"--out {p}: unknown report format '{p.suffix}' (use {', '.join(REPORT_SUFFIXES)})")
        parent = p.parent if str(p.parent) else Path(".")
        if not parent.is_dir():
            raise InputError(f"--out {p}: folder does not exist: {parent}")
        if not os.access(parent, os.W_OK):
            raise InputError(f"--out {p}: folder is not writable: {parent}")


# -- text (helper "text"): user lexicons merged over the built-in word lists --------------------
LEXICON_OPTION = typer.Option([], "--lexicon", help="Lexicon file (YAML/JSON) merged over the built-in word lists: name aliases, nationalities, event and counted nouns, unit aliases (docs/lexicons.md). Repeatable.")


def _use_lexicons(paths: List[Path]) -> tuple[str, ...]:
    """Load (and check: a bad file is exit 2) the lexicon files and make them the ones in use."""
    from .text import lexicon

    names = tuple(str(p) for p in paths)
    lexicon.use(lexicon.load(names))
    return names


@app.command()
def extract(article: Path = typer.Argument(..., help="Text file (UTF-8 or a detectable encoding)."),
            date: Optional[str] = typer.Option(None, help="Document date YYYY-MM-DD (else found in the text)."),
            as_json: bool = typer.Option(False, "--json", help="Print the claims as JSON lines (streamed, no limit)."),
            max_claims: int = typer.Option(10_000, "--max-claims", min=1, help="Table mode: refuse an article with more claims than this."),
            lexicon: List[Path] = LEXICON_OPTION):
    """Split an article into atomic claims with spans, types and check-worthiness."""
    from .extract import iter_claims, load_document

    _use_lexicons(lexicon)
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
def index(corpus: Path = typer.Argument(..., help="Folder of .txt/.md/.html files, or a .jsonl/.csv/.parquet file."),
          index_dir: Optional[Path] = typer.Option(None, "--index", help="Where to store the index (default: a folder in verify's cache, $VERIFY_CACHE_DIR; the corpus folder is never written)."),
          rebuild: bool = typer.Option(False, help="Rebuild even if the corpus is unchanged.")):
    """Build (or reuse) the BM25 + dense retrieval index of a corpus."""
    from .corpus import open_index

    with Bars(err) as bars:
        idx = open_index(corpus, index_dir=index_dir, rebuild=rebuild, progress=bars)
    reused = idx.manifest.get("reused_embeddings")
    out.print(f"index ready: {len(idx)} passages ({reused} embeddings reused), "
              f"corpus hash {str(idx.manifest.get('corpus_hash'))[:16]}, at {idx.path}")


ENGINE_OPTION = typer.Option("auto", help="Inference engine: auto (bf16 where the CPU/GPU runs it natively, else torch), torch (fp32), bf16 (torch bf16 autocast: fastest on CPUs with AMX / AVX-512 bf16) or onnx (int8 ONNX Runtime, exported once and cached; [onnx] extra).")
WINDOWS_OPTION = typer.Option(None, "--windows", min=1, help="Faster: score each passage whole plus only the N sentence windows closest to the claim (default: every window).")
PROFILE_OPTION = typer.Option(None, "--profile", help="Calibration profile (JSON from `verify calibrate`): temperature and verdict thresholds.")
MAX_CLAIMS = 1000
MAX_CLAIMS_OPTION = typer.Option(MAX_CLAIMS, "--max-claims", min=1, help="Refuse (exit 2) an article with more claims to verify than this, before any scoring (1000 claims take ~12 min on 2 CPU cores).")
LONG_RUN_CLAIMS = 100  # from this many claims on, say up front how long it will take


def _announce(claims: int) -> None:
    from .pipeline import REFERENCE_CLAIMS_PER_SECOND, duration_text

    if claims >= LONG_RUN_CLAIMS:
        err.print(f"verifying {claims:,} claims: about {duration_text(claims)} at {REFERENCE_CLAIMS_PER_SECOND} claims/s "
                  "on 2 CPU cores (the progress bar shows this machine's rate)", highlight=False)


PAIRS_OPTION = typer.Option("8", "--pairs", help="Evidence windows scored per claim (NLI pairs), the best by word overlap with the claim; 'all' scores every window.")
AGGREGATOR_OPTION = typer.Option("rules", "--aggregator", help="How window scores and checks become a verdict: rules (the documented rule) or learned (a logistic regression trained on SciFact train).")
CACHE_OPTION = typer.Option(True, "--cache/--no-cache", help="Reuse scores of pairs already seen, from a SQLite file in $VERIFY_CACHE_DIR (default ~/.cache/verify).")


def _aggregator(name: str) -> str:
    from .aggregate import AGGREGATORS

    if name not in AGGREGATORS:
        raise InputError(f"unknown aggregator '{name}' (choose from: {', '.join(AGGREGATORS)})")
    return name


@app.command()
def check(article: Path = typer.Argument(..., help="The article to check."),
          corpus: Path = typer.Option(..., "--corpus", "-c", help="Reference corpus folder/file, or a built index folder."),
          out_paths: List[Path] = typer.Option([], "--out", "-o", help="Report file(s): .json .jsonl .md .html .xml (JUnit). Repeatable."),
          model: Optional[str] = typer.Option(None, help="Embedded model name, local folder, Hugging Face id, or plugin:NAME (a verifier a package registered; see README Architecture). Default: the embedded minilm-nli."),
          top_k: int = typer.Option(5, min=1, max=100, help="Passages retrieved per claim."),
          date: Optional[str] = typer.Option(None, help="Document date YYYY-MM-DD for relative dates (else found in the text)."),
          index_dir: Optional[Path] = typer.Option(None, "--index", help="Index folder (default: in verify's cache, $VERIFY_CACHE_DIR)."),
          support_threshold: Optional[float] = typer.Option(None, min=0, max=1, help="Minimum P(supported) for a supported verdict (default 0.5, or the profile's)."),
          contradict_threshold: Optional[float] = typer.Option(None, min=0, max=1, help="Minimum P(contradicted) for a contradicted verdict (default 0.5, or the profile's)."),
          profile: Optional[Path] = PROFILE_OPTION,
          checks: bool = typer.Option(True, "--checks/--no-checks", help="Numeric and date consistency checks."),
          all_claims: bool = typer.Option(False, help="Also verify claims marked not check-worthy."),
          fail_on_contradicted: bool = typer.Option(False, help="Exit 1 when any claim is contradicted."),
          trust_remote_code: bool = typer.Option(False, help="Allow a hub model's own Python code to run (off by default: it is code from the internet)."),
          engine: str = ENGINE_OPTION,
          cache: bool = CACHE_OPTION,
          windows: Optional[int] = WINDOWS_OPTION,
          max_claims: int = MAX_CLAIMS_OPTION,
          pairs: str = PAIRS_OPTION,
          aggregator: str = AGGREGATOR_OPTION,
          lexicon: List[Path] = LEXICON_OPTION,
          quiet: bool = typer.Option(False, "--quiet", "-q", help="No table, no progress.")):
    """Extract claims from ARTICLE, retrieve evidence from the corpus, and give each a verdict."""
    from .extract import load_document
    from .pipeline import Pipeline, parse_pairs
    from .report import render_terminal, write_report

    from .profile import check_profile_model, load_profile, pipeline_settings

    _check_outputs(out_paths)
    refuse_overwriting_inputs(out_paths, [article, corpus, index_dir] + ([profile] if profile else []))
    prof = load_profile(profile) if profile else None
    doc = load_document(article, date=_parse_date(date))
    bars = Bars(err, enabled=not quiet)
    pipe = Pipeline(model=model, top_k=top_k, checks=checks, index_dir=str(index_dir) if index_dir else None,
                    all_claims=all_claims, progress=bars, trust_remote_code=trust_remote_code,
                    engine=engine, cache=cache, windows_kept=windows, max_claims=max_claims,
                    on_claims=None if quiet else _announce, pairs=parse_pairs(pairs),
                    aggregator=_aggregator(aggregator), lexicons=_use_lexicons(lexicon),
                    **pipeline_settings(prof, support_threshold, contradict_threshold))
    if prof:
        check_profile_model(prof, pipe.verifier)
    with bars:
        report = pipe.check(doc, corpus)
    for p in out_paths:
        write_report(report, p)
    if not quiet:
        render_terminal(report, out)
        for p in out_paths:
            out.print(f"wrote {p}")
    if fail_on_contradicted and report.summary.get("contradicted", 0):
        raise typer.Exit(1)


@app.command()
def train(config: Path = typer.Option(Path("benchmarks/train/minilm-nli.yaml"), help="Training config (YAML)."),
          resume: bool = typer.Option(False, help="Continue from the last checkpoint in the output folder."),
          export: Optional[str] = typer.Option(None, help="After training, export the best checkpoint as fp16 into verify/models/NAME and fit its temperature (calibration.json) on the config's dev slice.")):
    """Fine-tune an NLI verifier (default: the embedded minilm-nli recipe). Resumable."""
    from .io import read_text
    from .nli.train import export_fp16, load_config, train as run_train

    read_text(config, "config")  # clear error for a missing/unreadable file
    cfg = load_config(config)
    with Bars(err, enabled=sys.stderr.isatty()) as bars:
        best = run_train(cfg, resume=resume, progress=bars, log=err.print)
    if export:
        from .paths import MODELS_DIR
        from .nli.calibrate import calibrate_model

        dst = export_fp16(best, MODELS_DIR / export)
        out.print(f"exported to {dst}")
        record = calibrate_model(dst, config)  # temperature on the config's dev slice (never held-out data)
        out.print(f"calibrated: temperature {record['temperature']} (NLL {record['nll']['before']} -> {record['nll']['after']})")


@app.command()
def calibrate(labelled: str = typer.Argument(..., help="JSONL of {evidence|premise, claim|hypothesis, label} rows, or a benchmark name (scifact, covid-fact, ...) with --split."),
              model: Optional[str] = typer.Option(None, help="Model to calibrate (default: the embedded minilm-nli)."),
              engine: str = ENGINE_OPTION,
              split: Optional[str] = typer.Option(None, help="Split of a benchmark name (use a train split: never calibrate on what you report)."),
              target_precision: float = typer.Option(0.9, min=0.05, max=1.0, help="Wanted precision of `contradicted` verdicts."),
              checks: bool = typer.Option(True, "--checks/--no-checks", help="Numeric and date consistency checks while fitting."),
              limit: Optional[int] = typer.Option(None, min=10, help="Use at most this many rows (a seeded sample)."),
              profile_out: Path = typer.Option(Path("verify-profile.json"), "--out", "-o", help="Where to write the profile (JSON).")):
    """Fit a calibration profile (temperature + verdict thresholds) on your own labelled claims."""
    import random

    from .io import atomic_write
    from .profile import fit_profile, read_rows

    if Path(labelled).is_file():
        rows, source = read_rows(labelled), Path(labelled).name
    else:
        from .bench.datasets import load_benchmark

        ds = load_benchmark(labelled, split, dedup=False)  # a train split: its overlap with nli/train/ is no leak
        rows = [{"evidence": " ".join(e.evidence), "claim": e.claim, "label": e.label} for e in ds.examples if e.evidence]
        rows = [r for r in rows if r["label"] in ("supported", "contradicted", "not_enough_info")]
        source = f"{labelled}:{split or 'default split'}"
    if limit and len(rows) > limit:
        rows = random.Random(13).sample(rows, limit)
    _check_outputs([profile_out])
    refuse_overwriting_inputs([profile_out], [Path(labelled)] if Path(labelled).exists() else [])
    prof = fit_profile(rows, model=model, engine=engine, target_precision=target_precision, checks=checks, source=source)
    atomic_write(profile_out, prof.model_dump_json(indent=1) + "\n")
    m = prof.metrics
    out.print(f"temperature {prof.temperature:g}; thresholds support {prof.support_threshold:g}, "
              f"contradict {prof.contradict_threshold:g} (target precision {target_precision:g}"
              f"{'' if m.get('target_precision_reached') else ', NOT reached on these rows: contradict is the macro-F1-best instead'})")
    out.print(f"on the {prof.rows} rows: macro-F1 {m['before']['macro_f1']} -> {m['after']['macro_f1']}, "
              f"contradicted precision {m['before']['contradicted_precision']} -> {m['after']['contradicted_precision']}")
    out.print(f"wrote {profile_out}")


@app.command("train-aggregator")
def train_aggregator_command(
        data_dir: Optional[Path] = typer.Option(None, help="Data root (default $VERIFY_DATA_DIR or ../shared/data)."),
        engine: str = typer.Option("auto", help="NLI engine used to compute the features (as at run time)."),
        out_file: Optional[Path] = typer.Option(None, "--out", help="Where to write the model JSON (default: verify/aggregate/learned.json, with LEARNED.md beside it)."),
        sources: str = typer.Option("scifact:train:oracle,scifact:train:retrieval", help="Comma-separated dataset:split:mode train sources (train splits only).")):
    """Fit the `learned` aggregator on claim-level train splits (SciFact train: gold evidence and retrieval)."""
    from .bench.train_aggregator import MODEL_FILE, train_aggregator
    from .nli.verifier import resolve_engine

    out_path = out_file or MODEL_FILE
    chosen = tuple(x.strip() for x in sources.split(",") if x.strip())
    if not chosen or any(len(x.split(":")) != 3 or x.split(":")[1] != "train" for x in chosen):
        raise InputError(f"--sources: the aggregator trains on train splits only (DATASET, train, oracle or retrieval, "
                         f"joined by colons), got {sources!r}")
    with Bars(err) as bars:
        params = train_aggregator(chosen, out=out_path, engine=resolve_engine(engine),
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
