"""Find, reuse or (re)build the persisted index for a corpus."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..paths import index_cache_dir
from ..registry import Progress
from .chunking import MAX_WORDS, OVERLAP_SENTENCES, chunk
from .dense import ANN_MIN_PASSAGES
from .encoder import DEFAULT_ENCODER, TextEncoder
from .index import FORMAT, MANIFEST, Index, check_replaceable, is_damaged_index, read_manifest
from .loaders import SourceDoc, load_corpus

log = logging.getLogger(__name__)

INDEX_SUFFIX = ".verify-index"


def corpus_hash(docs: Iterable[SourceDoc], max_words: int, overlap_sentences: int, encoder_name: str) -> str:
    """Changes whenever anything that shapes the index changes: documents, chunking, encoder."""
    digest = hashlib.sha256()
    settings = {"format": FORMAT, "max_words": max_words, "overlap_sentences": overlap_sentences, "encoder": encoder_name}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for doc in docs:
        # JSON framing keeps ("ab", "c") and ("a", "bc") apart.
        digest.update(json.dumps([doc.id, doc.title, doc.text], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def default_index_dir(corpus: Path) -> Path:
    """`<cache>/indexes/<corpus name>-<hash of its absolute path>/` in verify's cache folder
    ($VERIFY_CACHE_DIR, else $XDG_CACHE_HOME/verify, else ~/.cache/verify): the corpus folder is
    never written, so read-only corpora work. Keyed by the path (the manifest holds the content
    hash), so a changed corpus finds its previous index and reuses its embeddings."""
    resolved = corpus.expanduser().resolve()
    key = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:16]
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in resolved.name)[:40] or "corpus"
    return index_cache_dir() / f"{name}-{key}"


def legacy_index_dir(corpus: Path) -> Path:
    """Where versions before 0.x wrote the index (`<folder>/.verify-index/`, `<file>.verify-index/`):
    still read when it matches the corpus, never written."""
    corpus = corpus.expanduser().resolve()
    return corpus / INDEX_SUFFIX if corpus.is_dir() else corpus.with_name(corpus.name + INDEX_SUFFIX)


def is_index_dir(path: Path) -> bool:
    """Any format of ours: an outdated one is then refused by Index.load with a clear message."""
    return path.is_dir() and read_manifest(path, any_format=True) is not None


def _is_writable(folder: Path) -> bool:
    """Can we create (or replace) `folder`? Its parent must accept new entries."""
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return os.access(parent, os.W_OK | os.X_OK)


def open_index(
    corpus_path: str | Path | None,
    index_dir: str | Path | None = None,
    rebuild: bool = False,
    *,
    encoder: Optional[TextEncoder] = None,
    max_words: int = MAX_WORDS,
    overlap_sentences: int = OVERLAP_SENTENCES,
    progress: Optional[Progress] = None,
    mmap: bool = True,
    ann_threshold: int = ANN_MIN_PASSAGES,
) -> Index:
    """The index for `corpus_path`, built only when none matches the corpus's current content.

    `corpus_path` may also be a built index folder, or None / missing when `index_dir` holds one.
    When files were only added, the new passages are appended (see Index.build); `rebuild` always
    builds afresh, still reusing embeddings of unchanged text. `ann_threshold` applies to builds.
    """
    explicit = Path(index_dir).expanduser() if index_dir is not None else None
    corpus = Path(corpus_path).expanduser() if corpus_path is not None else None

    prebuilt = _prebuilt_only(corpus, explicit)
    if prebuilt is not None:
        if rebuild:
            raise InputError(f"cannot rebuild the index at {prebuilt}: no corpus given")
        return Index.load(prebuilt, mmap=mmap, encoder=encoder)
    assert corpus is not None

    docs = load_corpus(corpus)
    encoder_name = encoder.name if encoder is not None else DEFAULT_ENCODER
    key = corpus_hash(docs, max_words, overlap_sentences, encoder_name)

    target = explicit if explicit is not None else default_index_dir(corpus)
    candidates = [target] if explicit is not None else [target, legacy_index_dir(corpus)]
    if is_damaged_index(target) and not rebuild:
        raise InputError(f"index at {target} is damaged ({MANIFEST} is unreadable); rebuild it: "
                         f"verify index {corpus} --rebuild{f' --index {explicit}' if explicit else ''}")
    if not rebuild:
        for folder in candidates:
            manifest = read_manifest(folder)
            if manifest is not None and manifest.get("corpus_hash") == key:
                log.info("reusing index %s", folder)
                return Index.load(folder, mmap=mmap, encoder=encoder)
            older = read_manifest(folder, any_format=True) if manifest is None else None
            if older is not None:
                log.warning("index at %s has the older format %s; rebuilding it as %s (its embeddings are reused)",
                            folder, older.get("format"), FORMAT)

    check_replaceable(target)  # before the (long) build, not after it
    if not _is_writable(target):
        hint = "give --index DIR" if explicit is not None else "set VERIFY_CACHE_DIR or give --index DIR"
        raise InputError(f"index folder is not writable: {target} ({hint})")
    previous = load_previous(target)
    if previous is None and explicit is None:
        previous = load_previous(legacy_index_dir(corpus))  # an index from an older version: reuse its embeddings
    passages = chunk(docs, max_words=max_words, overlap_sentences=overlap_sentences)
    index = Index.build(passages, encoder=encoder, progress=progress, reuse=previous,
                        ann_threshold=ann_threshold, incremental=not rebuild)
    index.save(
        target,
        extra={
            "corpus_hash": key,
            "corpus": str(corpus.resolve()),
            "documents": len(docs),
            "chunking": {"max_words": max_words, "overlap_sentences": overlap_sentences},
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        },
    )
    return index


def _prebuilt_only(corpus: Optional[Path], explicit: Optional[Path]) -> Optional[Path]:
    """An index folder to open as it is, with no corpus to compare against."""
    if corpus is not None and is_index_dir(corpus):
        return corpus
    if corpus is None or not corpus.exists():
        if explicit is not None and is_index_dir(explicit):
            if corpus is not None:
                log.warning("corpus %s not found; using the index in %s as it is", corpus, explicit)
            return explicit
        if corpus is None:
            raise InputError(f"no corpus given and no index in {explicit}" if explicit else "no corpus or index given")
    return None


def load_previous(folder: Path) -> Optional[Index]:
    """The old index at `folder`, to reuse its embeddings; None if absent or unreadable."""
    if read_manifest(folder, any_format=True) is None:
        return None
    try:
        return Index.load(folder, mmap=True, any_format=True)
    except InputError:
        return None


def hybrid_retriever(corpus, *, index_dir: str | Path | None = None, progress: Optional[Progress] = None) -> Index:
    """The "hybrid" retriever factory (verify.registry.RETRIEVERS): a corpus path (folder, file or
    built index) → its persisted index (`open_index`); documents (`SourceDoc`s) → an index built in memory."""
    if isinstance(corpus, (str, Path)):
        return open_index(corpus, index_dir=index_dir, progress=progress)
    docs = list(corpus)
    if not docs:
        raise InputError("corpus is empty")
    return Index.build(chunk(docs), progress=progress)
