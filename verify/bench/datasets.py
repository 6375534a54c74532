"""Dataset adapters: each reads one benchmark in its original format (through `datasets`, from
local files only) and yields BenchExample records with an explicit label map."""
from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import InputError
from .examples import (
    CLAIM_3WAY,
    NLI_2WAY,
    NLI_3WAY,
    BenchDataset,
    BenchExample,
    CorpusDoc,
    evidence_doc_id,
)

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DATA_ENV = "VERIFY_DATA_DIR"

# Explicit label maps: raw dataset label → benchmark label.
SCIFACT_LABELS = {"SUPPORT": "supported", "CONTRADICT": "contradicted", "": "not_enough_info"}
COVIDFACT_LABELS = {"SUPPORTED": "supported", "REFUTED": "contradicted"}
FEVER_LABELS = {"SUPPORTS": "supported", "REFUTES": "contradicted"}
# SufficientFacts: the label after evidence removal decides; HoVer writes SUPPORTED for SUPPORTS.
SUFFICIENT_BEFORE = {"SUPPORTS": "supported", "SUPPORTED": "supported", "REFUTES": "contradicted"}
SUFFICIENT_AFTER_NEI = "NOT ENOUGH"
NLI_LABELS = {label: label for label in (*NLI_3WAY, "not_entailment")}

FEVER_SYMMETRIC_SPLITS = {
    "test": "symmetric_v0.2__fever_symmetric_test.jsonl",
    "dev": "symmetric_v0.2__fever_symmetric_dev.jsonl",
    "full": "symmetric_v0.1__fever_symmetric_full.jsonl",
    "generated": "symmetric_v0.1__fever_symmetric_generated.jsonl",
}
SUFFICIENT_SPLITS = ("fever", "hover", "vitaminc")

CLAIM_DATASETS = ("scifact", "covid-fact", "fever-symmetric", "sufficient-facts")
DEFAULT_SPLITS = {"scifact": "validation", "covid-fact": "all", "fever-symmetric": "test",
                  "sufficient-facts": "all"}


# ---------------------------------------------------------------- paths and raw rows

def data_root(data_dir: str | Path | None = None) -> Path:
    """--data-dir, else $VERIFY_DATA_DIR, else ../shared/data beside the repository."""
    chosen = data_dir or os.environ.get(DATA_ENV) or REPO_ROOT.parent / "shared" / "data"
    return Path(chosen).expanduser()


def existing_data_root(data_dir: str | Path | None = None) -> Path:
    """`data_root`, which must exist: a clear error outside a source checkout with no --data-dir."""
    root = data_root(data_dir)
    if not root.is_dir():
        given = "--data-dir" if data_dir else f"${DATA_ENV}" if os.environ.get(DATA_ENV) else None
        raise InputError(f"benchmark data folder not found: {root} "
                         + (f"(from {given})" if given else "(the default, ../shared/data beside a source checkout; "
                            f"give --data-dir DIR or set ${DATA_ENV})"))
    return root


def require(path: Path, what: str) -> Path:
    if not path.exists():
        raise InputError(f"{what} not found: {path} (set --data-dir or ${DATA_ENV})")
    return path


def read_rows(files: list[Path], fmt: Optional[str] = None) -> list[dict[str, Any]]:
    """Rows of local JSONL/CSV files via `datasets` (never the hub: data_files are local paths)."""
    import datasets

    datasets.disable_progress_bars()
    for f in files:
        require(f, "dataset file")
    fmt = fmt or files[0].suffix.lstrip(".").lower()
    builder = {"jsonl": "json", "json": "json", "ndjson": "json", "csv": "csv", "tsv": "csv"}.get(fmt)
    if builder is None:
        raise InputError(f"unsupported dataset format {fmt!r} for {files[0]} (use jsonl or csv)")
    kwargs: dict[str, Any] = {"sep": "\t"} if fmt == "tsv" else {}
    try:
        ds = datasets.load_dataset(builder, data_files=[str(f) for f in files], split="train", **kwargs)
    except Exception as exc:  # a malformed file is bad input, not a crash
        raise InputError(f"cannot read {', '.join(map(str, files))}: {str(exc).splitlines()[0][:200]}") from exc
    return ds.to_list()


def require_columns(rows: list[dict[str, Any]], columns: list[str], source: str | Path) -> None:
    found = list(rows[0].keys()) if rows else []
    missing = [c for c in columns if c not in found]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}; columns found: {', '.join(found) or 'none'}")


def map_label(raw: Any, label_map: dict[str, str], source: str) -> str:
    key = "" if raw is None else str(raw).strip()
    if key not in label_map:  # CSV readers turn TRUE into True: match case-insensitively next
        folded = {k.lower(): v for k, v in label_map.items()}
        if key.lower() in folded:
            return folded[key.lower()]
        raise InputError(f"{source}: label {key!r} not in the label map ({', '.join(repr(k) for k in label_map)})")
    return label_map[key]


def part_files(folder: Path, name: str) -> list[Path]:
    """NAME.jsonl or NAME.partNN.jsonl, joined in order."""
    single = folder / f"{name}.jsonl"
    if single.exists():
        return [single]
    return sorted(folder.glob(f"{name}.part*.jsonl"))


# ---------------------------------------------------------------- training-data overlap

def norm_claim(text: str) -> str:
    """Claim identity ignoring case, spacing, punctuation and tokenisation (FEVER writes
    'film .' and 'did n't'), so every character but letters and digits is dropped."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def training_hypotheses(root: Path) -> dict[str, set[str]]:
    """Normalised hypothesis → the nli/train/ sets it occurs in (what the shipped model saw)."""
    seen: dict[str, set[str]] = {}
    for path in sorted((root / "nli" / "train").glob("*.jsonl")):
        set_name = re.sub(r"\.part\d+$", "", path.stem)
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    seen.setdefault(norm_claim(json.loads(line)["hypothesis"]), set()).add(set_name)
    return seen


def drop_training_overlap(examples: list[BenchExample], root: Path, drop: bool) -> tuple[list[BenchExample], dict]:
    """Count (and, when `drop`, remove) claims whose text is a hypothesis in nli/train/."""
    train_dir = root / "nli" / "train"
    if not train_dir.is_dir():
        return examples, {"checked": False, "reason": f"{train_dir} not found"}
    seen = training_hypotheses(root)
    overlapping = [ex for ex in examples if norm_claim(ex.claim) in seen]
    by_set = Counter(s for ex in overlapping for s in seen[norm_claim(ex.claim)])
    info = {"checked": True, "against": "nli/train/*.jsonl hypotheses (claim text, normalised)",
            "overlapping": len(overlapping), "dropped": len(overlapping) if drop else 0,
            "by_training_set": dict(by_set), "total_before": len(examples)}
    if drop:
        ids = {ex.id for ex in overlapping}
        examples = [ex for ex in examples if ex.id not in ids]
    return examples, info


# ---------------------------------------------------------------- SciFact

def _ints(cell: Any) -> list[int]:
    """'[2 5]', '[ 5152028 11705328]', 14717500.0 or None → list of ints."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    if isinstance(cell, (int, float)):
        return [int(cell)]
    return [int(x) for x in re.findall(r"\d+", str(cell))]


def scifact_corpus_rows(root: Path) -> dict[str, dict[str, Any]]:
    folder = require(root / "bench" / "scifact", "SciFact folder")
    files = sorted(folder.glob("corpus.part*.jsonl"))
    if not files:
        raise InputError(f"SciFact corpus (corpus.part*.jsonl) not found in {folder}")
    rows = read_rows(files)
    require_columns(rows, ["doc_id", "title", "abstract"], files[0])
    return {str(r["doc_id"]): r for r in rows}


def scifact_doc_text(row: dict[str, Any]) -> str:
    return " ".join([row["title"].strip(), *(s.strip() for s in row["abstract"])])


def load_scifact(root: Path, split: str) -> BenchDataset:
    """One example per claim. Evidence rows (one per rationale) give the label and the gold
    sentences; a claim with no evidence row is NEI and its oracle evidence is the cited abstract."""
    if split not in ("train", "validation"):
        raise InputError(f"SciFact split {split!r}: use train or validation (test has no labels)")
    folder = require(root / "bench" / "scifact", "SciFact folder")
    claims_file = require(folder / f"claims_{split}.csv", "SciFact claims file")
    rows = read_rows([claims_file])
    require_columns(rows, ["id", "claim", "evidence_doc_id", "evidence_label", "evidence_sentences", "cited_doc_ids"], claims_file)
    corpus = scifact_corpus_rows(root)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        grouped.setdefault(str(r["id"]), []).append(r)
    examples = []
    for claim_id, group in grouped.items():
        labels = {map_label(r["evidence_label"], SCIFACT_LABELS, str(claims_file)) for r in group}
        if len(labels) != 1:  # never happens in the released data; refuse rather than guess
            raise InputError(f"{claims_file}: claim {claim_id} has conflicting labels {sorted(labels)}")
        label = labels.pop()
        evidence, gold_docs = [], []
        for r in group:
            doc_ids = [str(d) for d in _ints(r["evidence_doc_id"])]
            for doc_id in doc_ids:
                abstract = corpus[doc_id]["abstract"]
                evidence.append(" ".join(abstract[i].strip() for i in _ints(r["evidence_sentences"])))
                if doc_id not in gold_docs:
                    gold_docs.append(doc_id)
        if label == "not_enough_info":
            evidence = [scifact_doc_text(corpus[str(d)]) for d in _ints(group[0]["cited_doc_ids"]) if str(d) in corpus]
        examples.append(BenchExample(id=f"scifact-{claim_id}", claim=group[0]["claim"], evidence=evidence,
                                     gold_doc_ids=gold_docs, label=label))
    train_counts = None
    if split != "train":
        train_counts = dict(Counter(ex.label for ex in load_scifact(root, "train").examples))

    def corpus_docs() -> list[CorpusDoc]:
        return [CorpusDoc(id=doc_id, text=scifact_doc_text(r), title=r["title"]) for doc_id, r in corpus.items()]

    return BenchDataset(name="scifact", split=split, kind="claims", labels=CLAIM_3WAY, examples=examples,
                        files=[claims_file, *sorted(folder.glob("corpus.part*.jsonl"))],
                        train_label_counts=train_counts, train_label_source="scifact train" if train_counts else None,
                        corpus_loader=corpus_docs)


# ---------------------------------------------------------------- COVID-Fact, FEVER-Symmetric, SufficientFacts

COVIDFACT_TRAIN = "covidfact_rte_train.jsonl"  # in nli/train/: COVID-Fact's own train split as NLI pairs


def load_covid_fact(root: Path, split: str) -> BenchDataset:
    """`all`: the whole file (the claims that are also training hypotheses are dropped by
    `load_benchmark`, which leaves those of COVID-Fact's dev and test splits); `train`: only the claims
    of COVID-Fact's train split (those in nli/train/covidfact_rte_train.jsonl), for `verify calibrate`
    and `verify train-aggregator` — never for reported results."""
    if split not in ("all", "train"):
        raise InputError(f"COVID-Fact split {split!r}: use all (evaluation) or train")
    path = require(root / "bench" / "covid-fact" / "COVIDFACT_dataset.jsonl", "COVID-Fact file")
    rows = read_rows([path])
    require_columns(rows, ["claim", "label", "evidence"], path)
    examples = [BenchExample(id=f"covidfact-{i}", claim=r["claim"], evidence=list(r["evidence"]),
                             gold_doc_ids=[evidence_doc_id(t) for t in r["evidence"]],
                             label=map_label(r["label"], COVIDFACT_LABELS, str(path)))
                for i, r in enumerate(rows)]
    if split == "train":
        train_path = require(root / "nli" / "train" / COVIDFACT_TRAIN, "COVID-Fact train pairs")
        train = {norm_claim(r["hypothesis"]) for r in read_rows([train_path])}
        examples = [ex for ex in examples if norm_claim(ex.claim) in train]
    return BenchDataset(name="covid-fact", split=split, kind="claims", labels=("supported", "contradicted"),
                        examples=examples, files=[path])


def load_fever_symmetric(root: Path, split: str) -> BenchDataset:
    if split not in FEVER_SYMMETRIC_SPLITS:
        raise InputError(f"FEVER-Symmetric split {split!r}: use one of {', '.join(FEVER_SYMMETRIC_SPLITS)}")
    folder = root / "bench" / "fever-symmetric"
    path = require(folder / FEVER_SYMMETRIC_SPLITS[split], "FEVER-Symmetric file")
    rows = read_rows([path])
    evidence_col = "evidence_sentence" if rows and "evidence_sentence" in rows[0] else "evidence"  # v0.1 vs v0.2
    require_columns(rows, ["id", "claim", "label", evidence_col], path)
    examples = [BenchExample(id=f"feversym-{r['id']}-{i}", claim=r["claim"], evidence=[r[evidence_col]],
                             gold_doc_ids=[evidence_doc_id(r[evidence_col])],
                             label=map_label(r["label"], FEVER_LABELS, str(path)))
                for i, r in enumerate(rows)]
    dataset = BenchDataset(name="fever-symmetric", split=split, kind="claims", labels=("supported", "contradicted"),
                           examples=examples, files=[path])
    if split == "test":  # v0.2 dev exists for tuning: the majority class comes from it
        dev = read_rows([require(folder / FEVER_SYMMETRIC_SPLITS["dev"], "FEVER-Symmetric dev file")])
        dataset.train_label_counts = dict(Counter(FEVER_LABELS[r["label"]] for r in dev))
        dataset.train_label_source = "fever-symmetric v0.2 dev"
    return dataset


def load_sufficient_facts(root: Path, split: str) -> BenchDataset:
    """Gold = NOT ENOUGH INFO when annotators said the remaining evidence is not enough, else the
    original label (ENOUGH -- IRRELEVANT / ENOUGH -- REPEATED keep it)."""
    parts = SUFFICIENT_SPLITS if split == "all" else (split,)
    if any(p not in SUFFICIENT_SPLITS for p in parts):
        raise InputError(f"SufficientFacts split {split!r}: use all or one of {', '.join(SUFFICIENT_SPLITS)}")
    folder = root / "bench" / "sufficient-facts"
    examples, files = [], []
    for part in parts:
        path = require(folder / f"data__sufficient_facts__{part}_sufficient_facts.jsonl", "SufficientFacts file")
        rows = read_rows([path])
        require_columns(rows, ["claim", "evidence", "label_before", "label_after"], path)
        for i, r in enumerate(rows):
            before = map_label(r["label_before"], SUFFICIENT_BEFORE, str(path))
            label = "not_enough_info" if str(r["label_after"]).strip() == SUFFICIENT_AFTER_NEI else before
            # evidence = [[title, sentence], ...]; the title gives the sentence its subject
            texts = [f"{title}: {sentence}".strip() for title, sentence in r["evidence"]]
            examples.append(BenchExample(id=f"sufficient-{part}-{i}", claim=r["claim"], evidence=texts,
                                         gold_doc_ids=[evidence_doc_id(t) for t in texts], label=label))
        files.append(path)
    return BenchDataset(name="sufficient-facts", split=split, kind="claims", labels=CLAIM_3WAY,
                        examples=examples, files=files)


# ---------------------------------------------------------------- NLI pair sets and the generic adapter

def nli_heldout_sets(root: Path) -> list[str]:
    folder = require(root / "nli" / "heldout", "NLI held-out folder")
    return sorted({re.sub(r"\.part\d+$", "", p.stem) for p in folder.glob("*.jsonl")})


def load_nli_set(root: Path, name: str, folder: str = "heldout") -> BenchDataset:
    """Pair-level: premise = evidence, hypothesis = claim. A set with any not_entailment label is
    scored 2-way (entailment vs the rest), others 3-way."""
    directory = require(root / "nli" / folder, f"NLI {folder} folder")
    files = part_files(directory, name)
    if not files:
        available = ", ".join(nli_heldout_sets(root)) if folder == "heldout" else ""
        raise InputError(f"NLI set {name!r} not found in {directory}" + (f"; available: {available}" if available else ""))
    rows = read_rows(files)
    require_columns(rows, ["premise", "hypothesis", "label"], files[0])
    raw = [map_label(r["label"], NLI_LABELS, str(files[0])) for r in rows]
    two_way = "not_entailment" in raw
    examples = [BenchExample(id=f"{name}-{i}", claim=r["hypothesis"], evidence=[r["premise"]], gold_doc_ids=[],
                             label=("entailment" if lab == "entailment" else "not_entailment") if two_way else lab)
                for i, (r, lab) in enumerate(zip(rows, raw))]
    return BenchDataset(name=name, split=folder, kind="nli", labels=NLI_2WAY if two_way else NLI_3WAY,
                        examples=examples, files=files)


def parse_verdict_map(text: str) -> dict[str, str]:
    """'SUPPORTS=supported,REFUTES=contradicted' → dict; targets must be benchmark labels."""
    allowed = {*CLAIM_3WAY, "not_supported", *NLI_3WAY, "not_entailment"}
    mapping = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        if "=" not in item:
            raise InputError(f"--label-map item {item!r} is not RAW=label")
        raw, target = (s.strip() for s in item.split("=", 1))
        if target not in allowed:
            raise InputError(f"--label-map target {target!r} is not one of {', '.join(sorted(allowed))}")
        mapping[raw] = target
    if not mapping:
        raise InputError("--label-map is empty")
    return mapping


def load_generic(path: Path, fmt: Optional[str], claim_col: str, evidence_col: str, label_col: str,
                 label_map: dict[str, str], id_col: Optional[str] = None, doc_col: Optional[str] = None) -> BenchDataset:
    """A user's JSONL/CSV: an evidence cell may be one text or a list of texts."""
    require(path, "dataset file")
    rows = read_rows([path], fmt)
    require_columns(rows, [c for c in (claim_col, evidence_col, label_col, id_col, doc_col) if c], path)
    examples = []
    for i, r in enumerate(rows):
        cell = r[evidence_col]
        evidence = [str(t) for t in cell] if isinstance(cell, list) else ([] if cell is None else [str(cell)])
        docs = r[doc_col] if doc_col else []
        docs = [str(d) for d in docs] if isinstance(docs, list) else [str(docs)]
        examples.append(BenchExample(id=str(r[id_col]) if id_col else f"{path.stem}-{i}", claim=str(r[claim_col]),
                                     evidence=evidence, gold_doc_ids=docs if doc_col else [evidence_doc_id(t) for t in evidence],
                                     label=map_label(r[label_col], label_map, str(path))))
    targets = list(dict.fromkeys(label_map.values()))
    nli = set(targets) <= {*NLI_3WAY, "not_entailment"}
    if nli:
        labels = NLI_2WAY if "not_entailment" in targets else NLI_3WAY
    elif "not_supported" in targets:
        labels = ("supported", "not_supported")
    elif "not_enough_info" in targets:
        labels = CLAIM_3WAY
    else:
        labels = ("supported", "contradicted")
    return BenchDataset(name=path.stem, split="all", kind="nli" if nli else "claims", labels=labels,
                        examples=examples, files=[path])


# ---------------------------------------------------------------- entry point

LOADERS: dict[str, Callable[[Path, str], BenchDataset]] = {
    "scifact": load_scifact,
    "covid-fact": load_covid_fact,
    "fever-symmetric": load_fever_symmetric,
    "sufficient-facts": load_sufficient_facts,
}
# Claims also in the training data are dropped before scoring (the model saw them with their
# evidence). SufficientFacts keeps them: its evidence is altered and the NEI label is new, and
# dropping would delete the whole FEVER part; the overlap is counted in the results instead.
DROP_OVERLAP = {"scifact": True, "covid-fact": True, "fever-symmetric": True, "sufficient-facts": False}


def load_benchmark(name: str, split: Optional[str] = None, data_dir: str | Path | None = None,
                   dedup: Optional[bool] = None) -> BenchDataset:
    """A named claim benchmark, or `nli:<set>` for an NLI pair set: held out, or from nli/train/ with
    split `train` (only `verify train-aggregator` reads those)."""
    root = existing_data_root(data_dir)
    if name.startswith("nli:"):
        if split not in (None, "heldout", "train"):
            raise InputError(f"NLI set split {split!r}: use heldout (the default) or train")
        return load_nli_set(root, name.split(":", 1)[1], folder=split or "heldout")
    if name not in LOADERS:
        raise InputError(f"unknown dataset {name!r}: use one of {', '.join(CLAIM_DATASETS)}, nli:<set>, "
                         "or a JSONL/CSV file with --format and column options")
    dataset = LOADERS[name](root, split or DEFAULT_SPLITS[name])
    drop = (DROP_OVERLAP[name] and dataset.split != "train") if dedup is None else dedup  # a train split overlaps by design
    dataset.examples, dataset.dedup = drop_training_overlap(dataset.examples, root, drop)
    if dataset.dedup.get("dropped"):
        dataset.notes.append(f"{dataset.dedup['dropped']} of {dataset.dedup['total_before']} claims dropped: "
                             "their text is a hypothesis in nli/train/ (the shipped model's training data)")
    elif dataset.dedup.get("overlapping"):
        dataset.notes.append(f"{dataset.dedup['overlapping']} of {dataset.dedup['total_before']} claims also occur "
                             "(with other evidence) in nli/train/; kept (use --dedup to drop them)")
    if not dataset.examples:
        raise InputError(f"{name} {dataset.split}: no examples left after removing training overlap")
    return dataset


def sample(examples: list[BenchExample], limit: Optional[int], seed: int) -> list[BenchExample]:
    """A seeded random sample (not the first N: files are often sorted by label), in file order."""
    if limit is None or limit >= len(examples):
        return list(examples)
    if limit <= 0:
        raise InputError("--limit must be positive")
    chosen = set(random.Random(seed).sample(range(len(examples)), limit))
    return [ex for i, ex in enumerate(examples) if i in chosen]
