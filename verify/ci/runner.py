"""Run claim sets through the pipeline and judge each claim against its expectation."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Optional, Protocol

from ..records import Claim, Document, Report, Verdict
from .loader import ClaimSet
from .schema import KNOWN_FAILURE, ArticleExpectation, ClaimSpec, Expectation

EVIDENCE_CHARS = 200  # how much of the top cited passage a failure message quotes


class CheckingPipeline(Protocol):
    """The part of verify.pipeline.Pipeline the gate uses."""

    def check(self, document: Document, corpus: Any) -> Report: ...

    def check_claims(self, claims: list[str], corpus: Any, date: Any = None) -> Report: ...


@dataclass(frozen=True)
class CaseResult:
    """One judged claim. `key` identifies it in the baseline: the claim text in claims mode, the
    `match` substring (or the extracted claim text, for `others`) in article mode."""

    set_name: str
    key: str
    claim: str  # the text that was verified
    expected: Expectation
    got: Optional[str]  # verdict label; None when no extracted claim matched
    probabilities: dict[str, float]
    passed: bool
    message: str  # why it failed ("" when passed)
    min_probability: Optional[float] = None
    tags: tuple[str, ...] = ()
    note: Optional[str] = None
    evidence: Optional[str] = None  # text of the top cited evidence passage
    span: Optional[tuple[int, int]] = None  # article sets: the judged claim's source span in the article

    @property
    def known_failure(self) -> bool:
        return KNOWN_FAILURE in self.tags

    @property
    def counts_against_gate(self) -> bool:
        return not self.passed and not self.known_failure

    @property
    def probability(self) -> Optional[float]:
        """Probability of the label the verifier chose."""
        return self.probabilities.get(self.got) if self.got else None


@dataclass
class SetResult:
    name: str
    path: str
    cases: list[CaseResult]
    seconds: float
    provenance: dict = field(default_factory=dict)


@dataclass
class CIResult:
    sets: list[SetResult]
    tag_filter: Optional[frozenset[str]] = None  # the --tags selection, if any

    @property
    def cases(self) -> list[CaseResult]:
        return [c for s in self.sets for c in s.cases]

    @property
    def passed(self) -> list[CaseResult]:
        return [c for c in self.cases if c.passed]

    @property
    def failures(self) -> list[CaseResult]:
        """Failures that count against the gate (known failures excluded)."""
        return [c for c in self.cases if c.counts_against_gate]

    @property
    def known_failures(self) -> list[CaseResult]:
        return [c for c in self.cases if c.known_failure and not c.passed]

    @property
    def unexpected_passes(self) -> list[CaseResult]:
        """Claims tagged known-failure that now pass: the tag can go."""
        return [c for c in self.cases if c.known_failure and c.passed]

    @property
    def accuracy(self) -> float:
        """Share of passing claims among those that are not known failures (the gated share)."""
        gated = [c for c in self.cases if not c.known_failure]
        return sum(c.passed for c in gated) / len(gated) if gated else 1.0

    @property
    def model(self) -> Optional[str]:
        return next((s.provenance.get("model") for s in self.sets if s.provenance.get("model")), None)

    @property
    def model_hash(self) -> Optional[str]:
        return next((s.provenance.get("model_hash") for s in self.sets if s.provenance.get("model_hash")), None)

    def gate_passes(self, min_accuracy: Optional[float] = None) -> bool:
        """Strict by default (every non-known-failure claim passes); tolerant with min_accuracy."""
        if min_accuracy is None:
            return not self.failures
        return self.accuracy >= min_accuracy


def run_sets(sets: list[ClaimSet], pipeline: CheckingPipeline, tags: Optional[set[str]] = None) -> CIResult:
    """Verify every set; with `tags`, only claims carrying at least one of them are run."""
    results = []
    for claim_set in sets:
        start = time.perf_counter()
        if claim_set.is_article_set:
            cases, provenance = _run_article_set(claim_set, pipeline, tags)
        else:
            cases, provenance = _run_claims_set(claim_set, pipeline, tags)
        if cases is None:  # nothing selected by the tag filter
            continue
        results.append(
            SetResult(claim_set.name, str(claim_set.path), cases, time.perf_counter() - start, provenance)
        )
    return CIResult(results, tag_filter=frozenset(tags) if tags is not None else None)


def judge(
    set_name: str, key: str, spec: ClaimSpec | ArticleExpectation, claim_text: str, verdict: Optional[Verdict]
) -> CaseResult:
    """Pass when the label equals `expect` (or, for not_contradicted, is anything but contradicted)
    and, if given, p(expect) >= min_probability."""
    common = dict(
        set_name=set_name,
        key=key,
        claim=claim_text,
        expected=spec.expect,
        min_probability=spec.min_probability,
        tags=tuple(spec.tags),
        note=spec.note,
    )
    if verdict is None:
        return CaseResult(got=None, probabilities={}, passed=False, message="no verdict for this claim", **common)
    evidence = _top_evidence(verdict)
    got_p = verdict.probabilities.get(verdict.label, 0.0)
    if spec.expect == "not_contradicted":
        message = "" if verdict.label != "contradicted" else f"expected not_contradicted, got contradicted (p={got_p:.2f})"
    elif verdict.label != spec.expect:
        message = f"expected {spec.expect}, got {verdict.label} (p={got_p:.2f})"
    elif spec.min_probability is not None and verdict.probabilities.get(spec.expect, 0.0) < spec.min_probability:
        message = (
            f"expected {spec.expect} with p>={spec.min_probability:.2f}, "
            f"got {verdict.label} (p={verdict.probabilities.get(spec.expect, 0.0):.2f})"
        )
    else:
        message = ""
    return CaseResult(
        got=verdict.label,
        probabilities=dict(verdict.probabilities),
        passed=not message,
        message=message,
        evidence=evidence,
        **common,
    )


# ---------------------------------------------------------------- claims mode


def _selected(tags_of_claim: list[str], tags: Optional[set[str]]) -> bool:
    return tags is None or bool(tags & set(tags_of_claim))


def _run_claims_set(
    claim_set: ClaimSet, pipeline: CheckingPipeline, tags: Optional[set[str]]
) -> tuple[Optional[list[CaseResult]], dict]:
    specs = [c for c in claim_set.spec.claims if _selected(c.tags, tags)]
    if not specs:
        return None, {}
    report = pipeline.check_claims([c.text for c in specs], claim_set.corpus(), date=claim_set.spec.date)
    # Claims come back as c1..cN in the order given; map through ids, not positions, to be safe.
    verdicts = {v.claim_id: v for v in report.verdicts}
    cases = [
        judge(claim_set.name, spec.text, spec, spec.text, verdicts.get(claim.id))
        for spec, claim in zip(specs, report.claims)
    ]
    return cases, dict(report.provenance)


# ---------------------------------------------------------------- article mode


def _run_article_set(
    claim_set: ClaimSet, pipeline: CheckingPipeline, tags: Optional[set[str]]
) -> tuple[Optional[list[CaseResult]], dict]:
    expectations = [e for e in claim_set.spec.expect if _selected(e.tags, tags)]
    judge_others = claim_set.spec.others == "not_contradicted" and tags is None
    if not expectations and not judge_others:
        return None, {}
    from ..extract import load_document

    document = load_document(str(claim_set.article_path), claim_set.spec.date)
    report = pipeline.check(document, claim_set.corpus())
    verdicts = {v.claim_id: v for v in report.verdicts}
    verified = [c for c in report.claims if c.id in verdicts]
    cases: list[CaseResult] = []
    matched_ids: set[str] = set()
    for expectation in expectations:
        candidates = [c for c in verified if matches(expectation.match, c, report.document)]
        matched_ids.update(c.id for c in candidates)
        cases.append(_judge_candidates(claim_set.name, expectation, candidates, verdicts))
    if judge_others:
        # Skip claims that an expectation (even one filtered out by tags) already covers.
        covered = {c.id for e in claim_set.spec.expect for c in verified if matches(e.match, c, report.document)}
        for claim in verified:
            if claim.id not in covered | matched_ids:
                cases.append(_judge_not_contradicted(claim_set.name, claim, verdicts[claim.id]))
    return cases, dict(report.provenance)


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split()).casefold()


def source_text(claim: Claim, document: Document) -> str:
    start, end = claim.source_span
    return document.text[start:end]


def matches(substring: str, claim: Claim, document: Document) -> bool:
    needle = _normalise(substring)
    return needle in _normalise(source_text(claim, document)) or needle in _normalise(claim.text)


def _judge_candidates(
    set_name: str, expectation: ArticleExpectation, candidates: list[Claim], verdicts: dict[str, Verdict]
) -> CaseResult:
    """Several extracted claims may share the matched text (clauses of one sentence): the
    expectation holds if any of them meets it; otherwise report the closest one."""
    if not candidates:
        return CaseResult(
            set_name=set_name,
            key=expectation.match,
            claim=expectation.match,
            expected=expectation.expect,
            got=None,
            probabilities={},
            passed=False,
            message=f"no verified (check-worthy) extracted claim contains {expectation.match!r}",
            min_probability=expectation.min_probability,
            tags=tuple(expectation.tags),
            note=expectation.note,
        )
    judged = [replace(judge(set_name, expectation.match, expectation, c.text, verdicts[c.id]), span=c.source_span)
              for c in candidates]
    return max(judged, key=lambda r: (r.passed, r.probabilities.get(expectation.expect, 0.0)))


def _judge_not_contradicted(set_name: str, claim: Claim, verdict: Verdict) -> CaseResult:
    """An `others` case: the same judgement as `expect: not_contradicted`, its message says why it exists."""
    result = judge(set_name, claim.text, ClaimSpec(text=claim.text, expect="not_contradicted"), claim.text, verdict)
    result = replace(result, span=claim.source_span)
    if result.passed:
        return result
    return replace(result, message=result.message.replace("not_contradicted,", "not_contradicted (others),", 1))


def _top_evidence(verdict: Verdict) -> Optional[str]:
    if not verdict.evidence:
        return None
    text = " ".join(verdict.evidence[0].text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
