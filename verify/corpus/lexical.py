"""BM25 over passages with bm25s (sparse score matrix), saved as JSON + .npy without pickle."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from ..registry import Progress, report
from ..text.words import index_tokens as tokenize


class Bm25:
    """Thin wrapper: exact BM25 scores of every passage for a query."""

    def __init__(self, model) -> None:  # a bm25s.BM25
        self.model = model

    @classmethod
    def build(cls, texts: list[str], progress: Optional[Progress] = None) -> "Bm25":
        """bm25s cannot append documents (each entry of its score matrix bakes in the IDF, which
        every new document changes), so adding files rebuilds this part in full."""
        import bm25s

        tokens: list[list[str]] = []
        for block in range(0, len(texts), 10_000):
            # An empty token list would make bm25s drop the document and shift every later row.
            tokens.extend(tokenize(t) or [""] for t in texts[block : block + 10_000])
            report(progress, "BM25: tokenizing passages", len(tokens), len(texts))
        model = bm25s.BM25()
        report(progress, "BM25: building the score matrix", 0, None)
        model.index(tokens, show_progress=False)
        report(progress, "BM25: building the score matrix", 1, 1)
        return cls(model)

    def scores(self, query: str) -> np.ndarray:
        vocab = self.model.vocab_dict
        ids = [vocab[t] for t in tokenize(query) if t in vocab]
        if not ids:
            return np.zeros(self.model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.model.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self.model.save(str(folder), corpus=None, allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> "Bm25":
        import bm25s

        return cls(bm25s.BM25.load(str(folder), mmap=mmap, load_corpus=False, allow_pickle=False))
