"""Verify datasets of articles or claims at scale: the same stages as `verify check`, cut into
fixed-size partitions, resumable, run in-process (`engine="local"`) or on Ray Data (`engine="ray"`).

    from verify.distributed import Settings, run
    result = run("claims.jsonl", out="verdicts/", corpus="corpus/", engine="ray", settings=Settings(top_k=3))
"""
from .inputs import open_source
from .runner import RunResult, run
from .stages import Settings

__all__ = ["RunResult", "Settings", "open_source", "run"]
