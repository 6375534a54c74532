"""Hybrid passage index: BM25 + dense inner product, fused by reciprocal rank.

On disk (no pickle anywhere):
    manifest.json     format, hashes, settings, encoder name, counts
    passages.jsonl    one Passage per line, row i ↔ embedding row i ↔ BM25 document i
    embeddings.npy    float32/float16 (n, dim), unit rows, memory-mapped on load
    text_hashes.json  sha256 of each passage's encoded text, to reuse embeddings on rebuild
    bm25/             bm25s.save output (JSON + .npy, allow_pickle=False)
    dense.faiss       only at or above `ann_threshold` passages: faiss IVF-SQ8 over the embeddings,
                      memory-mapped on load (manifest "dense" says which kind the index uses)

Format 2 added the "dense" manifest entry and dense.faiss; a format-1 index is rebuilt by
open_index (its embeddings reused) and refused by Index.load with a message saying so.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..errors import InputError, clip
from ..io import atomic_write
from ..records import Evidence, Passage
from ..registry import Progress
from .dense import ANN_MIN_PASSAGES, DenseSearch, ExactDense, build_dense, load_dense, top_rows
from .encoder import DEFAULT_ENCODER, Encoder, TextEncoder
from .lexical import Bm25

FORMAT = "verify-index/2"
FORMAT_FAMILY = "verify-index/"  # older formats of ours: replaced on rebuild, never read as current
MANIFEST = "manifest.json"
RRF_K = 60
CANDIDATES = 100  # per retriever, before fusion


def passage_input(passage: Passage) -> str:
    """The text both retrievers see: the title helps short passages that never name their topic."""
    return f"{passage.title}. {passage.text}" if passage.title else passage.text


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Index:
    """The "hybrid" retriever (verify.registry.Retriever): BM25 and dense rankings fused by reciprocal rank."""

    name = "hybrid"

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
        dense: Optional[DenseSearch] = None,
    ):
        if not (len(passages) == embeddings.shape[0] == len(text_hashes)):
            raise InputError("index is inconsistent: passage, embedding and hash counts differ")
        self.passages = passages
        self.embeddings = embeddings
        self.dense: DenseSearch = dense if dense is not None else ExactDense(embeddings)
        self.bm25 = bm25
        self.text_hashes = text_hashes
        self._encoder = encoder
        self.encoder_name = encoder.name if encoder is not None else encoder_name
        self.manifest: dict[str, Any] = dict(manifest or {})
        self.rrf_k = rrf_k
        self.path: Optional[Path] = None  # where it was saved or loaded from

    def __len__(self) -> int:
        return len(self.passages)

    @property
    def hash(self) -> Optional[str]:
        """The corpus hash it was built for (None for an index built in memory): provenance "index_hash"."""
        return self.manifest.get("corpus_hash")

    # ---------------------------------------------------------------- building

    @classmethod
    def build(
        cls,
        passages: list[Passage],
        encoder: Optional[TextEncoder] = None,
        progress: Optional[Progress] = None,
        dtype: str = "float32",
        reuse: Optional["Index"] = None,
        batch_size: int = 64,
        rrf_k: int = RRF_K,
        ann_threshold: int = ANN_MIN_PASSAGES,
        incremental: bool = True,
    ) -> "Index":
        """Embed and BM25-index `passages`. Rows whose text `reuse` already embedded (with the same
        encoder) are copied rather than recomputed. When `passages` only adds to `reuse`'s passages
        (files were added, none changed) and `incremental`, the old rows keep their place, the new
        ones are appended and an IVF index is extended rather than retrained. Dense search is exact
        below `ann_threshold` passages and a faiss IVF index from there on."""
        if not passages:
            raise InputError("cannot build an index from zero passages")
        if len({p.id for p in passages}) != len(passages):
            raise InputError("passage ids must be unique (are two documents sharing an id?)")
        if dtype not in ("float32", "float16"):
            raise InputError(f"embedding dtype must be float32 or float16, got {dtype}")
        encoder_name = encoder.name if encoder is not None else DEFAULT_ENCODER
        if reuse is not None and reuse.encoder_name != encoder_name:
            reuse = None
        appended = incremental and reuse is not None and _only_adds(reuse.passages, passages)
        if appended:
            old = {p.id for p in reuse.passages}  # type: ignore[union-attr]
            passages = list(reuse.passages) + [p for p in passages if p.id not in old]  # type: ignore[union-attr]
        texts = [passage_input(p) for p in passages]
        hashes = [text_hash(t) for t in texts]
        seconds: dict[str, float] = {}

        clock = time.perf_counter()
        known = {h: row for row, h in enumerate(reuse.text_hashes)} if reuse is not None else {}
        missing = [i for i, h in enumerate(hashes) if h not in known]
        if missing and encoder is None:  # loading the model is skipped when every row is reused
            encoder = Encoder()
        fresh = encoder.encode([texts[i] for i in missing], batch_size=batch_size, progress=progress) if missing and encoder is not None else None
        dim = fresh.shape[1] if fresh is not None else reuse.embeddings.shape[1]  # type: ignore[union-attr]
        embeddings = np.empty((len(passages), dim), dtype=dtype)
        first_new = len(reuse) if appended else 0  # type: ignore[arg-type]
        if appended:
            embeddings[:first_new] = reuse.embeddings  # type: ignore[union-attr]
        if fresh is not None:
            embeddings[missing] = fresh
        for i in range(first_new, len(passages)):
            if hashes[i] in known:
                embeddings[i] = reuse.embeddings[known[hashes[i]]]  # type: ignore[union-attr]
        seconds["encode"] = time.perf_counter() - clock

        clock = time.perf_counter()
        bm25 = Bm25.build(texts, progress=progress)
        seconds["bm25"] = time.perf_counter() - clock
        clock = time.perf_counter()
        dense = build_dense(embeddings, ann_threshold, progress=progress, reuse=reuse.dense if appended else None)  # type: ignore[union-attr]
        seconds["dense"] = time.perf_counter() - clock

        index = cls(passages, embeddings, bm25, hashes, encoder=encoder, encoder_name=encoder_name, rrf_k=rrf_k, dense=dense)
        index.manifest.update(
            reused_embeddings=len(passages) - len(missing),
            appended_passages=len(passages) - first_new if appended else None,
            build_seconds={k: round(v, 3) for k, v in seconds.items()},
        )
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
            self.dense.save(staging)
            manifest = {
                **self.manifest,
                **(extra or {}),
                "format": FORMAT,
                "encoder": self.encoder_name,
                "passages": len(self.passages),
                "dim": int(self.embeddings.shape[1]),
                "dtype": str(self.embeddings.dtype),
                "rrf_k": self.rrf_k,
                "dense": self.dense.settings(),
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
    def load(cls, folder: str | Path, mmap: bool = True, encoder: Optional[TextEncoder] = None, any_format: bool = False) -> "Index":
        """`any_format` also reads older formats of ours, for reusing their embeddings on rebuild."""
        folder = Path(folder).expanduser()
        manifest = read_manifest(folder, any_format=any_format)
        if manifest is None:
            older = read_manifest(folder, any_format=True)
            if older is not None:
                raise InputError(f"index at {folder} has format {older.get('format')}, this version reads {FORMAT}; "
                                 "rebuild it (verify index CORPUS --rebuild)")
            raise InputError(f"not an index (no readable {MANIFEST} of format {FORMAT}): {folder}")
        try:
            with open(folder / "passages.jsonl", encoding="utf-8") as f:
                passages = [Passage.model_validate_json(line) for line in f if line.strip()]
            embeddings = np.load(folder / "embeddings.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
            hashes = json.loads((folder / "text_hashes.json").read_text(encoding="utf-8"))
            bm25 = Bm25.load(folder / "bm25", mmap=mmap)
        except (OSError, ValueError) as err:
            raise InputError(f"index at {folder} is damaged ({clip(err, 120)}); rebuild it: "
                             "verify index CORPUS --rebuild") from err
        index = cls(
            passages, embeddings, bm25, hashes, encoder=encoder,
            encoder_name=manifest.get("encoder", DEFAULT_ENCODER), manifest=manifest,
            rrf_k=int(manifest.get("rrf_k", RRF_K)),
            dense=load_dense(folder, embeddings, manifest.get("dense") or {}, mmap),
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
        query_vectors = self.encoder.encode(list(queries))
        dense_rankings = self.dense.top(query_vectors, pool)
        return [
            self._fuse(query, vector, ranking, k, pool, rrf_k)
            for query, vector, ranking in zip(queries, query_vectors, dense_rankings)
        ]

    def _fuse(self, query: str, vector: np.ndarray, dense_ranking: np.ndarray, k: int, pool: int, rrf_k: int) -> list[Evidence]:
        lexical = self.bm25.scores(query)
        fused: dict[int, float] = {}
        # Passages with no query term get no BM25 rank: a zero score is no evidence.
        for ranking in (top_rows(lexical, pool, positive_only=True).tolist(), dense_ranking.tolist()):
            for rank, row in enumerate(ranking, start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (rrf_k + rank)
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        # Dense scores of the winners only: a BM25-only hit was never scored by an ANN search.
        dense = np.asarray(self.embeddings[best] @ vector, dtype=np.float32)
        return [
            Evidence(
                passage=self.passages[row], rank=rank, score=fused[row],
                bm25=float(lexical[row]), dense=float(dense[i]),
            )
            for i, (rank, row) in enumerate(enumerate(best, start=1))
        ]


def _only_adds(old: list[Passage], new: list[Passage]) -> bool:
    """True when `new` holds every passage of `old` unchanged, plus at least one more."""
    if len(new) <= len(old):
        return False
    by_id = {p.id: p for p in new}
    return all(by_id.get(p.id) == p for p in old)


def read_manifest(folder: Path, any_format: bool = False) -> Optional[dict[str, Any]]:
    """The manifest of a current-format index; with `any_format`, of any format of ours."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), str):
        return None
    ok = manifest["format"].startswith(FORMAT_FAMILY) if any_format else manifest["format"] == FORMAT
    return manifest if ok else None


def is_damaged_index(folder: Path) -> bool:
    """A folder of ours whose manifest cannot be read (a crash or a full disk cut it short)."""
    return (folder / MANIFEST).is_file() and read_manifest(folder, any_format=True) is None \
        and any((folder / name).exists() for name in ("passages.jsonl", "embeddings.npy"))


def check_replaceable(target: Path) -> None:
    """An index may replace nothing, an index of ours, or a damaged one: never other files."""
    if target.exists() and not target.is_dir():
        raise InputError(f"index path exists and is not a folder: {target}")
    if target.exists() and any(target.iterdir()) and read_manifest(target, any_format=True) is None \
            and not is_damaged_index(target):
        raise InputError(f"refusing to overwrite a non-empty folder that is not an index: {target}")


def _replace_dir(staging: Path, target: Path) -> None:
    """Swap a finished staging folder into place; the old index is removed only afterwards."""
    check_replaceable(target)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
