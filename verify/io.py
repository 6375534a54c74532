"""Reading untrusted text files and writing outputs atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError

MAX_BYTES = 200 * 1024 * 1024  # refuse files over 200 MB: they are not articles


def read_text(path: str | Path, what: str = "file") -> str:
    """Read a text file: UTF-8 first, then a declared or detected encoding; refuse binary."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} not found: {p}")
    if p.is_dir():
        raise InputError(f"{what} is a directory, expected a file: {p}")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{what} is too large ({size / 1e6:.0f} MB > {MAX_BYTES / 1e6:.0f} MB): {p}")
    data = p.read_bytes()
    return decode_bytes(data, f"{what} {p}")


def decode_bytes(data: bytes, label: str) -> str:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{label} looks binary (NUL bytes), expected text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{label} is not text in any encoding we can detect")
    # Detection cannot tell single-byte code pages apart on short texts (it may say mac_iceland for
    # Latin-1 German). Western text read as Windows-1252 has mostly ASCII letters with a few accents;
    # Cyrillic or Greek read that way would be nearly all accents, so then trust the detector.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        return str(best)
    letters = [ch for ch in western if ch.isalpha()]
    accented = sum(1 for ch in letters if not ch.isascii())
    return western if letters and accented / len(letters) < 0.3 else str(best)



def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write to a temp file in the same folder, then rename: never a half-written output."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"output folder does not exist: {parent}")
    if not os.access(parent, os.W_OK):
        raise InputError(f"output folder is not writable: {parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp files are private; outputs are meant to be shared
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
