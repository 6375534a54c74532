"""The service's request and response bodies, and its limits (pydantic: validated, in the OpenAPI schema).

A request names a corpus by the name it was given at start-up (`--corpus NAME=PATH`), never by a
path; unknown fields are refused (422), so no request can smuggle in a path, a model or a setting.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from ..records import Claim, Label


class Limits(BaseModel):
    """What one request may ask for; past a limit the answer is 413 with a JSON error."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_body_bytes: int = Field(2_000_000, ge=1)  # a request body, before it is parsed
    max_text_chars: int = Field(100_000, ge=1)  # an article (check, extract) or an answer (score)
    max_items: int = Field(64, ge=1)  # answers in one score request
    max_contexts: int = Field(32, ge=1)  # contexts per answer
    max_context_chars: int = Field(20_000, ge=1)  # one context
    max_claims: int = Field(200, ge=1)  # claims verified in one request (check: the Settings' max_claims wins when set)
    timeout_s: float = Field(120.0, gt=0)  # a request's wait for its answer (queue + work); then 504
    queue: int = Field(64, ge=1)  # requests waiting for the worker; past it 503
    batch_claims: int = Field(64, ge=1)  # score: claims of concurrent requests verified in one batch (1 = no batching)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckRequest(Strict):
    text: str = Field(..., min_length=1, description="The article.")
    corpus: str = Field(..., description="A corpus name from GET /v1/corpora (never a path).")
    date: Optional[dt.date] = Field(None, description="Document date for relative dates (else found in the article's head).")
    id: str = Field("doc", max_length=200, description="Document id shown in the report.")


class ExtractRequest(Strict):
    text: str = Field(..., min_length=1)
    date: Optional[dt.date] = None


class ExtractResponse(BaseModel):
    date: Optional[dt.date]
    claims: list[Claim]


class ScoreItem(Strict):
    """One answer checked against its contexts: the answer's check-worthy claims (extracted, with
    their spans in the answer), or the given `claims`, each against every context."""

    id: Optional[str] = Field(None, max_length=200, description="Answer id echoed in the rows (default: its position).")
    contexts: list[str] = Field(..., min_length=1, description="The passages the answer must rest on.")
    answer: Optional[str] = Field(None, min_length=1, description="The text to check (claims are extracted from it).")
    claims: Optional[list[str]] = Field(None, min_length=1, description="Or the claims to check, as given.")


class ScoreRequest(Strict):
    items: list[ScoreItem] = Field(..., min_length=1)
    date: Optional[dt.date] = Field(None, description="Date anchoring relative dates in the claims.")


class ScoreRow(BaseModel):
    """One claim: the columns of `verify.score`'s table (README "Faithfulness of answers")."""

    answer_id: str
    claim_id: str
    claim: str
    type: str
    checkworthy: bool
    start: Optional[int] = Field(None, description="The claim's span in the answer (null: a given claim not found in it).")
    end: Optional[int] = None
    label: Optional[Label] = Field(None, description="null: not verified (not check-worthy).")
    p_supported: Optional[float] = None
    p_contradicted: Optional[float] = None
    p_not_enough_info: Optional[float] = None
    evidence: Optional[str] = Field(None, description="The cited window of the contexts.")
    evidence_doc: Optional[str] = Field(None, description="Which context: evidence-N is the item's N-th context.")
    evidence_start: Optional[int] = None
    evidence_end: Optional[int] = None
    checks: str = ""


class AnswerSummary(BaseModel):
    answer_id: str
    claims: int
    checkworthy: int
    supported: int
    contradicted: int
    not_enough_info: int
    faithfulness: Optional[float] = Field(None, description="supported / verified claims; null when none.")


class ScoreResponse(BaseModel):
    rows: list[ScoreRow]
    answers: list[AnswerSummary]


class CorpusInfo(BaseModel):
    name: str
    passages: Optional[int]
    corpus_hash: Optional[str]


class CorporaResponse(BaseModel):
    corpora: list[CorpusInfo]


class RenderRequest(Strict):
    report: dict = Field(..., description="A report as POST /v1/check returned it.")
    format: str = Field("html", pattern="^(html|md)$")


class ErrorResponse(BaseModel):
    error: str
    status: int
