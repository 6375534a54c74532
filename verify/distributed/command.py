"""`verify run`: the CLI face of verify/distributed (registered by verify/cli.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..bars import Bars

out = Console()
err = Console(stderr=True)

INPUT_HELP = ("JSONL or Parquet file (or a saved `datasets` folder) of articles (field `text`) or claims (field "
              "`claim`); optional `id` and `date` (YYYY-MM-DD) fields.")


def run_command(
    data: Path = typer.Argument(..., help=INPUT_HELP, show_default=False),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Output folder: run.json + one part-NNNNN file per partition."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", "-c", help="Reference corpus folder/file, or a built index folder."),
    index_dir: Optional[Path] = typer.Option(None, "--index", help="Index folder (default: in verify's cache, $VERIFY_CACHE_DIR); alone, a prebuilt index."),
    engine: str = typer.Option("local", help="local (in this process) or ray (Ray Data, on a local or existing cluster)."),
    address: Optional[str] = typer.Option(None, help="Ray cluster to join, e.g. auto or ray://head:10001 (default: $RAY_ADDRESS, else a local Ray)."),
    claims: bool = typer.Option(False, "--claims", help="Each row's `text` is one claim (rows with a `claim` field always are)."),
    fmt: str = typer.Option("jsonl", "--format", help="Partition files: jsonl or parquet."),
    partition_rows: int = typer.Option(1000, min=1, help="Input rows per partition (the unit of resume and retry)."),
    workers: Optional[int] = typer.Option(None, min=1, help="Ray: NLI scoring actors (default: one per GPU, else CPUs - 1)."),
    cpus_per_worker: float = typer.Option(1.0, min=0.01, help="Ray: CPUs per scoring actor (also its torch threads)."),
    gpus_per_worker: Optional[float] = typer.Option(None, min=0, help="Ray: GPUs per scoring actor (default: 1 when the cluster has GPUs)."),
    model: Optional[str] = typer.Option(None, help="Embedded model name, local folder or Hugging Face id (default: minilm-nli)."),
    top_k: int = typer.Option(5, min=1, max=100, help="Passages retrieved per claim."),
    support_threshold: float = typer.Option(0.5, min=0, max=1, help="Minimum P(supported) for a supported verdict."),
    contradict_threshold: float = typer.Option(0.5, min=0, max=1, help="Minimum P(contradicted) for a contradicted verdict."),
    checks: bool = typer.Option(True, "--checks/--no-checks", help="Numeric and date consistency checks."),
    all_claims: bool = typer.Option(False, help="Also verify claims marked not check-worthy."),
    trust_remote_code: bool = typer.Option(False, help="Allow a hub model's own Python code to run."),
    nli_engine: str = typer.Option("auto", help="Inference engine inside each worker: auto (bf16 where native, else torch), torch (fp32), bf16, or onnx (int8 ONNX Runtime)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress, no summary."),
) -> None:
    """Verify a dataset of articles or claims into partitioned verdict files; reruns resume."""
    from ..aggregate import Thresholds
    from ..errors import InputError
    from ..io import refuse_overwriting_inputs
    from . import Settings, run

    if corpus is None and index_dir is None:
        raise InputError("give --corpus or --index")
    refuse_overwriting_inputs([out_dir], [data, corpus, index_dir])
    settings = Settings(model=model, top_k=top_k, checks=checks, all_claims=all_claims, trust_remote_code=trust_remote_code,
                        thresholds=Thresholds(support=support_threshold, contradict=contradict_threshold),
                        partition_rows=partition_rows, format=fmt, nli_engine=nli_engine)
    with Bars(err, enabled=not quiet) as bars:
        result = run(data, out_dir, corpus=corpus, index=index_dir, engine=engine, address=address,
                     claims=True if claims else None, settings=settings, workers=workers,
                     cpus_per_worker=cpus_per_worker, gpus_per_worker=gpus_per_worker,
                     progress=bars)
    if not quiet:
        rate = f", {result.claims / result.seconds:.1f} claims/s" if result.seconds and result.claims else ""
        out.print(f"{result.written} partitions written ({result.claims} verdicts from {result.rows} rows{rate}), "
                  f"{result.skipped} already done, engine {result.engine}, into {result.out}", highlight=False)
