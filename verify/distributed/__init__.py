"""Verify datasets of articles or claims at scale: the same stages as `verify check`, cut into
fixed-size partitions, resumable, run in-process (`backend="local"`) or on Ray Data (`backend="ray"`).

    from verify import Settings
    from verify.distributed import run
    result = run("claims.jsonl", out="verdicts/", corpus="corpus/", backend="ray", settings=Settings(top_k=3))
"""
from ..settings import Settings
from .inputs import open_source
from .runner import RunResult, run
from .stages import RunSpec

__all__ = ["RunResult", "RunSpec", "Settings", "open_source", "run"]
