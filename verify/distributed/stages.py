"""The four stages of a distributed run, each a plain callable on one partition.

    read + extract (CPU task) ──▶ retrieve (actor: memory-mapped index) ──▶ score + aggregate
    (actor: one NLI model, GPU when there is one) ──▶ write (CPU task: one file, temp + rename)

A partition travels between stages as a Ray Data row {"part": n, "data": <Batch JSON>}; the
records inside are the pipeline's own (verify/records.py), so every stage's output reads back
exactly (floats included) and the work is the same code `verify check` runs.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Optional

from pydantic import Field

from ..io import atomic_write
from ..records import Claim, Document, Evidence, Record, Verdict
from ..settings import Settings
from ..report.json_formats import CLAIM_FIELDS_IN_JSONL
from .inputs import Source

FORMATS = ("jsonl", "parquet")


class RunSpec(Record):
    """Everything that decides a run's answers and layout; a resumed run must match it: the
    pipeline's `Settings` plus how the output is cut (rows per partition, file format). The score
    cache stays off in a run: partitions are the unit of reuse."""

    settings: Settings = Field(default_factory=Settings)
    partition_rows: int = Field(1000, ge=1)
    format: str = "jsonl"

    @classmethod
    def from_manifest(cls, saved: dict) -> "RunSpec":
        """The spec recorded in a run.json, also of runs written before Settings was shared (flat
        fields, `nli_engine`): those read as the same settings with today's other defaults."""
        if "settings" in saved:
            return cls.model_validate(saved)
        flat = dict(saved)
        layout = {k: flat.pop(k) for k in ("partition_rows", "format") if k in flat}
        if "nli_engine" in flat:
            flat["engine"] = flat.pop("nli_engine")
        return cls(settings=Settings(**flat), **layout)


class Item(Record):
    """One claim on its way through the stages."""

    row: int  # input row (0-based) it came from
    document_id: str
    date: Optional[dt.date] = None
    claim: Claim
    evidence: list[Evidence] = Field(default_factory=list)
    verdict: Optional[Verdict] = None


class Batch(Record):
    """One partition: its input rows' claims, in input order."""

    part: int
    first: int
    stop: int
    items: list[Item] = Field(default_factory=list)


def partition_name(part: int, fmt: str) -> str:
    return f"part-{part:05d}.{fmt}"


def _load(row: dict) -> Batch:
    return Batch.model_validate_json(row["data"])


def _dump(batch: Batch) -> dict:
    return {"part": batch.part, "data": batch.model_dump_json()}


class Extract:
    """Rows → claims: `iter_claims` on articles (only check-worthy ones unless `all_claims`), or
    each row as one claim."""

    def __init__(self, source: Source, spec: RunSpec):
        self.source, self.settings = source, spec.settings

    def __call__(self, row: dict) -> dict:
        from ..extract import find_document_date, iter_claims
        from ..extract.classify import claim_type

        first, stop = row["first"], row["stop"]
        docs = ([Document.model_validate_json(d) for d in json.loads(row["inline"])] if row.get("inline")
                else self.source.read(first, stop))
        items = []
        for number, doc in enumerate(docs, start=first):
            if not doc.text.strip():
                continue
            if self.source.claims:
                claims = [Claim(id=doc.id, text=doc.text.strip(), source_span=(0, len(doc.text)), sentence_index=0,
                                type=claim_type(doc.text), checkworthy=True)]
                date = doc.date
            else:
                date = doc.date or find_document_date(doc.text)  # as load_document does for `verify check`
                claims = [c for c in iter_claims(doc) if c.checkworthy or self.settings.all_claims]
            items += [Item(row=number, document_id=doc.id, date=date, claim=c) for c in claims]
        return _dump(Batch(part=row["part"], first=first, stop=stop, items=items))


class Retrieve:
    """Top-k evidence per claim from an index this process memory-maps (loaded once per actor)."""

    def __init__(self, index_path: str, spec: RunSpec):
        from ..corpus import Index

        self.index = Index.load(index_path, mmap=True)
        self.top_k = spec.settings.top_k

    def __call__(self, row: dict) -> dict:
        batch = _load(row)
        found = self.index.search([it.claim.text for it in batch.items], k=self.top_k) if batch.items else []
        items = [it.model_copy(update={"evidence": ev}) for it, ev in zip(batch.items, found)]
        return _dump(batch.model_copy(update={"items": items}))


class Score:
    """NLI pair scores + checks + aggregation, via the Pipeline's own code; one model per actor."""

    def __init__(self, spec: RunSpec, threads: Optional[int] = None):
        if threads:
            import torch

            torch.set_num_threads(threads)
        from ..pipeline import Pipeline

        self.pipe = Pipeline(spec.settings, cache=False)
        self.pipe.verifier  # load now: a bad model fails before any partition is taken

    def __call__(self, row: dict) -> dict:
        batch = _load(row)
        verdicts: dict[int, Verdict] = {}
        # One document date per scoring call (relative dates in the checks depend on it);
        # positions are the keys because claim ids repeat across documents.
        by_date: dict[Optional[dt.date], list[int]] = {}
        for i, it in enumerate(batch.items):
            by_date.setdefault(it.date, []).append(i)
        for date, positions in by_date.items():
            found = self.pipe.verify_retrieved([(str(i), batch.items[i].claim.text) for i in positions],
                                               [batch.items[i].evidence for i in positions], date)
            for i, verdict in zip(positions, found):
                verdicts[i] = verdict.model_copy(update={"claim_id": batch.items[i].claim.id})
        items = [it.model_copy(update={"verdict": verdicts[i], "evidence": []}) for i, it in enumerate(batch.items)]
        return _dump(batch.model_copy(update={"items": items}))


def verdict_line(item: Item) -> dict:
    """One output row: the JSONL report's verdict line plus the input row it came from."""
    assert item.verdict is not None
    claim = item.claim.model_dump(mode="json")
    return {"row": item.row, "document_id": item.document_id, **item.verdict.model_dump(mode="json"),
            **{f: claim[f] for f in CLAIM_FIELDS_IN_JSONL}}


def _parquet_bytes(lines: list[dict]) -> bytes:
    """A fixed flat schema, so every partition reads back as one table; nested parts as JSON text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("row", pa.int64()), ("document_id", pa.string()), ("claim_id", pa.string()),
                        ("text", pa.string()), ("type", pa.string()), ("checkworthy", pa.bool_()),
                        ("source_start", pa.int64()), ("source_end", pa.int64()), ("label", pa.string()),
                        ("p_supported", pa.float64()), ("p_contradicted", pa.float64()),
                        ("p_not_enough_info", pa.float64()), ("explanation", pa.string()),
                        ("evidence", pa.string()), ("checks", pa.string())])
    rows = [{"row": x["row"], "document_id": x["document_id"], "claim_id": x["claim_id"], "text": x["text"],
             "type": x["type"], "checkworthy": x["checkworthy"], "source_start": x["source_span"][0],
             "source_end": x["source_span"][1], "label": x["label"],
             **{f"p_{k}": x["probabilities"][k] for k in ("supported", "contradicted", "not_enough_info")},
             "explanation": x["explanation"], "evidence": json.dumps(x["evidence"], ensure_ascii=False),
             "checks": json.dumps(x["checks"], ensure_ascii=False)} for x in lines]
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buf)
    return buf.getvalue()


class Write:
    """One partition file, written to a temp file and renamed: it is complete or absent, and a
    retried partition replaces its file instead of adding rows."""

    def __init__(self, out: str, spec: RunSpec):
        self.out, self.format = Path(out), spec.format

    def __call__(self, row: dict) -> dict:
        batch = _load(row)
        lines = [verdict_line(it) for it in batch.items]
        if self.format == "parquet":
            data = _parquet_bytes(lines)
        else:
            data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8")
        atomic_write(self.out / partition_name(batch.part, self.format), data)
        return {"part": batch.part, "rows": batch.stop - batch.first, "claims": len(lines)}
