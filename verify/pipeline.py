"""Wiring: Document → claims → evidence → window scores + check findings → verdicts → Report."""
from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence, Union

from .version import __version__
from .aggregate import ClaimRef, load_aggregator, settled
from .errors import InputError
from .registry import RETRIEVERS, Aggregator, Progress, Retriever, Verifier, report
from .settings import Settings
from .records import CheckFinding, Claim, Document, Evidence, Passage, Report, Verdict, WindowScore, verdict_counts
from .nli.windows import ranked_windows
from .text import lexicon as text_lexicon
from .text.tokens import TokenCounter

if TYPE_CHECKING:
    from .corpus import SourceDoc

CLAIM_BATCH = 256  # claims per retrieval/scoring round
CorpusLike = Union[str, Path, Sequence["SourceDoc"], Retriever]  # noqa: F821


EXTRACTING, VERIFYING = "extracting claims", "verifying claims"  # progress stages (and "scoring pairs" in nli)

# `verify check` on 2 CPU cores, every window scored (benchmarks/results/perf-e2e.md): for estimates only.
REFERENCE_CLAIMS_PER_SECOND = 1.4


def duration_text(claims: int, per_second: float = REFERENCE_CLAIMS_PER_SECOND) -> str:
    seconds = claims / per_second
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{max(seconds / 60, 0.1):.1f} min"


def too_many_claims(limit: int, read: int, total: int) -> InputError:
    """Stop reading as soon as the limit is passed: time and memory stay bounded on huge inputs."""
    estimate = (limit + 1) * total // max(read, 1)
    return InputError(
        f"the article has more than {limit:,} claims to verify (passed at character {read:,} of {total:,}; "
        f"about {estimate:,} in all, ~{duration_text(estimate)} at {REFERENCE_CLAIMS_PER_SECOND} claims/s on 2 CPU cores); "
        "raise --max-claims, or split the article")


class Pipeline:
    """`Pipeline(...).check(document, corpus)` → Report. Models and indexes load once and are reused."""

    def __init__(self, settings: Settings | None = None, *, verifier: Verifier | None = None,
                 retriever: Retriever | None = None, aggregator: Aggregator | None = None,
                 progress: Progress | None = None, on_claims: Callable[[int], None] | None = None, **overrides):
        """`settings` (default: `Settings()`), with keyword overrides of its fields (`Pipeline(top_k=8)`;
        `aggregator="learned"` names the aggregator). The stages are built by name from the registries
        (verify/registry.py) unless given as objects: any `verifier`, `retriever` (then `check` needs
        no corpus) or `aggregator` that fits its protocol. `progress(stage, done, total)` and
        `on_claims` are plumbing, not settings: they never change an answer."""
        for name, value in (("retriever", retriever), ("aggregator", aggregator)):
            if isinstance(value, str):  # a name: the setting of that name, built from the registry
                overrides[name] = value
        retriever = None if isinstance(retriever, str) else retriever
        aggregator = None if isinstance(aggregator, str) else aggregator
        base = settings if settings is not None else Settings()
        self.settings = base.replace(**overrides) if overrides else base
        self.progress = progress
        self.on_claims = on_claims  # check: told how many claims will be verified, before any scoring
        self._verifier = verifier
        self._retriever = retriever
        self._aggregator = aggregator
        # the word lists in use (built-in + the settings' lexicon files); a bad file fails here, exit 2
        self.lexicon = text_lexicon.load(self.settings.lexicons)
        text_lexicon.use(self.lexicon)

    # Read-only views of the settings, by the names the stages use.
    model_name = property(lambda self: self.settings.model)
    top_k = property(lambda self: self.settings.top_k)
    checks = property(lambda self: self.settings.checks)
    index_dir = property(lambda self: self.settings.index_dir)
    thresholds = property(lambda self: self.settings.thresholds)
    all_claims = property(lambda self: self.settings.all_claims)
    batch_size = property(lambda self: self.settings.batch_size)
    trust_remote_code = property(lambda self: self.settings.trust_remote_code)
    engine = property(lambda self: self.settings.engine)
    cache = property(lambda self: self.settings.cache)
    windows_kept = property(lambda self: self.settings.windows_kept)
    pairs = property(lambda self: self.settings.pairs)
    settle = property(lambda self: self.settings.settle)
    aggregator_name = property(lambda self: self.settings.aggregator)
    max_claims = property(lambda self: self.settings.max_claims)
    temperature = property(lambda self: self.settings.temperature)

    # -- components ---------------------------------------------------------------------------
    @property
    def verifier(self):
        if self._verifier is None:
            from .nli import load_verifier

            extra = {"trust_remote_code": True} if self.trust_remote_code else {}
            if self.temperature is not None:
                extra["temperature"] = self.temperature
            if self.settings.label_map:
                extra["label_map"] = self.settings.label_map
            self._verifier = load_verifier(self.model_name, engine=self.engine, cache=self.cache, **extra)
        return self._verifier

    @property
    def aggregator(self):
        if self._aggregator is None:
            self._aggregator = load_aggregator(self.aggregator_name, self.thresholds)
        return self._aggregator

    def open_corpus(self, corpus: CorpusLike | None = None) -> Retriever:
        """A retriever: the one given (as `corpus` or to the constructor), else the settings' retriever
        (default "hybrid": a corpus path → its BM25 + dense index, built or reused) opened on `corpus`."""
        if corpus is None:
            if self._retriever is None:
                raise InputError("no corpus given (pass a corpus, or Pipeline(retriever=...))")
            return self._retriever
        if hasattr(corpus, "search"):
            return corpus  # type: ignore[return-value]
        return RETRIEVERS.create(self.settings.retriever, corpus, index_dir=self.index_dir, progress=self.progress)

    # -- public API -----------------------------------------------------------------------------
    def check(self, document: Document | str, corpus: CorpusLike | None = None) -> Report:
        from .extract import iter_claims

        if isinstance(document, str):
            document = Document(text=document)
        text_lexicon.use(self.lexicon)
        t0 = time.perf_counter()
        claims = []
        to_verify = 0
        for claim in iter_claims(document):  # long articles take minutes to split: progress through the text
            claims.append(claim)
            report(self.progress, EXTRACTING, claim.source_span[1], len(document.text))
            to_verify += claim.checkworthy or self.all_claims
            if self.max_claims is not None and to_verify > self.max_claims:
                raise too_many_claims(self.max_claims, claim.source_span[1], len(document.text))
        report(self.progress, EXTRACTING, len(document.text), len(document.text))
        if self.on_claims is not None:
            self.on_claims(to_verify)
        return self._verify(document, claims, corpus, {"extract": time.perf_counter() - t0})

    def check_claims(self, claims: Sequence[str], corpus: CorpusLike | None = None, date: dt.date | None = None) -> Report:
        text = "\n".join(claims)
        records, pos = [], 0
        for i, c in enumerate(claims):
            records.append(Claim(id=f"c{i + 1}", text=c, source_span=(pos, pos + len(c)), sentence_index=i,
                                 type="entity", checkworthy=True))
            pos += len(c) + 1
        return self._verify(Document(id="claims", text=text, date=date), records, corpus, {})

    def judge(self, claims: Sequence[str], evidence: Sequence[Sequence[str]], date: dt.date | None = None) -> list[Verdict]:
        """Oracle mode: verify each claim against given evidence texts (no retrieval)."""
        refs = [ClaimRef(f"c{i + 1}", text) for i, text in enumerate(claims)]
        scores, findings = self.score(refs, given_evidence(evidence), date, progress=self.progress)
        return [self.aggregator(c, scores[c.id], findings[c.id]) for c in refs]

    def verify_retrieved(self, claims: Sequence[tuple[str, str]], evidence: Sequence[list[Evidence]],
                         date: dt.date | None = None) -> list[Verdict]:
        """Verdicts for (id, text) claims whose evidence is already retrieved — the scoring and
        aggregation `check` does, for engines that retrieve elsewhere (verify/distributed). Ids must be unique."""
        refs = [ClaimRef(cid, text) for cid, text in claims]
        scores, findings = self.score(refs, evidence, date)
        return [self.aggregator(c, scores[c.id], findings[c.id]) for c in refs]

    # -- stages ---------------------------------------------------------------------------------
    def _verify(self, document: Document, claims: list[Claim], corpus: CorpusLike | None, timings: dict) -> Report:
        targets = [c for c in claims if c.checkworthy or self.all_claims]
        t = time.perf_counter()
        verifier = self.verifier  # a bad model fails before any indexing work
        timings["load_model"] = time.perf_counter() - t
        t = time.perf_counter()
        index = self.open_corpus(corpus)
        timings["index"] = time.perf_counter() - t
        # Claims go through retrieval → scoring → aggregation in batches, so the pair/window working
        # set stays bounded on very long articles; the report itself grows with the claims.
        evidence: dict[str, list[Evidence]] = {}
        scores: dict[str, list[WindowScore]] = {}
        findings: dict[str, list[CheckFinding]] = {}
        verdicts: list[Verdict] = []
        aggregator = self.aggregator
        for key in ("retrieve", "score", "aggregate"):
            timings[key] = 0.0
        for start in range(0, len(targets), CLAIM_BATCH):
            batch = targets[start : start + CLAIM_BATCH]
            t = time.perf_counter()
            found = index.search([c.text for c in batch], k=self.top_k)
            evidence.update((c.id, ev) for c, ev in zip(batch, found))
            timings["retrieve"] += time.perf_counter() - t
            t = time.perf_counter()
            got, checked = self.score(batch, found, document.date, progress=self.progress)
            scores.update(got)
            findings.update(checked)
            timings["score"] += time.perf_counter() - t
            t = time.perf_counter()
            verdicts += [aggregator(c, scores[c.id], findings[c.id]) for c in batch]
            timings["aggregate"] += time.perf_counter() - t
            report(self.progress, VERIFYING, start + len(batch), len(targets))
        return Report(
            document=document, claims=claims, evidence=evidence,
            window_scores=[w for c in targets for w in scores.get(c.id, [])],
            findings={c.id: findings[c.id] for c in targets if findings.get(c.id)}, verdicts=verdicts,
            summary=verdict_counts(claims, verdicts),
            provenance={"version": __version__, "model": verifier.name, "model_hash": verifier.hash,
                        "index_hash": getattr(index, "hash", None), "retriever": getattr(index, "name", type(index).__name__),
                        "top_k": self.top_k, "checks": self.checks,
                        "pairs": self.pairs, "settle": self.settle, "windows": self.windows_kept, "aggregator": aggregator.name,
                        "engine": self.engine,
                        "thresholds": self.thresholds.model_dump(), "all_claims": self.all_claims,
                        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
            timings={k: round(v, 3) for k, v in timings.items()},
        )

    def score(self, claims: Sequence[ClaimRef | Claim], evidence: Iterable[list[Evidence]], date: dt.date | None,
               progress: Optional[Progress] = None) -> tuple[dict[str, list[WindowScore]], dict[str, list[CheckFinding]]]:
        """The claims' score images and check findings. Per claim: every passage is checked; its
        candidate windows are re-ranked by the claim's word weight they hold (`ranked_windows`) and
        the best `pairs` are scored in one batched NLI call with every other claim's, plus, for a
        passage whose checks decide something, its best window holding the deciding evidence
        (a number mismatch must reach the verdict whatever the budget). Nothing is adjusted here.
        With `settle` (early exit) the first half of the budget (and the deciding windows) is scored
        first, and the rest only for the claims the aggregator has not yet settled at that probability."""
        from .aggregate.evidence import passage_decisions
        from .checks import check_pair
        from .text.words import content_lemmas

        jobs: list[tuple[str, Evidence, tuple[int, int], float, int]] = []
        later: dict[str, list[tuple[str, Evidence, tuple[int, int], float, int]]] = {}  # early exit's second round
        findings: dict[str, list[CheckFinding]] = {}
        counter = TokenCounter.for_verifier(self.verifier)  # windows sized so no (window, claim) pair is truncated
        text_lexicon.use(self.lexicon)
        for claim, ev in zip(claims, evidence):
            found: list[CheckFinding] = []
            if self.checks:
                for e in ev:
                    found += [f.model_copy(update={"passage_id": e.passage.id})
                              for f in check_pair(claim.text, e.passage.text, doc_date=date)]
            findings[claim.id] = found
            ranked = ranked_windows(claim.text, [e.passage.text for e in ev], keep=self.windows_kept, counter=counter)
            chosen = ranked if self.pairs is None else ranked[: self.pairs]
            decided = passage_decisions(claim.text, found)
            for pid, (decision, deciding) in decided.items():
                spans = [f.evidence_span for f in deciding if f.evidence_span]
                i = next((k for k, e in enumerate(ev) if e.passage.id == pid), None)
                if decision == "none" or i is None:
                    continue
                holds = [r for r in ranked if r[0] == i and any(r[1][0] <= a and b <= r[1][1] for a, b in spans)]
                if holds and not any(r in chosen for r in holds):
                    chosen = chosen + holds[:1]
            planned = [(claim.id, ev[i], span, overlap, rank) for rank, (i, span, overlap) in enumerate(chosen, start=1)]
            if self.settle is not None and self.pairs is not None and self.pairs > 1:
                first = math.ceil(self.pairs / 2)  # the deciding windows (beyond the budget) go first
                later[claim.id] = planned[first:self.pairs]
                planned = planned[:first] + planned[self.pairs:]
            jobs += planned
        texts = {c.id: c.text for c in claims}
        claim_words = {c.id: content_lemmas(c.text) for c in claims}
        scores: dict[str, list[WindowScore]] = {c.id: [] for c in claims}

        def run(batch: list[tuple[str, Evidence, tuple[int, int], float, int]]) -> None:
            probs = self.verifier.predict([(e.passage.text[a:b], texts[cid]) for cid, e, (a, b), _, _ in batch],
                                          batch_size=self.batch_size, progress=progress)
            for (cid, e, (a, b), overlap, rank), pr in zip(batch, probs):
                p, words = e.passage, claim_words[cid]
                relevance = len(words & content_lemmas(p.text[a:b])) / len(words) if words else None
                scores[cid].append(WindowScore(
                    claim_id=cid, passage_id=p.id, doc_id=p.doc_id, window_span=(a, b),
                    doc_span=(p.span[0] + a, p.span[0] + b), text=p.text[a:b], relevance=relevance, rank=rank,
                    passage_rank=e.rank, retrieval=e.score, bm25=e.bm25, dense=e.dense, overlap=round(overlap, 4), **pr))

        run(jobs)
        if later:
            # a claim with windows left has scored ones (the first half of its budget comes first)
            run([job for claim in claims if later.get(claim.id)
                 and not settled(self.aggregator(claim, scores[claim.id], findings[claim.id]), self.settle)
                 for job in later[claim.id]])
            for windows in scores.values():
                windows.sort(key=lambda w: w.rank)
        return scores, findings


def given_evidence(evidence: Sequence[Sequence[str]]) -> list[list[Evidence]]:
    """Oracle mode: each claim's evidence texts as passages of their own, in the order given."""
    return [[Evidence(passage=Passage(id=f"e{i + 1}.{j + 1}", doc_id=f"evidence-{j + 1}", text=t, span=(0, len(t))),
                      rank=j + 1, score=1.0) for j, t in enumerate(texts)] for i, texts in enumerate(evidence)]
