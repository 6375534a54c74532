"""`load_verifier`: a verifier by model and engine, or a plugin's, built once per process."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import InputError, ModelError
from ..registry import PLUGIN_PREFIX, VERIFIERS, Verifier
from ..settings import ENGINES
from .cache import CachedVerifier, ScoreCache
from .verifier import resolve_engine

_LOADED: dict[tuple, Verifier] = {}


def load_verifier(name_or_path: str | None = None, engine: str = "auto", cache: bool | str | Path = False,
                  **kwargs) -> Verifier:
    """The verifier for a model name, folder or hub id (None = the embedded default), or
    "plugin:NAME" for a verifier a package registered (entry point group `verify.verifiers`,
    see verify/registry.py; `engine` is then unused); loaded once per process.

    engine: "auto" (bf16 where native, else torch), "torch" (fp32), "bf16" (torch under bf16 autocast: fastest on CPUs with AMX or
    AVX-512 bf16, and on GPUs) or "onnx" (ONNX Runtime, int8 weights, exported once and cached).
    cache: True = the persistent score cache in the default folder, a path = that SQLite file,
    False = none. temperature= (a keyword) overrides the model folder's calibration.json (1.0 = raw). Scores come back from the cache for pairs already seen with the same model.
    """
    if name_or_path is not None and name_or_path.startswith(PLUGIN_PREFIX):
        key: tuple = (name_or_path, tuple(sorted(kwargs.items())))
        if key not in _LOADED:
            _LOADED[key] = VERIFIERS.create(name_or_path[len(PLUGIN_PREFIX):], **kwargs)
        verifier = _LOADED[key]
    else:
        if engine not in ENGINES:
            raise ModelError(f"unknown engine '{engine}' (choose from: {', '.join(ENGINES)})")
        engine = resolve_engine(engine)
        temperature = kwargs.pop("temperature", None)  # not part of the key: one model load serves every temperature
        key = (name_or_path, engine, tuple(sorted(kwargs.items())))
        if key not in _LOADED:
            _LOADED[key] = VERIFIERS.create(engine, name_or_path, **kwargs)
        verifier = _LOADED[key]
        if temperature is not None and temperature != verifier.temperature:
            verifier = verifier.with_temperature(temperature)
    if cache:
        try:
            return CachedVerifier(verifier, ScoreCache.open(None if cache is True else cache))
        except InputError as e:
            if cache is not True:  # a cache file the user named must work
                raise
            print(f"warning: {e}; continuing without it", file=sys.stderr)  # a read-only home must not stop a check
    return verifier
