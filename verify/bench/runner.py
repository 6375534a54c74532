"""Run one benchmark: pick a predictor (model, majority or lexical), score examples in batches
with a resumable per-example cache, then compute metrics and the results record."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterator, Optional, Sequence

from ..errors import InputError
from ..paths import bench_cache_dir
from ..registry import Progress, report
from .baselines import MajorityBaseline, load_or_fit_lexical
from .datasets import existing_data_root, sample
from .examples import BenchDataset, BenchExample
from .metrics import classification_metrics, peak_memory_mb, retrieval_recall
from ..profile import Profile
from ..settings import Settings

BASELINES = ("majority", "lexical")
RECALL_KS = (1, 3, 5, 10)
# NLI probabilities → claim labels, for the lexical baseline on claim datasets.
NLI_TO_CLAIM = {"entailment": "supported", "contradiction": "contradicted", "neutral": "not_enough_info"}


@dataclass
class BenchRun:
    """One benchmark run: the pipeline's `Settings` plus what only a benchmark has (mode, sample,
    batching, resume, where data and caches are)."""

    settings: Settings = field(default_factory=lambda: Settings(engine="torch"))
    mode: str = "oracle"  # oracle | retrieval | pipeline
    limit: Optional[int] = None
    seed: int = 13
    batch_size: int = 16  # examples per batch (and per cache append)
    resume: bool = False
    data_dir: Optional[str] = None
    cache_dir: Path = field(default_factory=bench_cache_dir)
    progress: Optional[Progress] = None  # plumbing: called (stage, done, total); the command draws it
    profile: Optional[Profile] = None  # already applied to `settings`; kept to check the model and record it
    profile_name: Optional[str] = None  # for file names (-<profile name>)

    # Read-only views of the settings, by the names the results records use.
    model = property(lambda self: self.settings.model)  # None = embedded verifier; "majority" / "lexical" = baselines
    checks = property(lambda self: self.settings.checks)
    top_k = property(lambda self: self.settings.top_k)
    engine = property(lambda self: self.settings.engine)
    windows_kept = property(lambda self: self.settings.windows_kept)
    pairs = property(lambda self: self.settings.pairs)
    settle = property(lambda self: self.settings.settle)
    aggregator = property(lambda self: self.settings.aggregator)

    def model_label(self) -> str:
        """Short model name for file names: the embedded name, a baseline, or a path's last part (+ -bf16/-onnx)."""
        label = "minilm-nli" if self.model is None else Path(self.model.rstrip("/")).name or self.model
        label = label if self.engine == "torch" or self.model in BASELINES else f"{label}-{self.engine}"
        return f"{label}-{self.profile_name}" if self.profile_name else label


# ---------------------------------------------------------------- label-space conversion

def to_label_space(raw: dict[str, float], labels: Sequence[str], raw_label: Optional[str] = None) -> tuple[str, dict[str, float]]:
    """Map raw probabilities (claim 3-way or NLI 3-way) onto a dataset's label space.

    2-way supported/contradicted sets force a choice: P renormalised over the two labels (the
    share of NEI predictions is reported separately). 2-way X/not_X sets score P(X) vs the rest.
    3-way sets keep the verdict's own label when one is given (the aggregator may use thresholds)."""
    labels = list(labels)
    if len(labels) == 3:
        probs = {label: float(raw.get(label, 0.0)) for label in labels}
        pred = raw_label if raw_label in probs else max(labels, key=lambda label: probs[label])
        return pred, probs
    positive, negative = labels
    p_pos = float(raw.get(positive, 0.0))
    if negative in raw:  # both labels exist in the raw space: forced choice between them
        total = p_pos + float(raw[negative])
        p_pos = p_pos / total if total > 0 else 0.5
    probs = {positive: p_pos, negative: 1.0 - p_pos}
    return (positive if p_pos >= 0.5 else negative), probs


# ---------------------------------------------------------------- predictors

class Predictor:
    """Scores a batch of examples → one record per example (raw probabilities + extras)."""

    name: str
    hash: str
    pairs_scored: int = 0

    def predict(self, batch: list[BenchExample]) -> list[dict]:
        raise NotImplementedError


class MajorityPredictor(Predictor):
    def __init__(self, dataset: BenchDataset):
        if dataset.train_label_counts:
            counts, source = dataset.train_label_counts, f"training split ({dataset.train_label_source})"
        else:
            counts = {label: 0 for label in dataset.labels}
            for ex in dataset.examples:
                counts[ex.label] += 1
            source = "evaluation set (no training split)"
        self.baseline = MajorityBaseline(counts, dataset.labels, source)
        self.name, self.hash = "majority", self.baseline.hash

    def predict(self, batch):
        return [{"raw": probs, "raw_label": self.baseline.label} for probs in self.baseline.predict(len(batch))]


class NliPairPredictor(Predictor):
    """Premise = each evidence text, hypothesis = claim. For claim datasets (lexical baseline) the
    evidence texts are joined into one premise and NLI labels map to claim labels."""

    def __init__(self, verifier, dataset: BenchDataset, batch_size: int):
        self.verifier, self.dataset, self.batch_size = verifier, dataset, batch_size
        self.name, self.hash = verifier.name, verifier.hash

    def predict(self, batch):
        pairs = [(" ".join(ex.evidence), ex.claim) for ex in batch]
        self.pairs_scored += len(pairs)
        outputs = self.verifier.predict(pairs, batch_size=self.batch_size)
        if self.dataset.kind == "nli":
            return [{"raw": out} for out in outputs]
        return [{"raw": {NLI_TO_CLAIM[k]: v for k, v in out.items()}} for out in outputs]


class PipelineOraclePredictor(Predictor):
    """Claims with their gold evidence through the pipeline's scoring and aggregation (Pipeline.judge)."""

    def __init__(self, pipeline, name: str, model_hash: str):
        self.pipeline, self.name, self.hash = pipeline, name, model_hash

    def predict(self, batch):
        from ..aggregate import ClaimRef
        from ..pipeline import given_evidence

        refs = [ClaimRef(f"c{i + 1}", ex.claim) for i, ex in enumerate(batch)]
        scores, findings = self.pipeline.score(refs, given_evidence([ex.evidence for ex in batch]), None)
        self.pairs_scored += sum(len(w) for w in scores.values())
        verdicts = [self.pipeline.aggregator(c, scores[c.id], findings[c.id]) for c in refs]
        return [{"raw": dict(v.probabilities), "raw_label": v.label} for v in verdicts]


class NliThroughPipelinePredictor(PipelineOraclePredictor):
    """NLI pairs judged like claims (premise = the one evidence text), verdicts mapped back to NLI
    labels: supported → entailment, contradicted → contradiction, not_enough_info → neutral. This is
    how the effect of the numeric/date checks is measured on pair sets such as vitaminc_real_test."""

    def predict(self, batch):
        back = {v: k for k, v in NLI_TO_CLAIM.items()}
        out = super().predict(batch)
        for row in out:
            row["raw"] = {back[k]: v for k, v in row["raw"].items()}
            row["raw_label"] = back[row["raw_label"]]
        return out


class PipelineRetrievalPredictor(Predictor):
    """Claims checked against the dataset's whole corpus: retrieval + verifier + aggregation."""

    def __init__(self, pipeline, index, name: str, model_hash: str):
        self.pipeline, self.index, self.name, self.hash = pipeline, index, name, model_hash

    def predict(self, batch):
        report = self.pipeline.check_claims([ex.claim for ex in batch], self.index)
        self.pairs_scored += len(report.window_scores)
        out = []
        for claim, verdict in zip(report.claims, report.verdicts):
            ranked = [ev.passage.doc_id for ev in sorted(report.evidence.get(claim.id, []), key=lambda e: e.rank)]
            out.append({"raw": dict(verdict.probabilities), "raw_label": verdict.label,
                        "retrieved": list(dict.fromkeys(ranked))})  # distinct docs, rank order
        return out


def corpus_index(dataset: BenchDataset, cache_dir: Path, progress: Optional[Progress] = None):
    """Build the dataset's corpus index once; later runs load it while the corpus is unchanged."""
    from ..corpus import DEFAULT_ENCODER, Index, SourceDoc, chunk, corpus_hash
    from ..corpus.chunking import MAX_WORDS, OVERLAP_SENTENCES
    from ..corpus.index import read_manifest

    docs = [SourceDoc(id=d.id, text=d.text, title=d.title) for d in dataset.corpus()]
    digest = corpus_hash(docs, MAX_WORDS, OVERLAP_SENTENCES, DEFAULT_ENCODER)
    folder = cache_dir / f"{dataset.name}-{dataset.split}-index"
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest and manifest.get("corpus_hash") == digest:
        return Index.load(folder), digest, len(docs)
    from ..corpus.store import load_previous

    # an older index (other format or corpus, or another split's over the same corpus) still lends
    # its embeddings: encoding is the slow part
    reuse = load_previous(folder) if folder.is_dir() else None
    for sibling in sorted(cache_dir.glob(f"{dataset.name}-*-index")) if reuse is None else []:
        if (reuse := load_previous(sibling)) is not None:
            break
    index = Index.build(chunk(docs), progress=progress, reuse=reuse)
    cache_dir.mkdir(parents=True, exist_ok=True)
    index.save(folder, extra={"corpus_hash": digest})
    return index, digest, len(docs)


def bench_verifier(settings: Settings):
    """The verifier of these settings, without the score cache (a benchmark measures the model);
    loaded once per process by `load_verifier` (the NLI suite runs many sets)."""
    from ..pipeline import Pipeline

    return Pipeline(settings, cache=False).verifier


def make_predictor(dataset: BenchDataset, settings: BenchRun) -> tuple[Predictor, dict]:
    """The predictor for (dataset kind, mode, model) and any settings it adds to the record."""
    extra: dict = {}
    if settings.model in BASELINES:
        if settings.mode != "oracle":
            raise InputError(f"the {settings.model} baseline runs in oracle mode only (it retrieves nothing)")
        if settings.model == "majority":
            predictor = MajorityPredictor(dataset)
            extra["majority_source"] = predictor.baseline.source
            return predictor, extra
        lexical = load_or_fit_lexical(existing_data_root(settings.data_dir), settings.cache_dir / "baselines")
        extra["lexical_trained_on"] = lexical.trained_on
        return NliPairPredictor(lexical, dataset, settings.batch_size), extra
    if dataset.kind == "nli" and settings.mode == "retrieval":
        raise InputError("NLI pair sets have no corpus: use --mode oracle (the model alone) or --mode pipeline")
    if dataset.kind == "nli" and settings.mode == "oracle":
        return NliPairPredictor(bench_verifier(settings.settings), dataset, settings.batch_size), extra
    from ..pipeline import Pipeline
    from ..profile import check_profile_model

    pipeline = Pipeline(settings.settings)
    if settings.profile:
        check_profile_model(settings.profile, pipeline.verifier)
        extra["profile"] = settings.profile.model_dump(include={"temperature", "support_threshold", "contradict_threshold",
                                                                "target_precision", "fitted_on", "rows"})
    if dataset.kind == "nli":  # --mode pipeline: windows + numeric/date checks + aggregation
        verifier = bench_verifier(settings.settings)
        return NliThroughPipelinePredictor(pipeline, verifier.name, verifier.hash), extra
    verifier = getattr(pipeline, "verifier", None)
    if verifier is None:  # the pipeline loads lazily; ask for the same model to learn its hash
        verifier = bench_verifier(settings.settings)
    if settings.mode in ("oracle", "pipeline"):  # claim sets: judged with gold evidence
        return PipelineOraclePredictor(pipeline, verifier.name, verifier.hash), extra
    index, digest, n_docs = corpus_index(dataset, settings.cache_dir, settings.progress)
    extra.update(corpus_hash=digest, corpus_docs=n_docs, index_passages=len(index))
    return PipelineRetrievalPredictor(pipeline, index, verifier.name, verifier.hash), extra


# ---------------------------------------------------------------- per-example cache

def run_key(dataset: BenchDataset, settings: BenchRun, predictor: Predictor) -> str:
    parts = [dataset.name, dataset.split, settings.mode, predictor.name, predictor.hash, settings.limit,
             settings.seed, settings.checks, settings.top_k, dataset.checksum()]
    if settings.engine != "torch":  # older cache keys stay valid for the torch engine
        parts.append(settings.engine)
    if settings.windows_kept is not None:  # older cache keys (every window) stay valid
        parts.append(f"windows={settings.windows_kept}")
    parts += [f"pairs={settings.pairs}", f"aggregator={settings.aggregator}"]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


class ExampleCache:
    """`<out>/.cache/<run-key>.jsonl`, one line per finished example, appended per batch, so an
    interrupted run resumes with --resume. A fresh run starts the file over."""

    def __init__(self, path: Path, resume: bool):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"  # caches sit beside committed results: keep them out of git
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self.done: dict[str, dict] = {}
        if resume and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:  # a line cut by the interruption: redo that example
                    continue
                self.done[row["id"]] = row
        elif path.exists():
            path.unlink()

    def append(self, rows: list[dict]) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write("".join(json.dumps(r) + "\n" for r in rows))
            f.flush()
            os.fsync(f.fileno())
        self.done.update((r["id"], r) for r in rows)


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------- the run

def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for dist in ("verify-claims", "torch", "transformers", "datasets", "scikit-learn", "numpy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return versions


def run_benchmark(dataset: BenchDataset, settings: BenchRun, out_dir: Path) -> dict:
    """Score the (sampled) examples and return the results record (not yet written)."""
    examples = sample(dataset.examples, settings.limit, settings.seed)
    started = time.perf_counter()
    predictor, extra = make_predictor(dataset, settings)
    load_seconds = time.perf_counter() - started
    cache = ExampleCache(out_dir / ".cache" / f"{run_key(dataset, settings, predictor)}.jsonl", settings.resume)
    todo = [ex for ex in examples if ex.id not in cache.done]
    resumed = len(examples) - len(todo)

    scoring_started = time.perf_counter()
    stage = f"{dataset.name} {dataset.split} {settings.mode} {predictor.name}"
    report(settings.progress, stage, resumed, len(examples))
    for batch in batches(todo, settings.batch_size):
        outputs = predictor.predict(batch)
        rows = []
        for ex, out in zip(batch, outputs):
            pred, probs = to_label_space(out["raw"], dataset.labels, out.get("raw_label"))
            probs = {k: round(v, 6) for k, v in probs.items()}  # results files stay small
            rows.append({"id": ex.id, "gold": ex.label, "pred": pred, "probs": probs, "raw": out["raw"],
                         "raw_label": out.get("raw_label"), "gold_doc_ids": ex.gold_doc_ids,
                         "retrieved": out.get("retrieved")})
        cache.append(rows)
        report(settings.progress, stage, len(cache.done), len(examples))
    scoring_seconds = time.perf_counter() - scoring_started

    predictions = [cache.done[ex.id] for ex in examples]
    metrics = classification_metrics([p["gold"] for p in predictions], [p["pred"] for p in predictions],
                                     [p["probs"] for p in predictions], dataset.labels, seed=settings.seed,
                                     positive=dataset.positive_label)
    if dataset.kind == "claims" and "not_enough_info" not in dataset.labels and settings.model != "majority":
        metrics["raw_nei_rate"] = sum(_raw_argmax(p) == "not_enough_info" for p in predictions) / len(predictions)
    if settings.mode == "retrieval":
        metrics["retrieval"] = retrieval_recall([p["gold_doc_ids"] for p in predictions],
                                                [p["retrieved"] or [] for p in predictions],
                                                [k for k in RECALL_KS if k <= settings.top_k])
    scored = len(todo)
    return {
        "schema": "verify-bench/1",
        "dataset": dataset.name, "split": dataset.split, "mode": settings.mode, "kind": dataset.kind,
        "labels": list(dataset.labels),
        "model": {"name": predictor.name, "label": settings.model_label(), "hash": predictor.hash, "engine": settings.engine},
        "settings": {"limit": settings.limit, "seed": settings.seed, "checks": settings.checks,
                     "top_k": settings.top_k, "batch_size": settings.batch_size,
                     "windows_kept": settings.windows_kept,
                     **({} if settings.model in BASELINES or dataset.kind == "nli" and settings.mode == "oracle"
                        else {"pairs": settings.pairs, "settle": settings.settle, "aggregator": settings.aggregator}),
                     **extra},
        "data": {"files": [p.name for p in dataset.files], "sha256": dataset.checksum(),
                 "examples_in_split": len(dataset.examples), "dedup": dataset.dedup, "notes": dataset.notes},
        "n": len(predictions), "limit": settings.limit, "seed": settings.seed,
        "metrics": metrics,
        "performance": {
            "wall_seconds": round(time.perf_counter() - started, 3), "load_seconds": round(load_seconds, 3),
            "scoring_seconds": round(scoring_seconds, 3), "examples_scored_this_run": scored,
            "resumed_examples": resumed, "pairs_scored": predictor.pairs_scored,
            "claims_per_second": round(scored / scoring_seconds, 3) if scoring_seconds > 0 and scored else None,
            "pairs_per_second": round(predictor.pairs_scored / scoring_seconds, 3) if scoring_seconds > 0 and predictor.pairs_scored else None,
            "peak_memory_mb": round(peak_memory_mb(), 1),
        },
        "versions": package_versions(),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "predictions": [{k: p[k] for k in ("id", "gold", "pred", "probs", "raw_label", "retrieved") if p.get(k) is not None}
                        for p in predictions],
    }


def _raw_argmax(prediction: dict) -> str:
    if prediction.get("raw_label"):
        return prediction["raw_label"]
    raw = prediction["raw"]
    return max(raw, key=raw.get)

