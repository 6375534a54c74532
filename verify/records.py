"""The small immutable records passed between pipeline stages.

Document ──extract──▶ Claim* ──retrieve──▶ Evidence* ──score──▶ PairScore* ──aggregate──▶ Verdict ──▶ Report

Every record is a frozen pydantic model, so each stage's output can be written as JSON(L)
and read back unchanged (`Model.model_validate_json`).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Label = Literal["supported", "contradicted", "not_enough_info"]
LABELS: tuple[Label, ...] = ("supported", "contradicted", "not_enough_info")
NLI_LABELS = ("entailment", "neutral", "contradiction")
ClaimType = Literal["numeric", "temporal", "entity", "quote", "opinion"]
Span = tuple[int, int]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Document(Record):
    """An article to check. `date` anchors relative dates ("last November")."""

    id: str = "doc"
    text: str
    date: Optional[dt.date] = None
    source: Optional[str] = None  # file path or URL it was read from


class Claim(Record):
    """One atomic, checkable statement. `document.text[source_span[0]:source_span[1]]` is the
    exact text it came from; `text` is the decontextualised form that is verified."""

    id: str
    text: str
    source_span: Span
    sentence_index: int
    type: ClaimType
    checkworthy: bool
    reason: Optional[str] = None  # why not check-worthy / how qualified: opinion, attribution, speculation, forecast, question


class Passage(Record):
    """A chunk of a corpus document; `span` indexes into that document's text."""

    id: str
    doc_id: str
    text: str
    span: Span
    title: Optional[str] = None


class Evidence(Record):
    """A retrieved passage for one claim, with the scores that ranked it."""

    passage: Passage
    rank: int
    score: float  # fused (reciprocal-rank) score
    bm25: Optional[float] = None
    dense: Optional[float] = None


class CheckFinding(Record):
    """A rule-based numeric/date comparison between a claim and one evidence passage."""

    kind: Literal["numeric", "date", "duration", "ordinal"]
    relation: Literal["consistent", "inconsistent", "unrelated"]
    explanation: str  # e.g. "claim: >10 agreements; evidence: 14 memorandums → consistent"
    claim_span: Optional[Span] = None  # span inside the claim text
    evidence_span: Optional[Span] = None  # span inside the passage text


class PairScore(Record):
    """NLI probabilities for one (evidence passage, claim) pair, taken on the best window."""

    claim_id: str
    passage_id: str
    entailment: float
    neutral: float
    contradiction: float
    window_span: Span  # the part of the passage text the probabilities come from
    checks: list[CheckFinding] = Field(default_factory=list)
    relevance: Optional[float] = None  # share of the claim's content words found in the window


class CitedEvidence(Record):
    passage_id: str
    doc_id: str
    span: Span  # span in the corpus document of the window the verdict rests on
    text: str
    entailment: float
    contradiction: float


class Verdict(Record):
    claim_id: str
    label: Label
    probabilities: dict[str, float]  # supported / contradicted / not_enough_info, sum to 1
    evidence: list[CitedEvidence] = Field(default_factory=list)
    checks: list[CheckFinding] = Field(default_factory=list)
    explanation: str = ""


class Report(Record):
    schema_version: str = SCHEMA_VERSION
    document: Document
    claims: list[Claim]
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)  # claim id → ranked evidence
    pair_scores: list[PairScore] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)
    provenance: dict = Field(default_factory=dict)  # model name + hash, index hash, settings, version
    timings: dict[str, float] = Field(default_factory=dict)  # seconds per stage
