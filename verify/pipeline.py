"""Wiring: Document → claims → evidence → pair scores → verdicts → Report."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence, Union

from . import __version__
from .aggregate import Thresholds, apply_checks, aggregate
from .errors import InputError
from .records import Claim, Document, Evidence, PairScore, Passage, Report, Verdict
from .nli.windows import term_weights, windows

if TYPE_CHECKING:
    from .corpus import Index, SourceDoc

CLAIM_BATCH = 256  # claims per retrieval/scoring round
CorpusLike = Union[str, Path, Sequence["SourceDoc"], "Index"]  # noqa: F821


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

    def __init__(self, model: str | None = None, top_k: int = 5, checks: bool = True, index_dir: str | None = None,
                 thresholds: Thresholds | None = None, all_claims: bool = False, batch_size: int = 32,
                 progress: bool = False, trust_remote_code: bool = False, engine: str = "torch",
                 cache: bool | str = False, windows_kept: int | None = None, max_claims: int | None = None,
                 on_claims: Callable[[int], None] | None = None, temperature: float | None = None):
        self.model_name = model
        self.top_k = top_k
        self.checks = checks
        self.index_dir = index_dir
        self.thresholds = thresholds or Thresholds()
        self.all_claims = all_claims  # verify claims marked not check-worthy too
        self.batch_size = batch_size
        self.progress = progress
        self.trust_remote_code = trust_remote_code
        self.engine = engine  # "torch" | "bf16" | "onnx" (int8 ONNX Runtime)
        self.cache = cache  # persistent SQLite score cache: True = default folder, a path, or False
        self.windows_kept = windows_kept  # sub-windows scored per passage besides the whole one (None = every window)
        self.max_claims = max_claims  # check: refuse (exit 2) an article with more claims to verify than this
        self.on_claims = on_claims  # check: told how many claims will be verified, before any scoring
        self.temperature = temperature  # NLI logit temperature (None = the model folder's calibration.json)
        self._verifier = None

    # -- components ---------------------------------------------------------------------------
    @property
    def verifier(self):
        if self._verifier is None:
            from .nli import load_verifier

            extra = {"trust_remote_code": True} if self.trust_remote_code else {}
            if self.temperature is not None:
                extra["temperature"] = self.temperature
            self._verifier = load_verifier(self.model_name, engine=self.engine, cache=self.cache, **extra)
        return self._verifier

    def open_corpus(self, corpus: CorpusLike):
        from .corpus import Index, chunk, open_index

        if isinstance(corpus, Index):
            return corpus
        if isinstance(corpus, (str, Path)):
            return open_index(corpus, index_dir=self.index_dir, progress=self.progress)
        docs = list(corpus)
        if not docs:
            raise InputError("corpus is empty")
        return Index.build(chunk(docs), progress=self.progress)

    # -- public API -----------------------------------------------------------------------------
    def check(self, document: Document | str, corpus: CorpusLike) -> Report:
        from .extract import iter_claims

        if isinstance(document, str):
            document = Document(text=document)
        t0 = time.perf_counter()
        from rich.progress import Progress

        # Long articles take minutes to split: show progress through the text.
        with Progress(disable=not self.progress or len(document.text) < 1_000_000, transient=True) as bar:
            task = bar.add_task("extracting claims", total=len(document.text))
            claims = []
            to_verify = 0
            for claim in iter_claims(document):
                claims.append(claim)
                bar.update(task, completed=claim.source_span[1])
                to_verify += claim.checkworthy or self.all_claims
                if self.max_claims is not None and to_verify > self.max_claims:
                    raise too_many_claims(self.max_claims, claim.source_span[1], len(document.text))
        if self.on_claims is not None:
            self.on_claims(to_verify)
        return self._verify(document, claims, corpus, {"extract": time.perf_counter() - t0})

    def check_claims(self, claims: Sequence[str], corpus: CorpusLike, date: dt.date | None = None) -> Report:
        text = "\n".join(claims)
        records, pos = [], 0
        for i, c in enumerate(claims):
            records.append(Claim(id=f"c{i + 1}", text=c, source_span=(pos, pos + len(c)), sentence_index=i,
                                 type="entity", checkworthy=True))
            pos += len(c) + 1
        return self._verify(Document(id="claims", text=text, date=date), records, corpus, {})

    def judge(self, claims: Sequence[str], evidence: Sequence[Sequence[str]], date: dt.date | None = None) -> list[Verdict]:
        """Oracle mode: verify each claim against given evidence texts (no retrieval)."""
        verdicts = []
        all_ev: list[list[Evidence]] = []
        for i, texts in enumerate(evidence):
            ev = [Evidence(passage=Passage(id=f"e{i + 1}.{j + 1}", doc_id=f"evidence-{j + 1}", text=t, span=(0, len(t))),
                           rank=j + 1, score=1.0) for j, t in enumerate(texts)]
            all_ev.append(ev)
        ids = [f"c{i + 1}" for i in range(len(claims))]
        pair_scores = self._score(list(zip(ids, claims)), all_ev, date, progress=self.progress)
        for cid, ev in zip(ids, all_ev):
            verdicts.append(aggregate(cid, pair_scores.get(cid, []), ev, self.thresholds))
        return verdicts

    def verify_retrieved(self, claims: Sequence[tuple[str, str]], evidence: Sequence[list[Evidence]],
                         date: dt.date | None = None) -> list[Verdict]:
        """Verdicts for (id, text) claims whose evidence is already retrieved — the scoring and
        aggregation `check` does, for engines that retrieve elsewhere (verify/distributed). Ids must be unique."""
        scores = self._score(list(claims), evidence, date)
        return [aggregate(cid, scores.get(cid, []), ev, self.thresholds) for (cid, _), ev in zip(claims, evidence)]

    # -- stages ---------------------------------------------------------------------------------
    def _verify(self, document: Document, claims: list[Claim], corpus: CorpusLike, timings: dict) -> Report:
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
        scores: dict[str, list[PairScore]] = {}
        verdicts: list[Verdict] = []
        for key in ("retrieve", "score", "aggregate"):
            timings[key] = 0.0
        from rich.progress import Progress

        with Progress(disable=not self.progress or len(targets) <= CLAIM_BATCH, transient=True) as bar:
            task = bar.add_task("verifying claims", total=len(targets))
            for start in range(0, len(targets), CLAIM_BATCH):
                batch = targets[start : start + CLAIM_BATCH]
                t = time.perf_counter()
                found = index.search([c.text for c in batch], k=self.top_k)
                evidence.update((c.id, ev) for c, ev in zip(batch, found))
                timings["retrieve"] += time.perf_counter() - t
                t = time.perf_counter()
                scores.update(self._score([(c.id, c.text) for c in batch], found, document.date,
                                          progress=self.progress and len(targets) <= CLAIM_BATCH))
                timings["score"] += time.perf_counter() - t
                t = time.perf_counter()
                verdicts += [aggregate(c.id, scores.get(c.id, []), evidence[c.id], self.thresholds) for c in batch]
                timings["aggregate"] += time.perf_counter() - t
                bar.advance(task, len(batch))
        from .report import summarize

        return Report(
            document=document, claims=claims, evidence=evidence,
            pair_scores=[p for c in targets for p in scores.get(c.id, [])], verdicts=verdicts,
            summary=summarize(claims, verdicts),
            provenance={"version": __version__, "model": verifier.name, "model_hash": verifier.hash,
                        "index_hash": index.manifest.get("corpus_hash"), "top_k": self.top_k, "checks": self.checks,
                        "thresholds": self.thresholds.model_dump(), "all_claims": self.all_claims,
                        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
            timings={k: round(v, 3) for k, v in timings.items()},
        )

    def _score(self, claims: list[tuple[str, str]], evidence: Iterable[list[Evidence]],
               date: dt.date | None, progress: bool = False) -> dict[str, list[PairScore]]:
        """Score every (window, claim) pair in one batched call, keep each passage's most decisive window."""
        from .checks.lexicon import content_lemmas

        claim_words = {cid: content_lemmas(text) for cid, text in claims}
        jobs: list[tuple[str, str, Passage, tuple[int, int]]] = []
        for (cid, text), ev in zip(claims, evidence):
            weights = term_weights(text, [e.passage.text for e in ev]) if self.windows_kept is not None else None
            for e in ev:
                for w in windows(e.passage.text, weights, keep=self.windows_kept):
                    jobs.append((cid, text, e.passage, w))
        probs = self.verifier.predict([(p.text[a:b], text) for _, text, p, (a, b) in jobs],
                                      batch_size=self.batch_size, progress=progress)
        best: dict[tuple[str, str], PairScore] = {}
        for (cid, text, passage, w), pr in zip(jobs, probs):
            words = claim_words[cid]
            relevance = len(words & content_lemmas(passage.text[w[0]:w[1]])) / len(words) if words else None
            score = PairScore(claim_id=cid, passage_id=passage.id, window_span=w, relevance=relevance, **pr)
            key = (cid, passage.id)
            old = best.get(key)
            if old is None or max(score.entailment, score.contradiction) > max(old.entailment, old.contradiction):
                best[key] = score
        out: dict[str, list[PairScore]] = {}
        for (cid, _), score in best.items():
            out.setdefault(cid, []).append(score)
        if self.checks:
            texts = dict(claims)
            passages = {p.id: p for _, _, p, _ in jobs}
            for cid, scores in out.items():
                out[cid] = apply_checks(texts[cid], scores, passages, date)
        return out
