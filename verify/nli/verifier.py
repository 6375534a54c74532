"""The `Verifier` protocol and its transformers backend.

Any Hugging Face sequence-classification NLI model works (hub id or local path): the label order is
read from `config.id2label`. 3-way models map entailment / neutral / contradiction directly; 2-way
models (entailment vs not-entailment, as MiniCheck-style checkers) split the not-entailment mass
evenly between neutral and contradiction, so `contradiction` never exceeds 0.5 for them.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol, Sequence

from ..errors import ModelError
from .base import quiet_transformers, resolve_model

Pair = tuple[str, str]  # (premise = evidence, hypothesis = claim)
Probs = dict[str, float]

_ENT = re.compile(r"^(entail|support|true$|yes$)", re.I)
_NEU = re.compile(r"^(neutral|not[_ -]?enough|nei$|unknown|undetermined)", re.I)
_CON = re.compile(r"^(contradict|refute|false$|no$)", re.I)
_NOT = re.compile(r"^(not[_ -]?entail|non[_ -]?entail|not[_ -]?support|unsupport)", re.I)


class Verifier(Protocol):
    name: str
    hash: str

    def predict(self, pairs: Sequence[Pair], batch_size: int = 32, progress: bool = False) -> list[Probs]: ...


def label_mapping(id2label: dict[int, str]) -> dict[str, list[int]]:
    """Map a model's output ids to our three labels; raise ModelError when the names are unknown."""
    names = {int(i): str(n).strip() for i, n in id2label.items()}
    ent = [i for i, n in names.items() if _ENT.match(n) and not _NOT.match(n)]
    neu = [i for i, n in names.items() if _NEU.match(n)]
    con = [i for i, n in names.items() if _CON.match(n) and not _NOT.match(n)]
    not_ent = [i for i, n in names.items() if _NOT.match(n)]
    if len(names) == 3 and len(ent) == len(neu) == len(con) == 1:
        return {"entailment": ent, "neutral": neu, "contradiction": con}
    if len(names) == 2 and len(ent) == 1 and (len(not_ent) == 1 or len(con) == 1):
        return {"entailment": ent, "not_entailment": not_ent or con}
    raise ModelError(
        f"cannot map the model's labels {sorted(names.values())} to entailment/neutral/contradiction "
        "(expected 3 labels like ENTAILMENT/NEUTRAL/CONTRADICTION or 2 like entailment/not_entailment)")


def weights_hash(path: str | Path) -> str:
    """Short sha256 of the weight files, recorded in every report's provenance."""
    p = Path(path)
    files = sorted(p.glob("*.safetensors")) + sorted(p.glob("*.bin")) + sorted(p.glob("*.onnx"))
    h = hashlib.sha256()
    for f in files:
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16] if files else "unknown"


class TransformersVerifier:
    """A cross-encoder from transformers; batches sorted by length, dynamic padding, dedup."""

    def __init__(self, name_or_path: str | None = None, device: str | None = None, max_length: int = 256,
                 bf16: bool | None = None, trust_remote_code: bool = False):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        quiet_transformers()
        target = resolve_model(name_or_path)
        local = Path(target)
        if local.exists():
            if not local.is_dir():
                raise ModelError(f"model path is not a folder: {local}")
            if not any(local.glob("*.safetensors")) and not any(local.glob("*.bin")):
                raise ModelError(f"model folder has no weights (*.safetensors or *.bin): {local}")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(target)
            model = AutoModelForSequenceClassification.from_pretrained(target, trust_remote_code=trust_remote_code)
        except (OSError, ValueError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(f"cannot load model '{target}': {first}") from None
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model = model.float().to(self.device).eval()
        self.mapping = label_mapping(model.config.id2label)
        self.name = name_or_path or Path(target).name
        self.path = target
        self.hash = weights_hash(target) if local.exists() else getattr(model.config, "_commit_hash", None) or "hub"
        self.max_length = min(max_length, getattr(self.tokenizer, "model_max_length", max_length) or max_length)
        # bf16 autocast is ~1.7x faster on CPUs with AVX-512 bf16; off by default elsewhere for exactness.
        self.bf16 = bf16 if bf16 is not None else os.environ.get("VERIFY_BF16", "0") == "1"
        self._torch = torch

    def _to_probs(self, row) -> Probs:
        m = self.mapping
        if "neutral" in m:
            return {k: float(sum(row[i] for i in m[k])) for k in ("entailment", "neutral", "contradiction")}
        ent = float(row[m["entailment"][0]])
        rest = 1.0 - ent
        return {"entailment": ent, "neutral": rest / 2, "contradiction": rest / 2}

    def predict(self, pairs: Sequence[Pair], batch_size: int = 32, progress: bool = False) -> list[Probs]:
        torch = self._torch
        unique = list(dict.fromkeys(pairs))  # the same pair is scored once
        order = sorted(range(len(unique)), key=lambda i: len(unique[i][0]) + len(unique[i][1]))
        scores: dict[Pair, Probs] = {}
        from rich.progress import Progress

        with Progress(disable=not progress, transient=True) as bar:
            task = bar.add_task("scoring pairs", total=len(unique))
            for s in range(0, len(order), batch_size):
                batch = [unique[i] for i in order[s : s + batch_size]]
                enc = self.tokenizer([p for p, _ in batch], [h for _, h in batch], truncation="longest_first",
                                     max_length=self.max_length, padding=True, return_tensors="pt").to(self.device)
                with torch.inference_mode(), torch.autocast(self.device if self.device != "mps" else "cpu",
                                                            dtype=torch.bfloat16, enabled=self.bf16):
                    logits = self.model(**enc).logits.float()
                probs = torch.softmax(logits, dim=-1).cpu().tolist()
                for pair, row in zip(batch, probs):
                    scores[pair] = self._to_probs(row)
                bar.advance(task, len(batch))
        return [scores[p] for p in pairs]

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


_CACHE: dict[tuple, TransformersVerifier] = {}


def load_verifier(name_or_path: str | None = None, **kwargs) -> TransformersVerifier:
    """The verifier for a model name, folder or hub id (None = the embedded default); loaded once per process."""
    key = (name_or_path, tuple(sorted(kwargs.items())))
    if key not in _CACHE:
        _CACHE[key] = TransformersVerifier(name_or_path, **kwargs)
    return _CACHE[key]
