"""Verification models: the transformers and ONNX backends, `load_verifier`, and training.
The `Verifier` protocol itself is in verify/registry.py."""
from ..registry import Verifier
from .base import DEFAULT_MODEL, MODELS_DIR, resolve_model
from .load import load_verifier
from .verifier import BatchedVerifier, TransformersVerifier, label_mapping

__all__ = ["DEFAULT_MODEL", "MODELS_DIR", "resolve_model", "Verifier", "BatchedVerifier", "TransformersVerifier",
           "label_mapping", "load_verifier"]
