"""Verification models: the `Verifier` protocol, the transformers backend, and training."""
from .base import DEFAULT_MODEL, MODELS_DIR, resolve_model
from .verifier import ENGINES, BatchedVerifier, TransformersVerifier, Verifier, label_mapping, load_verifier

__all__ = ["DEFAULT_MODEL", "MODELS_DIR", "resolve_model", "Verifier", "BatchedVerifier", "TransformersVerifier", "ENGINES", "label_mapping", "load_verifier"]
