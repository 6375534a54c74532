"""`verify run`: the CLI face of verify/distributed (registered by verify/cli.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..bars import Bars
from ..options import settings_options, warn_deprecated
from ..settings import Settings
from .runner import BACKENDS

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)

INPUT_HELP = ("JSONL or Parquet file (or a saved `datasets` folder) of articles (field `text`) or claims (field "
              "`claim`); optional `id` and `date` (YYYY-MM-DD) fields.")


RUN_FLAGS = ("model", "engine", "trust_remote_code", "temperature", "top_k", "index_dir", "checks", "pairs", "settle",
             "windows_kept", "aggregator", "support_threshold", "contradict_threshold", "all_claims", "label_map", "retriever")


def _aliases(given: dict, kwargs: dict) -> None:
    """Deprecated spellings: `--engine local|ray` (now --backend) and `--nli-engine` (now --engine)."""
    if given.get("engine") in BACKENDS:
        warn_deprecated(f"run --engine {given['engine']}", f"--backend {given['engine']} (--engine is the NLI engine)")
        if kwargs.get("backend") is None:
            kwargs["backend"] = given["engine"]
        given["engine"] = None
    nli_engine = kwargs.pop("nli_engine")
    if nli_engine is not None:
        warn_deprecated("run --nli-engine", "--engine")
        given["engine"] = given.get("engine") or nli_engine


@settings_options(*RUN_FLAGS, before=_aliases)
def run_command(
    data: Path = typer.Argument(..., help=INPUT_HELP, show_default=False),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Output FOLDER (not a file): run.json + one part-NNNNN file per partition."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", "-c", help="Reference corpus folder/file, or a built index folder."),
    backend: Optional[str] = typer.Option(None, "--backend", help="Where partitions run: local (in this process; the default) or ray (Ray Data, on a local or existing cluster)."),
    address: Optional[str] = typer.Option(None, help="Ray cluster to join, e.g. auto or ray://head:10001 (default: $RAY_ADDRESS, else a local Ray)."),
    claims: bool = typer.Option(False, "--claims", help="Each row's `text` is one claim (rows with a `claim` field always are)."),
    fmt: str = typer.Option("jsonl", "--format", help="Partition files: jsonl or parquet."),
    partition_rows: int = typer.Option(1000, min=1, help="Input rows per partition (the unit of resume and retry)."),
    workers: Optional[int] = typer.Option(None, min=1, help="Ray: NLI scoring actors (default: one per GPU, else CPUs - 1)."),
    cpus_per_worker: float = typer.Option(1.0, min=0.01, help="Ray: CPUs per scoring actor (also its torch threads)."),
    gpus_per_worker: Optional[float] = typer.Option(None, min=0, help="Ray: GPUs per scoring actor (default: 1 when the cluster has GPUs)."),
    nli_engine: Optional[str] = typer.Option(None, "--nli-engine", hidden=True, help="Deprecated name of --engine."),
    settings: Settings = None, quiet: bool = False,
) -> None:
    """Verify a dataset of articles or claims into partitioned verdict files; reruns resume."""
    from ..errors import InputError
    from ..io import refuse_overwriting_inputs
    from . import run

    index_dir = Path(settings.index_dir) if settings.index_dir else None
    if corpus is None and index_dir is None:
        raise InputError("give --corpus or --index")
    if str(out_dir) == "-":
        raise InputError("--out is a folder for partition files, not '-'")
    refuse_overwriting_inputs([out_dir], [data, corpus, index_dir])
    with Bars(err, enabled=not quiet) as bars:
        result = run(data, out_dir, corpus=corpus, index=index_dir, backend=backend or "local", address=address,
                     claims=True if claims else None, settings=settings, partition_rows=partition_rows, format=fmt,
                     workers=workers, cpus_per_worker=cpus_per_worker, gpus_per_worker=gpus_per_worker,
                     progress=bars)
    if not quiet:
        rate = f", {result.claims / result.seconds:.1f} claims/s" if result.seconds and result.claims else ""
        out.print(f"{result.written} partitions written ({result.claims} verdicts from {result.rows} rows{rate}), "
                  f"{result.skipped} already done, backend {result.backend}, into {result.out}", highlight=False)
