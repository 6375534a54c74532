"""Dense candidate search: exact inner product below a size threshold, a faiss IVF index above it.

Either way the candidates are rescored exactly against `embeddings.npy`, so the scores a user sees
never carry the ANN's quantisation error; the IVF index only decides which rows are looked at.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Optional, Protocol

import numpy as np

from ..errors import InputError
from ..registry import Progress, report

log = logging.getLogger(__name__)

ANN_MIN_PASSAGES = 200_000  # exact search costs ~1.5 GB of memory traffic per query block at 1M rows
NPROBE = 32
DENSE_FILE = "dense.faiss"
QUERY_BLOCK = 64
ADD_BLOCK = 50_000
TRAIN_PER_LIST = 64  # faiss warns under 39 training points per list; 64 keeps k-means cheap and stable
RETRAIN_GROWTH = 2.0  # appended rows beyond 2x the training set → retrain: stale centroids unbalance lists


class DenseSearch(Protocol):
    def top(self, query_vectors: np.ndarray, n: int) -> list[np.ndarray]: ...

    def settings(self) -> dict[str, Any]: ...

    def save(self, folder: Path) -> None: ...


def top_rows(scores: np.ndarray, n: int, positive_only: bool = False, rows: Optional[np.ndarray] = None) -> np.ndarray:
    """Row numbers of the n highest scores, best first, ties broken by row for determinism.
    With `rows`, `scores[i]` belongs to row `rows[i]` (a candidate subset)."""
    rows = np.arange(len(scores)) if rows is None else np.asarray(rows)
    if positive_only:
        keep = scores > 0
        rows, scores = rows[keep], scores[keep]
    if len(rows) > n:
        part = np.argpartition(-scores, n - 1)[:n]
        rows, scores = rows[part], scores[part]
    return rows[np.lexsort((rows, -scores))]


class ExactDense:
    """Every row scored: a matrix product per block of queries, bounded at QUERY_BLOCK x rows."""

    def __init__(self, embeddings: np.ndarray):
        self.embeddings = embeddings

    def top(self, query_vectors: np.ndarray, n: int) -> list[np.ndarray]:
        out = []
        for block in range(0, len(query_vectors), QUERY_BLOCK):
            scores = np.asarray(query_vectors[block : block + QUERY_BLOCK] @ self.embeddings.T, dtype=np.float32)
            out.extend(top_rows(row, n) for row in scores)
        return out

    def settings(self) -> dict[str, Any]:
        return {"kind": "exact"}

    def save(self, folder: Path) -> None:
        pass  # embeddings.npy is the whole index


def _faiss():
    try:
        import faiss
    except ImportError:
        return None
    return faiss


class IvfDense:
    """faiss IVF with 8-bit scalar-quantised lists (a quarter of the float32 size); nlist ~ sqrt(n)
    and a fixed nprobe make a query scan ~nprobe*sqrt(n) rows, so latency grows sub-linearly."""

    kind = "ivf-sq8"

    def __init__(self, index, embeddings: np.ndarray, nprobe: int, trained_on: int, source: Optional[Path] = None):
        self.index, self.embeddings = index, embeddings
        self.nprobe, self.trained_on, self.source = nprobe, trained_on, source

    @classmethod
    def build(cls, embeddings: np.ndarray, progress: Optional[Progress] = None, nprobe: int = NPROBE, seed: int = 0) -> IvfDense:
        faiss = _faiss()
        n, dim = embeddings.shape
        nlist = max(1, min(int(math.sqrt(n)), n // TRAIN_PER_LIST))
        index = faiss.index_factory(dim, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
        sample = np.sort(np.random.default_rng(seed).choice(n, size=min(n, TRAIN_PER_LIST * nlist), replace=False))
        stage = f"training {nlist} IVF lists"
        report(progress, stage, 0, None)
        index.train(np.ascontiguousarray(embeddings[sample], dtype=np.float32))
        report(progress, stage, 1, 1)
        ivf = cls(index, embeddings, nprobe, trained_on=n)
        ivf._add_rows(0, n, progress)
        return ivf

    def _add_rows(self, start: int, end: int, progress: Optional[Progress]) -> None:
        # Blocks bound the float32 copy when embeddings are float16 or memory-mapped.
        for block in range(start, end, ADD_BLOCK):
            rows = np.ascontiguousarray(self.embeddings[block : min(block + ADD_BLOCK, end)], dtype=np.float32)
            self.index.add(rows)
            report(progress, "adding vectors to the IVF index", block + len(rows) - start, end - start)

    def extended(self, embeddings: np.ndarray, progress: Optional[Progress] = None) -> Optional[IvfDense]:
        """This index plus rows appended at the end of `embeddings`; None when the centroids were
        trained on too small a share of the rows and a fresh build is better."""
        if len(embeddings) > RETRAIN_GROWTH * self.trained_on:
            return None
        faiss = _faiss()
        # A memory-mapped index is read-only (and faiss aborts on writes to it): reread it in full.
        index = faiss.read_index(str(self.source)) if self.source is not None else faiss.clone_index(self.index)
        ivf = IvfDense(index, embeddings, self.nprobe, self.trained_on)
        ivf._add_rows(index.ntotal, len(embeddings), progress)
        return ivf

    def top(self, query_vectors: np.ndarray, n: int) -> list[np.ndarray]:
        self.index.nprobe = self.nprobe
        _, candidates = self.index.search(np.ascontiguousarray(query_vectors, dtype=np.float32), n)
        out = []
        for query, rows in zip(query_vectors, candidates):
            rows = np.sort(rows[rows >= 0])  # -1 pads when the probed lists hold fewer than n rows
            exact = np.asarray(self.embeddings[rows] @ query, dtype=np.float32)
            out.append(top_rows(exact, n, rows=rows))
        return out

    def settings(self) -> dict[str, Any]:
        return {"kind": self.kind, "nlist": int(self.index.nlist), "nprobe": self.nprobe, "trained_on": self.trained_on}

    def save(self, folder: Path) -> None:
        _faiss().write_index(self.index, str(folder / DENSE_FILE))

    @classmethod
    def load(cls, folder: Path, embeddings: np.ndarray, settings: dict[str, Any], mmap: bool) -> IvfDense:
        faiss = _faiss()
        path = folder / DENSE_FILE
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        try:
            index = faiss.read_index(str(path), flags)
        except RuntimeError as err:  # faiss reports unreadable files as RuntimeError
            raise InputError(f"index at {folder} is damaged ({path.name}: {str(err).splitlines()[0]}); rebuild it") from err
        if index.ntotal != len(embeddings):
            raise InputError(f"index at {folder} is damaged ({path.name} has {index.ntotal} rows, embeddings {len(embeddings)}); rebuild it")
        return cls(index, embeddings, int(settings.get("nprobe", NPROBE)), int(settings.get("trained_on", index.ntotal)), path if mmap else None)


_warned_no_faiss = False


def _no_faiss(n: int) -> None:
    global _warned_no_faiss
    if not _warned_no_faiss:
        log.warning("%d passages: exact dense search, as faiss is not installed "
                    "(pip install 'verify-claims[ann]' for the approximate index)", n)
        _warned_no_faiss = True


def build_dense(embeddings: np.ndarray, threshold: int, progress: Optional[Progress] = None,
                reuse: Optional[DenseSearch] = None) -> DenseSearch:
    """The dense search for `embeddings`; `reuse` is an IVF index over a prefix of its rows."""
    if len(embeddings) < threshold:
        return ExactDense(embeddings)
    if _faiss() is None:
        _no_faiss(len(embeddings))
        return ExactDense(embeddings)
    if isinstance(reuse, IvfDense):
        extended = reuse.extended(embeddings, progress)
        if extended is not None:
            return extended
    return IvfDense.build(embeddings, progress)


def load_dense(folder: Path, embeddings: np.ndarray, settings: dict[str, Any], mmap: bool) -> DenseSearch:
    kind = settings.get("kind", "exact")
    if kind == "exact":
        return ExactDense(embeddings)
    if kind != IvfDense.kind:
        raise InputError(f"index at {folder} uses an unknown dense index kind {kind!r}; rebuild it")
    if _faiss() is None:
        # embeddings.npy is always complete, so the ANN file is only an accelerator.
        _no_faiss(len(embeddings))
        return ExactDense(embeddings)
    return IvfDense.load(folder, embeddings, settings, mmap)
