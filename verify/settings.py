"""Everything that decides a pipeline's answers, declared once.

`Settings` is the one model every front door takes its settings from: `Pipeline`, `verify check`,
`ci`, `bench`, `run`, `score` and `serve`. It is frozen (a run's settings cannot drift half-way)
and validated (a bad value is one `InputError`, exit 2). Runtime plumbing that does not change an
answer — progress callbacks, the score cache's location — is not a setting.

    Settings()                                  # the defaults
    Settings(top_k=8, pairs=None)               # keyword overrides, validated
    Settings.load(overrides={"top_k": 8})       # + verify.toml / [tool.verify] in pyproject.toml
"""
from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError
from .registry import VERIFIERS

PAIRS = 8  # NLI pairs (evidence windows) per claim by default; curve: benchmarks/perf.py --sections pairs
ENGINES = ("auto", *VERIFIERS.builtin_names())  # auto = bf16 where the hardware runs it natively, else torch


class Thresholds(BaseModel):
    """Where the aggregators draw their lines (verify/aggregate)."""

    model_config = ConfigDict(frozen=True)
    support: float = 0.5
    contradict: float = 0.5
    relevance: float = 0.5  # share of claim words a window needs for its entailment or contradiction to count in full
    cite: int = 2  # evidence windows cited per verdict


class Settings(BaseModel):
    """The pipeline's settings (see the README's "Settings" table)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- verifier ---------------------------------------------------------------------------
    model: Optional[str] = None  # embedded name, local folder, Hugging Face id (None = the embedded default)
    engine: str = "auto"  # auto (bf16 where native, else torch) | torch | bf16 | onnx (int8 ONNX Runtime)
    trust_remote_code: bool = False
    temperature: Optional[float] = Field(None, gt=0)  # NLI logit temperature (None = the model folder's calibration.json)
    batch_size: int = Field(32, ge=1, le=4096)
    cache: Union[bool, str] = False  # persistent SQLite score cache: True = default folder, a path, or False
    # -- retrieval --------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=100)  # passages retrieved per claim
    index_dir: Optional[str] = None  # index folder (None = in verify's cache)
    retriever: str = "hybrid"  # registered retriever that opens a corpus (verify/registry.py): BM25 + dense
    # -- scoring and verdicts ---------------------------------------------------------------
    checks: bool = True  # numeric and date consistency checks
    pairs: Optional[int] = Field(PAIRS, ge=1)  # evidence windows scored per claim (None = every window)
    windows_kept: Optional[int] = Field(None, ge=1)  # sub-windows per passage besides the whole one (None = all)
    aggregator: str = "rules"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    # -- extraction -------------------------------------------------------------------------
    all_claims: bool = False  # verify claims marked not check-worthy too
    max_claims: Optional[int] = Field(None, ge=1)  # check: refuse an article with more claims to verify than this
    # -- text -------------------------------------------------------------------------------
    lexicons: tuple[str, ...] = ()  # user lexicon files (YAML/JSON) merged over the built-in word lists, in order

    @field_validator("engine")
    @classmethod
    def _engine(cls, v: str) -> str:
        if v not in ENGINES:
            raise ValueError(f"unknown engine '{v}' (choose from: {', '.join(ENGINES)})")
        return v

    @classmethod
    def make(cls, **values: Any) -> "Settings":
        """`Settings(**values)` with a validation failure turned into one `InputError` (exit 2)."""
        try:
            return cls(**values)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ())) or "settings"
            raise InputError(f"setting {where}: {first.get('msg')}") from None

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed, validated again."""
        return self.make(**{**self.model_dump(), **changes})
