"""The small immutable records passed between pipeline stages.

Document ──extract──▶ Claim* ──retrieve──▶ Evidence* ──score──▶ WindowScore* ──aggregate──▶ Verdict ──▶ Report
                                                        (+ CheckFinding* per passage)

Every record is a frozen pydantic model, so each stage's output can be written as JSON(L)
and read back unchanged (`Model.model_validate_json`).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "2.1"

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
    """A rule-based comparison (a number, date, duration, ordinal, place, role holder or who-did-what-to-whom relation) between a claim and one evidence passage."""

    kind: Literal["numeric", "date", "duration", "ordinal", "place", "role", "relation"]
    relation: Literal["consistent", "inconsistent", "unrelated"]
    explanation: str  # e.g. "claim: >10 agreements; evidence: 14 memorandums → consistent"
    claim_span: Optional[Span] = None  # span inside the claim text
    evidence_span: Optional[Span] = None  # span inside the passage text
    anchor: Optional[str] = None  # the counted noun / event both sides are about; None = matched on nearby words only
    passage_id: Optional[str] = None  # the passage compared (set by the pipeline)


class WindowScore(Record):
    """Raw NLI probabilities for one (evidence window, claim) pair: one cell of the claim's score
    image. Nothing here is adjusted; the aggregator combines windows and check findings."""

    claim_id: str
    passage_id: str
    doc_id: str
    window_span: Span  # inside the passage text
    doc_span: Span  # the same window inside the corpus document
    text: str  # the window (the NLI premise)
    entailment: float
    neutral: float
    contradiction: float
    relevance: Optional[float] = None  # share of the claim's content words found in the window
    rank: int = 1  # the window's rank among the claim's scored windows (re-rank order, 1 = best)
    passage_rank: int = 1  # its passage's retrieval rank
    retrieval: Optional[float] = None  # its passage's fused retrieval score
    bm25: Optional[float] = None
    dense: Optional[float] = None
    overlap: Optional[float] = None  # the re-rank score: weighted share of the claim's words in the window


class CitedEvidence(Record):
    passage_id: str
    doc_id: str
    span: Span  # span in the corpus document of the window the verdict rests on
    text: str
    entailment: float  # as the verdict used it: after check findings and relevance weighting
    contradiction: float
    raw_entailment: Optional[float] = None  # the NLI model's own probabilities on this window
    raw_contradiction: Optional[float] = None
    relevance: Optional[float] = None


class Verdict(Record):
    claim_id: str
    label: Label
    probabilities: dict[str, float]  # supported / contradicted / not_enough_info, sum to 1
    evidence: list[CitedEvidence] = Field(default_factory=list)
    checks: list[CheckFinding] = Field(default_factory=list)
    explanation: str = ""
    aggregator: str = "rules"  # which aggregator decided (verify.aggregate)
    features: dict[str, float] = Field(default_factory=dict)  # the per-claim values the decision used


class Report(Record):
    schema_version: str = SCHEMA_VERSION
    document: Document
    claims: list[Claim]
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)  # claim id → ranked evidence
    window_scores: list[WindowScore] = Field(default_factory=list)  # every scored window, raw probabilities
    findings: dict[str, list[CheckFinding]] = Field(default_factory=dict)  # claim id → check findings, every passage
    verdicts: list[Verdict] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)
    provenance: dict = Field(default_factory=dict)  # model name + hash, index hash, settings, version
    timings: dict[str, float] = Field(default_factory=dict)  # seconds per stage

    def results(self) -> list[tuple[Claim, Optional[Verdict]]]:
        """Every claim with its verdict, in article order; None for a claim that was not verified
        (not check-worthy). `verdicts` alone holds only the verified claims: zip against this instead."""
        by_id = verdicts_by_claim(self.verdicts)
        return [(c, by_id.get(c.id)) for c in self.claims]

    def to_pandas(self):
        """One row per claim (`claim_row`'s columns: span in the article, label, probabilities, cited
        evidence, check findings); label and probabilities are empty for claims not verified."""
        import pandas as pd

        return pd.DataFrame([claim_row(c, v) for c, v in self.results()], columns=list(ROW_COLUMNS)).astype(ROW_DTYPES)


ROW_COLUMNS = ("claim_id", "claim", "type", "checkworthy", "start", "end", "label", "p_supported", "p_contradicted",
               "p_not_enough_info", "evidence", "evidence_doc", "evidence_start", "evidence_end", "checks")

ROW_DTYPES = {"start": "Int64", "end": "Int64", "evidence_start": "Int64", "evidence_end": "Int64"}  # may be empty


def claim_row(claim: Claim, verdict: Optional[Verdict]) -> dict:
    """A claim and its verdict as one flat table row (`Report.to_pandas`, `verify.score`): `start`/`end`
    index the claim's source text (empty: not found in it), `evidence_start`/`evidence_end` the cited window in its document,
    `checks` joins the explanations of the verdict's check findings with " | "."""
    top = verdict.evidence[0] if verdict is not None and verdict.evidence else None
    probs = verdict.probabilities if verdict is not None else {}
    return {
        "claim_id": claim.id, "claim": claim.text, "type": claim.type, "checkworthy": claim.checkworthy,
        **dict(zip(("start", "end"), claim.source_span if claim.source_span[0] >= 0 else (None, None))),
        "label": verdict.label if verdict is not None else None,
        **{f"p_{label}": probs.get(label) for label in LABELS},
        "evidence": top.text if top else None, "evidence_doc": top.doc_id if top else None,
        "evidence_start": top.span[0] if top else None, "evidence_end": top.span[1] if top else None,
        "checks": " | ".join(f.explanation for f in verdict.checks) if verdict is not None else "",
    }


def verdicts_by_claim(verdicts: Sequence[Verdict]) -> dict[str, Verdict]:
    """Claim id → its verdict; if a claim got two verdicts, the first one counts."""
    found: dict[str, Verdict] = {}
    for verdict in verdicts:
        found.setdefault(verdict.claim_id, verdict)
    return found


def verdict_counts(claims: Sequence[Claim], verdicts: Sequence[Verdict]) -> dict[str, int]:
    """`Report.summary`: claims, checkworthy, and one count per verdict label.

    Labels are counted over check-worthy claims only (one verdict per claim, the first), since
    those are the claims the tool vouches for; verdicts for unknown claim ids are ignored.
    """
    by_claim = verdicts_by_claim(verdicts)
    counts = {"claims": len(claims), "checkworthy": 0, **{label: 0 for label in LABELS}}
    for claim in claims:
        if not claim.checkworthy:
            continue
        counts["checkworthy"] += 1
        verdict = by_claim.get(claim.id)
        if verdict is not None:
            counts[verdict.label] += 1
    return counts
