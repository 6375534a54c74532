"""Reading untrusted text files and writing outputs atomically."""
from __future__ import annotations

import codecs
import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from .errors import InputError, clip

MAX_BYTES = 200 * 1024 * 1024  # refuse files over 200 MB: they are not articles

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Dates a document can carry: date arithmetic on relative dates ("next year", "in 2 weeks") must
# stay inside what Python's dates can hold, and no article is from before 1000 or after 2999.
MIN_DATE = dt.date(1000, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)


def user_cache_dir() -> Path:
    """verify's own cache (score cache, ONNX exports, corpus indexes): $VERIFY_CACHE_DIR, else
    $XDG_CACHE_HOME/verify, else ~/.cache/verify. Never a folder the user gave as input."""
    if os.environ.get("VERIFY_CACHE_DIR"):
        return Path(os.environ["VERIFY_CACHE_DIR"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "verify"


def read_text(path: str | Path, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Read a text file: UTF-8 first, then a declared or detected encoding; refuse binary."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} not found: {p}")
    if p.is_dir():
        raise InputError(f"{what} is a directory, expected a file: {p}")
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(f"{what} is too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB): {p}")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {what} {p}: {err.strerror or err}") from None
    return decode_bytes(data, f"{what} {p}")


def decode_bytes(data: bytes, label: str) -> str:
    """UTF-8, or the encoding a byte-order mark declares (UTF-16/32), else a detected one."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as err:
                raise InputError(f"{label} starts with a {encoding.upper()} byte-order mark but is not "
                                 f"valid {encoding.upper()} (byte {err.start + len(bom)})") from None
            if "\x00" in text:
                raise InputError(f"{label} holds NUL characters after decoding as {encoding.upper()}; expected text")
            return text
    if b"\x00" in data[:8192]:
        raise InputError(f"{label} looks binary (NUL bytes), expected text")
    try:
        return data.decode("utf-8")
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


def parse_date(value: object, what: str = "--date") -> Optional[dt.date]:
    """A YYYY-MM-DD date between MIN_DATE and MAX_DATE (None stays None); else InputError (exit 2)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(f"{what} must be YYYY-MM-DD, got {clip(repr(str(value)), 60)}") from None
    return check_date_range(value, what)


def check_date_range(value: dt.date, what: str = "--date") -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise InputError(f"{what} {value.isoformat()} is out of range ({MIN_DATE.isoformat()} to {MAX_DATE.isoformat()})")
    return value


def _same_or_inside(path: Path, other: Path) -> bool:
    try:
        if path.exists() and other.exists() and path.samefile(other):
            return True
    except OSError:
        pass
    a, b = path.resolve(), other.resolve()
    return a == b or (other.is_dir() and a.is_relative_to(b))


def refuse_overwriting_inputs(outputs: Iterable[Path], inputs: Iterable[Optional[Path]], option: str = "--out") -> None:
    """Exit 2 before any work when an output is an input file or lies inside an input folder:
    verify never writes over (or into) what it reads."""
    given = [Path(i) for i in inputs if i is not None]
    for out in outputs:
        out = Path(out)
        for source in given:
            if _same_or_inside(out, source):
                where = "is" if not source.is_dir() or out.resolve() == source.resolve() else "is inside"
                raise InputError(f"{option} {out} {where} the input {source}; write the output elsewhere")



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


def read_jsonl(file: str | Path, what: str = "file") -> list[dict]:
    """The objects of a JSONL file, blank lines skipped; a bad line is one InputError naming it."""
    import json

    rows = []
    for number, line in enumerate(read_text(file, what=what).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"malformed JSON on line {number} of {file}: {err.msg}") from None
        if not isinstance(row, dict):
            raise InputError(f"line {number} of {file} is not a JSON object")
        rows.append(row)
    return rows


def read_table(file: str | Path, what: str = "table"):
    """A .jsonl/.ndjson, .csv/.tsv or .parquet file as a pandas DataFrame (CSV cells as text, with the
    same encoding detection and binary check as text files); a bad file is one InputError."""
    import io

    import pandas as pd

    file = Path(file)
    suffix = file.suffix.lower()
    try:
        if suffix in {".jsonl", ".ndjson"}:
            return pd.DataFrame(read_jsonl(file, what=what))
        if suffix in {".csv", ".tsv"}:
            return pd.read_csv(io.StringIO(read_text(file, what=what)), sep="\t" if suffix == ".tsv" else ",",
                               dtype=str, keep_default_na=False)
        if suffix in {".parquet", ".pq"}:
            return pd.read_parquet(file)
    except InputError:
        raise
    except Exception as err:  # pandas/pyarrow raise many types for a bad file
        raise InputError(f"cannot read {what} {file}: {type(err).__name__}: {clip(err, 200)}") from err
    raise InputError(f"{what} {file}: unknown table format '{suffix}' (use .jsonl, .csv, .tsv or .parquet)")
