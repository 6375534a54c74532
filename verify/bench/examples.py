"""The one example record every dataset adapter yields, and the dataset bundle around it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Optional

BenchLabel = Literal["supported", "contradicted", "not_enough_info", "not_supported"]
NliLabel = Literal["entailment", "neutral", "contradiction", "not_entailment"]

CLAIM_3WAY = ("supported", "contradicted", "not_enough_info")
NLI_3WAY = ("entailment", "neutral", "contradiction")
NLI_2WAY = ("entailment", "not_entailment")


@dataclass(frozen=True)
class BenchExample:
    """One claim (or NLI hypothesis) with its gold evidence texts and gold label.

    `evidence` is what oracle mode shows the verifier; `gold_doc_ids` is what retrieval mode
    must find in the corpus (empty when the dataset names no gold document)."""

    id: str
    claim: str
    evidence: list[str]
    gold_doc_ids: list[str]
    label: str


@dataclass(frozen=True)
class CorpusDoc:
    """A retrieval-mode corpus document (converted to verify.corpus.SourceDoc when used)."""

    id: str
    text: str
    title: Optional[str] = None


@dataclass
class BenchDataset:
    """Examples plus everything a results file must say about where they came from."""

    name: str
    split: str
    kind: Literal["claims", "nli"]  # claims → Pipeline; nli → Verifier.predict on pairs
    labels: tuple[str, ...]  # the label space scored (2-way or 3-way)
    examples: list[BenchExample]
    files: list[Path]
    train_label_counts: Optional[dict[str, int]] = None  # for the majority baseline, when a train split exists
    train_label_source: Optional[str] = None
    corpus_loader: Optional[Callable[[], list[CorpusDoc]]] = None  # None → pooled gold evidence
    notes: list[str] = field(default_factory=list)  # e.g. dedup counts, stated in the results file
    dedup: dict = field(default_factory=dict)

    @property
    def positive_label(self) -> Optional[str]:
        """The class AUROC scores on 2-way sets (P(supported) or P(entailment))."""
        if len(self.labels) != 2:
            return None
        return self.labels[0]

    def checksum(self) -> str:
        """sha256 over the raw files' bytes, in path order: which data the numbers come from."""
        digest = hashlib.sha256()
        for path in sorted(self.files):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def corpus(self) -> list[CorpusDoc]:
        if self.corpus_loader is not None:
            return self.corpus_loader()
        return pooled_corpus(self.examples)


def evidence_doc_id(text: str) -> str:
    """A stable id for a pooled evidence text (datasets that name no source documents)."""
    return "ev-" + hashlib.sha1(text.strip().encode()).hexdigest()[:12]


def pooled_corpus(examples: list[BenchExample]) -> list[CorpusDoc]:
    """For datasets without a document collection: every gold evidence text, deduplicated."""
    seen: dict[str, CorpusDoc] = {}
    for ex in examples:
        for text in ex.evidence:
            doc_id = evidence_doc_id(text)
            if doc_id not in seen and text.strip():
                seen[doc_id] = CorpusDoc(id=doc_id, text=text.strip())
    return list(seen.values())
