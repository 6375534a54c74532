"""The input of `verify run`: articles or claims as rows numbered in input order, cut into
fixed-size partitions so that every rerun cuts them the same way.

Row fields: `text` (an article) or `claim` (one claim; `text` too with `claims=True`), optional
`id` and `date` (YYYY-MM-DD). The whole input is validated by the driver before any work starts
(bad input never leaves partitions behind); a worker re-reads only its own partition's rows.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Iterator, Optional

from ..errors import InputError, clip
from ..io import parse_date as io_parse_date
from ..records import Document

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SCAN_BATCH = 65_536


def parse_date(value: Any, where: str) -> Optional[dt.date]:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return io_parse_date(value, f"{where}: date")


def to_document(row: dict, number: int, field: str, where: Optional[str] = None) -> Document:
    """Row `number` (0-based) as a Document; an empty string stays empty (it yields no claims).

    A missing, null or non-string text is bad input (exit 2 naming the row): a number is not a
    claim, and a row dropped without a word would go missing from the results.
    """
    where = where or f"row {number + 1}"
    text = row.get(field)
    if not isinstance(text, str):
        got = "missing" if field not in row else "null" if text is None or (isinstance(text, float) and math.isnan(text)) \
            else f"{type(text).__name__} {clip(repr(text), 40)}"
        raise InputError(f"{where}: {field!r} must be a string, got {got} (use \"\" for a row with nothing to check)")
    raw_id = row.get("id")
    doc_id = f"row-{number + 1}" if raw_id is None or str(raw_id) == "" else str(raw_id)
    return Document(id=doc_id, text=text, date=parse_date(row.get("date"), where))


def pick_field(columns: list[str], claims: Optional[bool], where: str) -> tuple[str, bool]:
    """(text field, claims mode). A `claim` field means claims; otherwise `text` holds articles
    unless `claims=True` says each text is one claim."""
    if claims is not False and "claim" in columns:
        return "claim", True
    if "text" in columns:
        return "text", bool(claims)
    wanted = "'claim' or 'text'" if claims is not False else "'text'"
    raise InputError(f"{where} has no {wanted} field; its fields are: {', '.join(columns) or '(none)'}")


class Source:
    """Rows [first, stop) of the input, readable on any worker that sees the same path."""

    label: str
    rows: int
    field: str
    claims: bool
    digest: str  # of every row as read, so a resumed run knows it has the same input

    def read(self, first: int, stop: int) -> list[Document]:
        raise NotImplementedError

    def inline(self, first: int, stop: int) -> Optional[list[Document]]:
        """Rows to ship with the partition itself (in-memory inputs); None when workers read the file."""
        return None


class JsonlSource(Source):
    def __init__(self, path: Path, claims: Optional[bool], partition_rows: int):
        self.path, self.label, self.partition_rows = path, str(path), partition_rows
        self.offsets: list[int] = []  # byte offset of each partition's first row
        digest = hashlib.sha256()
        self.rows, self.field = 0, ""
        try:
            f = open(path, "rb")
        except OSError as err:
            raise InputError(f"cannot read input {path}: {err.strerror}") from None
        with f:
            offset = 0
            for number, line in enumerate(f, start=1):
                start, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                row = self._parse(line, number)
                if not self.field:
                    self.field, self.claims = pick_field(list(row), claims, f"line {number} of {path}")
                if self.rows % partition_rows == 0:
                    self.offsets.append(start)
                doc = to_document(row, self.rows, self.field, f"line {number} of {path}")
                digest.update(doc.model_dump_json().encode() + b"\n")
                self.rows += 1
        self.digest = digest.hexdigest()

    def _parse(self, line: bytes, number: int) -> dict:
        if b"\x00" in line:
            raise InputError(f"{self.path} looks binary (NUL bytes on line {number}), expected JSON lines")
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            msg = err.msg if isinstance(err, json.JSONDecodeError) else "not UTF-8"
            raise InputError(f"malformed JSON on line {number} of {self.path}: {msg}") from None
        if not isinstance(row, dict):
            raise InputError(f"line {number} of {self.path} is not a JSON object")
        return row

    def read(self, first: int, stop: int) -> list[Document]:
        docs: list[Document] = []
        with open(self.path, "rb") as f:
            f.seek(self.offsets[first // self.partition_rows])
            for line in f:
                if len(docs) == stop - first:
                    break
                if line.strip():
                    docs.append(to_document(json.loads(line), first + len(docs), self.field))
        return docs


class ParquetSource(Source):
    def __init__(self, path: Path, claims: Optional[bool]):
        import pyarrow.parquet as pq

        self.path, self.label = path, str(path)
        try:
            meta = pq.ParquetFile(path)
        except Exception as err:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(f"cannot read input {path}: {type(err).__name__}: {err}") from None
        names = meta.schema_arrow.names
        self.field, self.claims = pick_field(names, claims, str(path))
        self.columns = [c for c in (self.field, "id", "date") if c in names]
        self.rows = meta.metadata.num_rows
        self.group_starts = [0]
        for i in range(meta.num_row_groups):
            self.group_starts.append(self.group_starts[-1] + meta.metadata.row_group(i).num_rows)
        digest, number = hashlib.sha256(), 0
        for batch in meta.iter_batches(batch_size=SCAN_BATCH, columns=self.columns):
            for row in batch.to_pylist():
                digest.update(to_document(row, number, self.field).model_dump_json().encode() + b"\n")
                number += 1
        self.digest = digest.hexdigest()

    def read(self, first: int, stop: int) -> list[Document]:
        import bisect

        import pyarrow.parquet as pq

        lo = bisect.bisect_right(self.group_starts, first) - 1
        hi = bisect.bisect_left(self.group_starts, stop)
        table = pq.ParquetFile(self.path).read_row_groups(list(range(lo, hi)), columns=self.columns)
        rows = table.slice(first - self.group_starts[lo], stop - first).to_pylist()
        return [to_document(row, first + i, self.field) for i, row in enumerate(rows)]


class MemorySource(Source):
    """A `datasets.Dataset`, a pandas DataFrame or a list of dicts: partitions travel inline."""

    def __init__(self, rows: list[dict], label: str, claims: Optional[bool]):
        self.label, self.rows = label, len(rows)
        columns = sorted({k for row in rows[:1000] for k in row})
        self.field, self.claims = pick_field(columns, claims, label)
        self.docs = [to_document(row, i, self.field) for i, row in enumerate(rows)]
        digest = hashlib.sha256()
        for doc in self.docs:
            digest.update(doc.model_dump_json().encode() + b"\n")
        self.digest = digest.hexdigest()

    def read(self, first: int, stop: int) -> list[Document]:
        return self.docs[first:stop]

    def inline(self, first: int, stop: int) -> Optional[list[Document]]:
        return self.read(first, stop)

    def __getstate__(self):  # workers get their rows with the partition, not the whole input
        return {**self.__dict__, "docs": []}


def open_source(data: Any, claims: Optional[bool] = None, partition_rows: int = 1000) -> Source:
    """Validate the whole input and return a Source; raises InputError on anything unusable."""
    if partition_rows < 1:
        raise InputError(f"partition rows must be at least 1, got {partition_rows}")
    if isinstance(data, (str, Path)):
        source = _open_path(Path(data).expanduser(), claims, partition_rows)
    elif hasattr(data, "to_list") and hasattr(data, "features"):  # datasets.Dataset
        source = MemorySource(data.to_list(), f"dataset ({len(data)} rows)", claims)
    elif hasattr(data, "to_dict") and hasattr(data, "columns"):  # pandas.DataFrame
        source = MemorySource(data.to_dict("records"), f"dataframe ({len(data)} rows)", claims)
    else:
        rows = [r if isinstance(r, dict) else {"claim": r} for r in data]
        source = MemorySource(rows, f"list ({len(rows)} rows)", claims)
    if source.rows == 0:
        raise InputError(f"input is empty: {source.label}")
    return source


def _open_path(path: Path, claims: Optional[bool], partition_rows: int) -> Source:
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if path.is_dir():
        if not (path / "dataset_info.json").exists():
            raise InputError(f"input folder is not a saved `datasets` dataset (no dataset_info.json): {path}")
        import datasets

        ds = datasets.load_from_disk(str(path))
        if isinstance(ds, datasets.DatasetDict):
            raise InputError(f"input {path} holds several splits ({', '.join(ds)}); save one split")
        return MemorySource(ds.to_list(), str(path), claims)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return JsonlSource(path, claims, partition_rows)
    if suffix in PARQUET_SUFFIXES:
        return ParquetSource(path, claims)
    raise InputError(f"input must be .jsonl, .ndjson, .parquet or a saved `datasets` folder, got {path}")


def partitions(rows: int, partition_rows: int) -> Iterator[tuple[int, int, int]]:
    """(number, first row, stop row) by input order: the same input always cuts the same way."""
    for number, first in enumerate(range(0, rows, partition_rows)):
        yield number, first, min(rows, first + partition_rows)
