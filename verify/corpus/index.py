"""Hybrid passage index: BM25 + dense inner product, fused by reciprocal rank.

On disk (no pickle anywhere):
    manifest.json     format, hashes, settings, encoder name, counts
    passages.jsonl    one Passage per line, row i ↔ embedding row i ↔ BM25 document i
    embeddings.npy    float32/float16 (n, dim), unit rows, memory-mapped on load
    text_hashes.json  sha256 of each passage's encoded text, to reuse embeddings on rebuild
    bm25/             bm25s.save output (JSON + .npy, allow_pickle=False)
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..errors import InputError
from ..io import atomic_write
from ..records import Evidence, Passage
from .encoder import DEFAULT_ENCODER, Encoder, TextEncoder
from .lexical import Bm25

FORMAT = "verify-index/1"
MANIFEST = "manifest.json"
RRF_K = 60
CANDIDATES = 100  # per retriever, before fusion
QUERY_BLOCK = 64


def passage_input(passage: Passage) -> str:
    """The text both retrievers see: the title helps short passages that never name their topic."""
    return f"{passage.title}. {passage.text}" if passage.title else passage.text


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Index:
    def __init__(
        self,
        passages: list[Passage],
        embeddings: np.ndarray,
        bm25: Bm25,
        text_hashes: list[str],
        encoder: Optional[TextEncoder] = None,
        encoder_name: str = DEFAULT_ENCODER,
        manifest: Optional[dict[str, Any]] = None,
        rrf_k: int = RRF_K,
    ):
        if not (len(passages) == embeddings.shape[0] == len(text_hashes)):
            raise InputError("index is inconsistent: passage, embedding and hash counts differ")
        self.passages = passages
        self.embeddings = embeddings
        self.bm25 = bm25
        self.text_hashes = text_hashes
        self._encoder = encoder
        self.encoder_name = encoder.name if encoder is not None else encoder_name
        self.manifest: dict[str, Any] = dict(manifest or {})
        self.rrf_k = rrf_k
        self.path: Optional[Path] = None  # where it was saved or loaded from

    def __len__(self) -> int:
        return len(self.passages)

    # ---------------------------------------------------------------- building

    @classmethod
    def build(
        cls,
        passages: list[Passage],
        encoder: Optional[TextEncoder] = None,
        progress: bool = True,
        dtype: str = "float32",
        reuse: Optional["Index"] = None,
        batch_size: int = 64,
        rrf_k: int = RRF_K,
    ) -> "Index":
        """Embed and BM25-index `passages`. Rows whose text `reuse` already embedded (with the same
        encoder) are copied rather than recomputed, so adding files to a corpus is cheap."""
        if not passages:
            raise InputError("cannot build an index from zero passages")
        if len({p.id for p in passages}) != len(passages):
            raise InputError("passage ids must be unique (are two documents sharing an id?)")
        if dtype not in ("float32", "float16"):
            raise InputError(f"embedding dtype must be float32 or float16, got {dtype}")
        encoder_name = encoder.name if encoder is not None else DEFAULT_ENCODER
        texts = [passage_input(p) for p in passages]
        hashes = [text_hash(t) for t in texts]

        known: dict[str, int] = {}
        if reuse is not None and reuse.encoder_name == encoder_name:
            known = {h: row for row, h in enumerate(reuse.text_hashes)}
        missing = [i for i, h in enumerate(hashes) if h not in known]
        if missing and encoder is None:  # loading the model is skipped when every row is reused
            encoder = Encoder()
        fresh = encoder.encode([texts[i] for i in missing], batch_size=batch_size, progress=progress) if missing and encoder is not None else None
        dim = fresh.shape[1] if fresh is not None else reuse.embeddings.shape[1]  # type: ignore[union-attr]
        embeddings = np.empty((len(passages), dim), dtype=dtype)
        if fresh is not None:
            embeddings[missing] = fresh
        for i, h in enumerate(hashes):
            if h in known:
                embeddings[i] = reuse.embeddings[known[h]]  # type: ignore[union-attr]

        bm25 = Bm25.build(texts, progress=progress and len(texts) >= 10_000)
        index = cls(passages, embeddings, bm25, hashes, encoder=encoder, encoder_name=encoder_name, rrf_k=rrf_k)
        index.manifest.update(reused_embeddings=len(passages) - len(missing))
        return index

    # ---------------------------------------------------------------- persistence

    def save(self, folder: str | Path, extra: Optional[dict[str, Any]] = None) -> Path:
        """Write the index into `folder`, replacing any index there only once it is complete."""
        target = Path(folder).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; an index is meant to be shared
        try:
            with open(staging / "passages.jsonl", "w", encoding="utf-8") as f:
                for p in self.passages:
                    f.write(p.model_dump_json() + "\n")
            np.save(staging / "embeddings.npy", np.ascontiguousarray(self.embeddings), allow_pickle=False)
            (staging / "text_hashes.json").write_text(json.dumps(self.text_hashes), encoding="utf-8")
            self.bm25.save(staging / "bm25")
            manifest = {
                **self.manifest,
                **(extra or {}),
                "format": FORMAT,
                "encoder": self.encoder_name,
                "passages": len(self.passages),
                "dim": int(self.embeddings.shape[1]),
                "dtype": str(self.embeddings.dtype),
                "rrf_k": self.rrf_k,
            }
            # The manifest goes in last: a folder without one is never mistaken for an index.
            atomic_write(staging / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
            _replace_dir(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.manifest, self.path = manifest, target
        return target

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True, encoder: Optional[TextEncoder] = None) -> "Index":
        folder = Path(folder).expanduser()
        manifest = read_manifest(folder)
        if manifest is None:
            raise InputError(f"not an index (no readable {MANIFEST} of format {FORMAT}): {folder}")
        try:
            with open(folder / "passages.jsonl", encoding="utf-8") as f:
                passages = [Passage.model_validate_json(line) for line in f if line.strip()]
            embeddings = np.load(folder / "embeddings.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
            hashes = json.loads((folder / "text_hashes.json").read_text(encoding="utf-8"))
            bm25 = Bm25.load(folder / "bm25", mmap=mmap)
        except (OSError, ValueError) as err:
            raise InputError(f"index at {folder} is damaged ({err}); rebuild it") from err
        index = cls(
            passages, embeddings, bm25, hashes, encoder=encoder,
            encoder_name=manifest.get("encoder", DEFAULT_ENCODER), manifest=manifest,
            rrf_k=int(manifest.get("rrf_k", RRF_K)),
        )
        index.path = folder
        return index

    # ---------------------------------------------------------------- search

    @property
    def encoder(self) -> TextEncoder:
        """Loaded on first query, so opening an index to inspect it costs nothing."""
        if self._encoder is None:
            self._encoder = Encoder(None if self.encoder_name == DEFAULT_ENCODER else self.encoder_name)
        return self._encoder

    def search(self, queries: list[str], k: int = 10, rrf_k: Optional[int] = None, candidates: int = CANDIDATES) -> list[list[Evidence]]:
        """Top-k passages per query by reciprocal-rank fusion of the BM25 and dense rankings."""
        if isinstance(queries, str):
            raise InputError("search takes a list of queries, not a single string")
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        queries = list(queries)
        if not queries:
            return []
        rrf_k = self.rrf_k if rrf_k is None else rrf_k
        pool = min(len(self.passages), max(k, candidates))
        query_vectors = self.encoder.encode(list(queries), progress=False)
        results = []
        for block in range(0, len(queries), QUERY_BLOCK):
            # One matrix product per block bounds memory at QUERY_BLOCK x passages scores.
            dense_block = np.asarray(query_vectors[block : block + QUERY_BLOCK] @ self.embeddings.T, dtype=np.float32)
            for query, dense in zip(queries[block : block + QUERY_BLOCK], dense_block):
                results.append(self._fuse(query, dense, k, pool, rrf_k))
        return results

    def _fuse(self, query: str, dense: np.ndarray, k: int, pool: int, rrf_k: int) -> list[Evidence]:
        lexical = self.bm25.scores(query)
        fused: dict[int, float] = {}
        # Passages with no query term get no BM25 rank: a zero score is no evidence.
        for ranking in (_top(lexical, pool, positive_only=True), _top(dense, pool)):
            for rank, row in enumerate(ranking, start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (rrf_k + rank)
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        return [
            Evidence(
                passage=self.passages[row], rank=rank, score=fused[row],
                bm25=float(lexical[row]), dense=float(dense[row]),
            )
            for rank, row in enumerate(best, start=1)
        ]


def _top(scores: np.ndarray, n: int, positive_only: bool = False) -> list[int]:
    """Row numbers of the n highest scores, best first, ties broken by row for determinism."""
    rows = np.flatnonzero(scores > 0) if positive_only else np.arange(len(scores))
    if len(rows) > n:
        rows = rows[np.argpartition(-scores[rows], n - 1)[:n]]
    order = np.lexsort((rows, -scores[rows]))
    return rows[order].tolist()


def read_manifest(folder: Path) -> Optional[dict[str, Any]]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None


def _replace_dir(staging: Path, target: Path) -> None:
    """Swap a finished staging folder into place; the old index is removed only afterwards."""
    if target.exists() and not target.is_dir():
        raise InputError(f"index path exists and is not a folder: {target}")
    if target.exists() and any(target.iterdir()) and read_manifest(target) is None:
        raise InputError(f"refusing to overwrite a non-empty folder that is not an index: {target}")
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
