"""Corpus stage: load documents, chunk them into passages, retrieve evidence (BM25 + dense)."""
from __future__ import annotations

from .chunking import chunk, sentence_spans
from .encoder import DEFAULT_ENCODER, Encoder, TextEncoder
from .index import Index
from .loaders import SourceDoc, load_corpus
from .store import corpus_hash, default_index_dir, open_index

__all__ = [
    "DEFAULT_ENCODER",
    "Encoder",
    "Index",
    "SourceDoc",
    "TextEncoder",
    "chunk",
    "corpus_hash",
    "default_index_dir",
    "load_corpus",
    "open_index",
    "sentence_spans",
]
