"""Persistent score cache: (model, engine, premise, hypothesis) → probabilities, in one SQLite file.

Reruns, CI gates and benchmark sweeps re-score mostly the same pairs; with the cache they cost a
lookup. The key hashes the verifier's `cache_key` (weights hash, engine, max length) with the pair,
so a retrained model or another engine never reads stale scores. WAL mode lets several processes
share the file.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError
from ..paths import cache_dir
from ..registry import Pair, Probs, Progress

log = logging.getLogger(__name__)

CHUNK = 500  # keys per SELECT: well under SQLite's bound-parameter limit


def default_path() -> Path:
    return cache_dir() / "scores.sqlite"


def pair_key(model_key: str, pair: Pair) -> str:
    return hashlib.sha256(f"{model_key}\x00{pair[0]}\x00{pair[1]}".encode("utf-8")).hexdigest()


class ScoreCache:
    """A damaged file (SQLite says "malformed" or "not a database") is never fatal: it is moved aside
    once, with one warning naming both paths, and a fresh cache takes its place; a cache is only
    ever a shortcut, so the run goes on and gives the same verdicts."""

    def __init__(self, path: Path):
        self.path = path
        self._connect()

    def _connect(self) -> None:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._open_db()
            except sqlite3.DatabaseError as e:
                if not is_corruption(e):
                    raise
                self._set_aside(e)
                self._open_db()
        except (OSError, sqlite3.Error) as e:
            raise InputError(f"cannot open the score cache {path}: {e} (use --no-cache or set VERIFY_CACHE_DIR)") from None

    def _open_db(self) -> None:
        self._inode = _inode(self.path)  # the file this connection reads, to know if it was replaced
        self.db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS scores (key TEXT PRIMARY KEY, probs TEXT NOT NULL)")
        self._inode = self._inode or _inode(self.path)

    def _set_aside(self, error: sqlite3.DatabaseError) -> None:
        """Move the damaged file (and its WAL) to `scores.sqlite.damaged-<time>`, unless another
        process already did (the path then holds a fresh file: keep it)."""
        db = getattr(self, "db", None)
        if db is not None:
            db.close()
        if _inode(self.path) in (self._inode, None) or self._inode is None:
            aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{self.path}{suffix}")
                if source.exists():
                    os.replace(source, Path(f"{aside}{suffix}"))
            log.warning("score cache %s is damaged (%s); moved it to %s and continuing with a fresh cache",
                        self.path, error, aside)

    def _recovering(self, action):
        try:
            return action()
        except sqlite3.DatabaseError as e:
            if not is_corruption(e):
                raise
            self._set_aside(e)
            try:
                self._open_db()
            except (OSError, sqlite3.Error) as again:
                raise InputError(f"cannot reopen the score cache {self.path}: {again} (use --no-cache)") from None
            return action()

    _open: dict[Path, "ScoreCache"] = {}

    @classmethod
    def open(cls, path: str | Path | None = None) -> "ScoreCache":
        """One connection per file and process."""
        p = Path(path) if path else default_path()
        if p not in cls._open:
            cls._open[p] = cls(p)
        return cls._open[p]

    def get(self, keys: Sequence[str]) -> dict[str, Probs]:
        def read() -> dict[str, Probs]:
            found: dict[str, Probs] = {}
            for s in range(0, len(keys), CHUNK):
                chunk = list(keys[s : s + CHUNK])
                marks = ",".join("?" * len(chunk))
                for key, probs in self.db.execute(f"SELECT key, probs FROM scores WHERE key IN ({marks})", chunk):
                    try:
                        found[key] = json.loads(probs)
                    except ValueError:
                        continue  # an unreadable entry is a miss: the pair is scored again
            return found

        return self._recovering(read)

    def put(self, items: dict[str, Probs]) -> None:
        def write() -> None:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?)",
                                    [(k, json.dumps(v)) for k, v in items.items()])

        self._recovering(write)

    def __len__(self) -> int:
        return self._recovering(lambda: self.db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])


def is_corruption(error: sqlite3.DatabaseError) -> bool:
    """SQLITE_CORRUPT / SQLITE_NOTADB: the file is damaged (a locked or full database is not)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(error) is sqlite3.DatabaseError


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


class CachedVerifier:
    """Wraps any verifier: pairs found in the cache are not scored again; new scores are stored."""

    def __init__(self, inner, cache: ScoreCache):
        self.inner, self.cache = inner, cache
        self.name, self.hash = inner.name, inner.hash
        self.hits = self.misses = 0

    def __getattr__(self, attr):  # tokenizer, max_length, engine… of the wrapped verifier
        return getattr(self.inner, attr)

    def predict(self, pairs: Sequence[Pair], batch_size: int = 32, progress: Optional[Progress] = None) -> list[Probs]:
        model_key = getattr(self.inner, "cache_key", None) or f"{self.inner.name}|{self.inner.hash}"  # a plugin may have no cache_key
        keys = {p: pair_key(model_key, p) for p in dict.fromkeys(pairs)}
        known = self.cache.get(list(keys.values()))
        todo = [p for p, k in keys.items() if k not in known]
        self.hits += len(keys) - len(todo)
        self.misses += len(todo)
        if todo:
            fresh = self.inner.predict(todo, batch_size=batch_size, progress=progress)
            new = {keys[p]: probs for p, probs in zip(todo, fresh)}
            self.cache.put(new)
            known.update(new)
        return [known[keys[p]] for p in pairs]
