"""Reading untrusted text files and writing outputs atomically."""
from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional, Union

import yaml

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


# Characters XML 1.0 cannot hold at all; ElementTree would write them and break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` safe for an XML 1.0 file (JUnit reports): characters XML cannot hold become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def quiet_transformers() -> None:
    """No progress bars or warnings from transformers on our stderr: errors reach the user as one line."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


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

# ---------------------------------------------------------------- bounded YAML (claim sets, lexicons)

MAX_YAML_NODES = 100_000  # values once anchors/aliases are expanded
FieldPath = tuple[Union[str, int], ...]


def parse_yaml(path: Path, text: str, what: str = "claim sets") -> tuple[yaml.Node | None, Any, dict[FieldPath, int]]:
    """Compose once, bound the document, then construct: (root node, data, field lines).

    Safe by construction: only plain YAML types are built (a `!!python/...` tag is refused, never
    run), aliases cannot expand past MAX_YAML_NODES ("billion laughs"), and a key given twice in one
    mapping is an error naming both lines, not a silent last-one-wins.
    """
    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as err:
            raise InputError(f"{_where(path, err)}: invalid YAML: {_problem(err)}") from None
        except RecursionError:
            raise InputError(f"{path}: invalid YAML: nested too deeply") from None
        if root is None:
            return None, None, {}
        _check_size(path, root)
        _check_duplicate_keys(path, root)
        lines = field_lines(root)
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as err:  # e.g. a !!python/object tag: SafeLoader has no constructor for it
            raise InputError(f"{_where(path, err)}: {_problem(err)} ({what} hold plain YAML only)") from None
        except ValueError as err:  # a date-looking scalar that is no date, e.g. 2026-13-01
            loc = _first_bad_timestamp(root) or ()
            raise InputError(f"{path}:{line_of(lines, loc)}: {format_field(loc)}: invalid date ({err})") from None
        except RecursionError:
            raise InputError(f"{path}: invalid YAML: nested too deeply") from None
        return root, data, lines
    finally:
        loader.dispose()


def _where(path: Path, err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    return f"{path}:{mark.line + 1}" if mark is not None else str(path)


def _problem(err: yaml.YAMLError) -> str:
    return clip(getattr(err, "problem", None) or str(err).splitlines()[0], 200)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_size(path: Path, root: yaml.Node) -> None:
    """Count the nodes the document has once every alias is expanded (shared nodes counted once per
    use, without expanding them) and refuse recursive aliases; linear in the composed size."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_NODES:
                raise InputError(f"{path}:{node.start_mark.line + 1}: YAML expands to over {MAX_YAML_NODES:,} "
                                 "values (anchors and aliases multiply); refusing it")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise InputError(f"{path}:{node.start_mark.line + 1}: a YAML alias refers to itself; refusing it")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _check_duplicate_keys(path: Path, root: yaml.Node) -> None:
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key_node.start_mark.line + 1
                if key_node.value in first:
                    raise InputError(f"{path}:{line}: key {clip(repr(key_node.value), 60)} is given twice "
                                     f"(lines {first[key_node.value]} and {line}); keep one")
                first[key_node.value] = line
        stack.extend(_children(node))





def field_lines(node: yaml.Node, prefix: FieldPath = ()) -> dict[FieldPath, int]:
    """Map each field path (keys and list indices) to the 1-based line where it starts."""
    lines: dict[FieldPath, int] = {prefix: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            lines.update(field_lines(value_node, prefix + (key,)))
            # An unknown key is reported at the key itself, not at its value.
            lines[prefix + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(field_lines(item, prefix + (index,)))
    return lines


def line_of(lines: dict[FieldPath, int], loc: FieldPath) -> int:
    """The line of `loc`, or of its nearest present parent (a missing field → its mapping)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def format_field(loc: FieldPath) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"



def _first_bad_timestamp(node: yaml.Node | None, prefix: FieldPath = ()) -> FieldPath | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            dt.date.fromisoformat(node.value[:10])
        except ValueError:
            return prefix
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            found = _first_bad_timestamp(value_node, prefix + (str(key_node.value),))
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _first_bad_timestamp(item, prefix + (index,))
            if found is not None:
                return found
    return None
