"""The claim-set file format (one YAML file per set), as pydantic models.

See claims/README.md for the user-facing description. Two modes:
- claims mode: `claims:` lists claim texts with the verdict each must get;
- article mode: `article:` names a text file; claims are extracted from it and `expect:` entries
  pick extracted claims by a substring of their source text.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..io import MAX_DATE, MIN_DATE

KNOWN_FAILURE = "known-failure"
OthersPolicy = Literal["ignore", "not_contradicted"]
# What a case can demand: an exact label, or "anything but contradicted" (the policy for unlisted
# extracted claims; also usable per entry, e.g. for a headline the corpus neither states nor denies).
Expectation = Literal["supported", "contradicted", "not_enough_info", "not_contradicted"]


class SpecModel(BaseModel):
    # Unknown keys are errors: a typo such as `expected:` must not silently disable a check.
    model_config = ConfigDict(frozen=True, extra="forbid")


class InlinePassage(SpecModel):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    title: Optional[str] = None


class _Judged(SpecModel):
    """Fields shared by a listed claim and an article expectation."""

    expect: Expectation
    min_probability: Optional[float] = Field(default=None, ge=0.0, le=1.0)
    tags: list[str] = Field(default_factory=list)
    note: Optional[str] = None

    @model_validator(mode="after")
    def _known_failure_needs_reason(self) -> "_Judged":
        if KNOWN_FAILURE in self.tags and not (self.note and self.note.strip()):
            raise ValueError(f"note: a claim tagged {KNOWN_FAILURE} needs a `note` giving the reason")
        if self.expect == "not_contradicted" and self.min_probability is not None:
            raise ValueError("min_probability: needs an exact label in `expect`, not not_contradicted")
        return self

    @property
    def known_failure(self) -> bool:
        return KNOWN_FAILURE in self.tags


class ClaimSpec(_Judged):
    text: str = Field(min_length=1)


class ArticleExpectation(_Judged):
    # Case-insensitive substring of an extracted claim's source text (or of its claim text).
    match: str = Field(min_length=1)


class ClaimSetSpec(SpecModel):
    name: str = Field(min_length=1)
    description: Optional[str] = None
    corpus: Optional[str] = None  # folder (or corpus file) relative to the YAML file
    passages: Optional[list[InlinePassage]] = None  # inline corpus, instead of `corpus`
    date: Optional[dt.date] = None  # anchors relative dates in the article / claims
    article: Optional[str] = None  # text file relative to the YAML file
    expect: list[ArticleExpectation] = Field(default_factory=list)
    others: OthersPolicy = "ignore"
    claims: list[ClaimSpec] = Field(default_factory=list)

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        # YAML already turns 2026-01-04 into a date; a quoted string must be ISO too.
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"date: must be a date written YYYY-MM-DD (got {value[:40]!r})") from None
        if isinstance(value, dt.date) and not MIN_DATE <= value <= MAX_DATE:
            raise ValueError(f"date: must be between {MIN_DATE} and {MAX_DATE} (got {value})")
        return value

    @model_validator(mode="after")
    def _one_corpus_one_mode(self) -> "ClaimSetSpec":
        # Set-level messages start with the field they concern, so the loader can point at its line.
        if self.corpus is None and self.passages is None:
            raise ValueError("corpus: required field is missing (a folder path, or inline `passages`)")
        if self.corpus is not None and self.passages is not None:
            raise ValueError("passages: give either `corpus` or `passages`, not both")
        if self.passages is not None:
            ids = [p.id for p in self.passages]
            if not ids:
                raise ValueError("passages: the list is empty")
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"passages: duplicate ids: {', '.join(duplicates)}")
        if self.article is None and not self.claims:
            raise ValueError("claims: required field is missing (a list of claims, or an `article` file)")
        if self.article is not None and self.claims:
            raise ValueError("claims: give either `article` or `claims`, not both")
        if self.article is None and self.expect:
            raise ValueError("expect: a top-level `expect` list belongs to article sets; put `expect` on each claim")
        if self.article is None and self.others != "ignore":
            raise ValueError("others: belongs to article sets")
        if self.article is not None and not self.expect and self.others == "ignore":
            raise ValueError("expect: an article set needs `expect` entries or `others: not_contradicted`")
        texts = [c.text for c in self.claims]
        duplicates = sorted({t for t in texts if texts.count(t) > 1})
        if duplicates:  # the baseline is keyed by claim text
            raise ValueError(f"claims: duplicate claim text {duplicates[0]!r}")
        matches = [e.match for e in self.expect]
        duplicates = sorted({m for m in matches if matches.count(m) > 1})
        if duplicates:
            raise ValueError(f"expect: duplicate match {duplicates[0]!r}")
        return self
