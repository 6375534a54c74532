"""Read a corpus from a folder, a single text file, or a JSONL / CSV / Parquet table."""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError
from ..io import read_jsonl, read_table, read_text
from ..records import Record

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".pq"}

# Tried in order when the requested column is absent and still has its default name.
ID_ALTERNATIVES = ("id", "doc_id", "docid", "_id", "document_id", "pid", "passage_id")
TEXT_ALTERNATIVES = ("text", "abstract", "content", "contents", "body", "passage", "document")
TITLE_ALTERNATIVES = ("title", "headline")


class SourceDoc(Record):
    """One corpus document. For folders `id` is the path relative to the folder."""

    id: str
    text: str
    title: Optional[str] = None
    source: Optional[str] = None  # the file it was read from


def load_corpus(
    path: str | Path,
    id_column: str = "id",
    text_column: str = "text",
    title_column: str = "title",
) -> list[SourceDoc]:
    """Load every document under `path`; raise InputError if there is none."""
    root = Path(path).expanduser()
    if not root.exists():
        raise InputError(f"corpus not found: {root}")
    if root.is_dir():
        docs = _load_folder(root)
    elif root.suffix.lower() in TABLE_SUFFIXES:
        docs = _load_table(root, id_column, text_column, title_column)
    else:
        doc = _load_text_file(root, doc_id=root.name)
        docs = [doc] if doc is not None else []
    if not docs:
        raise InputError(f"corpus is empty: {root}")
    return docs


# ---------------------------------------------------------------- folders and text files


def _load_folder(root: Path) -> list[SourceDoc]:
    docs = []
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root)
        # Hidden entries include our own `.verify-index/` and VCS folders.
        if any(part.startswith(".") for part in rel.parts) or not file.is_file():
            continue
        if file.suffix.lower() not in TEXT_SUFFIXES | HTML_SUFFIXES:
            continue
        try:
            doc = _load_text_file(file, doc_id=rel.as_posix())
        except InputError as err:  # binary or undecodable: skip, the rest is still usable
            log.warning("skipping %s: %s", file, err)
            continue
        if doc is not None:
            docs.append(doc)
    return docs


def _load_text_file(file: Path, doc_id: str) -> SourceDoc | None:
    raw = read_text(file, what="corpus file")
    if file.suffix.lower() in HTML_SUFFIXES:
        title, text = html_to_text(raw)
    else:
        text = raw
        title = _markdown_title(raw) if file.suffix.lower() in {".md", ".markdown"} else None
    if not text.strip():
        return None
    return SourceDoc(id=doc_id, text=text, title=title, source=str(file))


def _markdown_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
        if line.strip():
            return None  # the first non-blank line is not a heading
    return None


class _VisibleText(HTMLParser):
    """Collect the text a browser would show; block elements become line breaks."""

    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
             "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self._skip_depth += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP and self._skip_depth:
            self._skip_depth -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str | None, str]:
    """(title, visible text): whitespace collapsed within lines, blank lines between blocks."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title_parts).split()) or None
    return title, text


# ---------------------------------------------------------------- tables


def _load_table(file: Path, id_column: str, text_column: str, title_column: str) -> list[SourceDoc]:
    frame = read_table(file, what="corpus table")
    columns = [str(c) for c in frame.columns]
    id_col = _pick_column(columns, id_column, "id", ID_ALTERNATIVES, file)
    text_col = _pick_column(columns, text_column, "text", TEXT_ALTERNATIVES, file)
    title_col = _pick_column(columns, title_column, "title", TITLE_ALTERNATIVES, file, required=False)

    docs: list[SourceDoc] = []
    seen: set[str] = set()
    titles = frame[title_col] if title_col else [None] * len(frame)
    for row, (raw_id, raw_text, raw_title) in enumerate(zip(frame[id_col], frame[text_col], titles)):
        doc_id = _cell_text(raw_id)
        if not doc_id:
            raise InputError(f"empty {id_col!r} in row {row + 1} of {file}")
        if doc_id in seen:
            raise InputError(f"duplicate document id {doc_id!r} in {file}")
        seen.add(doc_id)
        text = _cell_text(raw_text)
        if not text.strip():
            continue
        docs.append(SourceDoc(id=doc_id, text=text, title=_cell_text(raw_title) or None, source=str(file)))
    return docs


def _read_jsonl(file: Path) -> list[dict]:
    return read_jsonl(file, what="corpus file")


def _pick_column(
    columns: list[str], wanted: str, default: str, alternatives: Iterable[str], file: Path, required: bool = True
) -> str | None:
    if wanted in columns:
        return wanted
    if wanted == default:  # only guess when the caller did not name a column
        lowered = {c.lower(): c for c in columns}
        for name in alternatives:
            if name in lowered:
                return lowered[name]
    if not required:
        return None
    have = ", ".join(columns) or "(none)"
    raise InputError(f"{file} has no {default} column {wanted!r}; its columns are: {have}")


def _cell_text(value: Any) -> str:
    """A table cell as text; a list of sentences (SciFact abstracts) is joined with spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "tolist"):  # numpy arrays (parquet lists) and numpy scalars
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return " ".join(_cell_text(v).strip() for v in value if _cell_text(v).strip())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids read as floats because a column had a gap
    return str(value)
