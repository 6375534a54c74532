"""`run(...)`: validate, open the index, lay out the output folder, then push the pending partitions
through the stages in-process (`engine="local"`) or on Ray Data (`engine="ray"`).

Output folder: `run.json` (settings, input and index fingerprints) and one `part-NNNNN.jsonl|parquet`
per partition of `partition_rows` input rows. A rerun skips partitions whose file exists; a
folder holding a different run (other input, index or settings) is refused rather than mixed.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from pydantic import BaseModel

from ..errors import InputError, VerifyError
from ..io import atomic_write
from ..registry import Progress, report
from .inputs import Source, open_source, partitions
from .stages import FORMATS, Extract, Retrieve, Score, Settings, Write, partition_name

ENGINES = ("local", "ray")
PARTITIONS = "verifying partitions"  # the progress stage
RUN_FILE = "run.json"
LIGHT_CPUS = 0.25  # logical CPUs a write task or retrieval actor asks Ray for
EXTRACT_CPUS = 0.2  # differs from LIGHT_CPUS so that Ray keeps extraction as its own tasks
# (equal resource requests would fuse it into the retrieval actors, capping its parallelism)
RAY_HINT = 'the Ray engine needs Ray: pip install "verify-claims[ray]"'


class RunResult(BaseModel):
    out: str
    partitions: int  # in the input
    written: int  # by this run
    skipped: int  # already there from an earlier run
    rows: int  # input rows in the partitions this run wrote
    claims: int  # verdicts this run wrote
    seconds: float
    engine: str
    workers: int


def run(data: Any, out: str | Path, corpus: str | Path | None = None, index: str | Path | None = None, *,
        engine: str = "local", address: Optional[str] = None, claims: Optional[bool] = None,
        settings: Optional[Settings] = None, workers: Optional[int] = None, cpus_per_worker: float = 1.0,
        gpus_per_worker: Optional[float] = None,
        progress: Optional[Progress] = None) -> RunResult:
    """Verify every article or claim in `data` (a .jsonl / .parquet path, a saved `datasets`
    folder, a `datasets.Dataset`, a DataFrame or a list of dicts) against `corpus` (or a built
    `index`), writing partitioned verdicts into `out`. `progress(stage, done, total)` is called per partition."""
    settings = settings or Settings()
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if settings.format not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}, got {settings.format!r}")
    if engine == "ray":
        _import_ray()  # before any work: a missing extra is a one-line fix
    out = _prepare_out(Path(out).expanduser())
    source = open_source(data, claims=claims, partition_rows=settings.partition_rows)
    # A bad model fails here, in the driver, before indexing (for Ray too: an error inside an
    # actor's constructor would reach us as Ray's, not as one line).
    scorer = Score(settings)
    from ..corpus import open_index

    idx = open_index(corpus, index_dir=index)
    _claim_run(out, source, settings, idx)

    layout = list(partitions(source.rows, settings.partition_rows))
    pending = [p for p in layout if not (out / partition_name(p[0], settings.format)).exists()]
    t0 = time.perf_counter()
    if engine == "local":
        results, used = _run_local(source, pending, settings, str(idx.path), str(out), scorer, progress), 1
    else:
        results, used = _run_ray(source, pending, settings, str(idx.path), str(out), address, workers,
                                 cpus_per_worker, gpus_per_worker, progress)
    return RunResult(out=str(out), partitions=len(layout), written=len(results), skipped=len(layout) - len(pending),
                     rows=sum(r["rows"] for r in results), claims=sum(r["claims"] for r in results),
                     seconds=round(time.perf_counter() - t0, 3), engine=engine, workers=used)


# ---------------------------------------------------------------- output folder


def _prepare_out(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out must be a folder, but {out} is a file")
    if not out.exists():
        if not out.parent.is_dir():
            raise InputError(f"output folder's parent does not exist: {out.parent}")
        if not os.access(out.parent, os.W_OK):
            raise InputError(f"cannot create the output folder (parent not writable): {out}")
    elif not os.access(out, os.W_OK):
        raise InputError(f"output folder is not writable: {out}")
    return out


def _claim_run(out: Path, source: Source, settings: Settings, idx) -> None:
    """Write run.json, or check that the folder's earlier run is this same run (so resuming cannot
    mix answers of two inputs, indexes or settings)."""
    record = {"input": source.label, "input_digest": source.digest, "rows": source.rows,
              "claims_mode": source.claims, "field": source.field,
              "index": str(idx.path), "index_hash": idx.manifest.get("corpus_hash"),
              "settings": settings.model_dump(mode="json")}
    previous = out / RUN_FILE
    if previous.exists():
        try:
            old = json.loads(previous.read_text(encoding="utf-8"))
        except ValueError:
            raise InputError(f"{previous} is damaged; use a new --out folder") from None
        keys = ("input_digest", "index_hash", "settings", "claims_mode")
        changed = [k for k in keys if old.get(k) != record[k]]
        if changed:
            raise InputError(f"{out} holds a different run (changed: {', '.join(changed)}); use a new --out folder")
        return
    out.mkdir(exist_ok=True)
    atomic_write(previous, json.dumps(record, indent=2, sort_keys=True) + "\n")


def _tasks(source: Source, pending: Iterable[tuple[int, int, int]]) -> list[dict]:
    rows = []
    for part, first, stop in pending:
        inline = source.inline(first, stop)
        rows.append({"part": part, "first": first, "stop": stop,
                     "inline": json.dumps([d.model_dump_json() for d in inline]) if inline is not None else ""})
    return rows


# ---------------------------------------------------------------- engines


def _run_local(source, pending, settings, index_path, out, scorer, progress) -> list[dict]:
    """The same stages, called in order in this process: the reference the Ray engine must match."""
    extract, retrieve, write = Extract(source, settings), Retrieve(index_path, settings), Write(out, settings)
    results = []
    for task in _tasks(source, pending):
        results.append(write(scorer(retrieve(extract(task)))))
        report(progress, PARTITIONS, len(results), len(pending))
    return results


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise VerifyError(RAY_HINT) from None
    return ray


def _run_ray(source, pending, settings, index_path, out, address, workers, cpus_per_worker, gpus_per_worker,
             progress) -> tuple[list[dict], int]:
    ray = _import_ray()
    started = not ray.is_initialized()
    if started:
        import logging

        # address=None starts a local Ray (or joins $RAY_ADDRESS); "auto" joins `ray start --head`.
        local = address is None and not os.environ.get("RAY_ADDRESS")
        ray.init(address=address, logging_level=logging.WARNING, **({"include_dashboard": False} if local else {}))
    try:
        resources = ray.cluster_resources()
        gpus = gpus_per_worker if gpus_per_worker is not None else (1.0 if resources.get("GPU", 0) >= 1 else 0.0)
        if workers is None:  # one scorer per GPU, else every CPU but one left for the light stages
            workers = int(resources["GPU"] // gpus) if gpus else int((resources.get("CPU", 1) - 1) // cpus_per_worker)
        workers = max(1, workers)
        if not pending:
            return [], workers
        return _ray_pipeline(ray, source, pending, settings, index_path, out, workers, cpus_per_worker, gpus,
                             progress), workers
    except Exception as err:  # a VerifyError raised inside a worker reaches us wrapped by Ray
        cause = _verify_error_in(err)
        if cause is not None:
            raise cause from None
        raise
    finally:
        if started:
            ray.shutdown()


def _extract(row: dict, source: Source, settings: Settings) -> dict:
    return Extract(source, settings)(row)


def _write(row: dict, out: str, settings: Settings) -> dict:
    return Write(out, settings)(row)


def _ray_pipeline(ray, source, pending, settings, index_path, out, workers, cpus_per_worker, gpus,
                  progress) -> list[dict]:
    import logging

    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # our own bar counts finished partitions
    ctx.execution_options.preserve_order = False  # results stream back as partitions finish
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-run INFO lines on the terminal
    tasks = _tasks(source, pending)
    # One row per partition, one block per row: a partition is the unit of retry and of output.
    ds = ray.data.from_items(tasks, override_num_blocks=len(tasks))
    # Ray Data retries a task and restarts an actor whose worker died, without limit by default;
    # a retried partition rewrites the same file name, so nothing is lost or duplicated.
    pool = ray.data.ActorPoolStrategy
    ds = ds.map(_extract, fn_kwargs={"source": source, "settings": settings}, num_cpus=EXTRACT_CPUS)
    ds = ds.map(Retrieve, fn_constructor_args=(index_path, settings), num_cpus=LIGHT_CPUS,
                compute=pool(min_size=1, max_size=max(1, workers // 2)))
    ds = ds.map(Score, fn_constructor_args=(settings,), fn_constructor_kwargs={"threads": max(1, int(cpus_per_worker))},
                num_cpus=cpus_per_worker, num_gpus=gpus or None, compute=pool(size=workers))
    ds = ds.map(_write, fn_kwargs={"out": out, "settings": settings}, num_cpus=LIGHT_CPUS)
    results = []
    for row in ds.iter_rows():
        results.append(dict(row))
        report(progress, PARTITIONS, len(results), len(tasks))
    return results


def _verify_error_in(err: Optional[BaseException]) -> Optional[VerifyError]:
    """The VerifyError inside Ray's wrappers (RayTaskError keeps it as `.cause`)."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        inner = getattr(err, "cause", None)
        if inner is None and isinstance(err, VerifyError):
            return err
        err = inner if isinstance(inner, BaseException) else err.__cause__
    return None
