"""The transformers verifier backends (torch fp32 and bf16; ONNX Runtime is in onnx.py).

Any Hugging Face sequence-classification NLI model works (hub id or local path): the label order is
read from `config.id2label`. 3-way models map entailment / neutral / contradiction directly; 2-way
models (entailment vs not-entailment, as MiniCheck-style checkers) split the not-entailment mass
evenly between neutral and contradiction, so `contradiction` never exceeds 0.5 for them.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Optional, Sequence

from ..errors import ModelError
from ..io import quiet_transformers
from ..registry import Pair, Probs, Progress, report
from .base import resolve_model

_ENT = re.compile(r"^(entail|support|true$|yes$)", re.I)
_NEU = re.compile(r"^(neutral|not[_ -]?enough|nei$|unknown|undetermined)", re.I)
_CON = re.compile(r"^(contradict|refute|false$|no$)", re.I)
CALIBRATION_FILE = "calibration.json"  # a model folder's temperature (fitted by nli/calibrate.py)
_NOT = re.compile(r"^(not[_ -]?entail|non[_ -]?entail|not[_ -]?support|unsupport)", re.I)


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


def check_model_folder(target: str) -> None:
    """A local model folder must exist as a folder and hold weights: one clear error otherwise."""
    local = Path(target)
    if local.exists():
        if not local.is_dir():
            raise ModelError(f"model path is not a folder: {local}")
        if not any(local.glob("*.safetensors")) and not any(local.glob("*.bin")):
            raise ModelError(f"model folder has no weights (*.safetensors or *.bin): {local}")


def load_error(target: str, e: Exception) -> ModelError:
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return ModelError(f"cannot load model '{target}': {first}")


def read_temperature(model_dir: str | Path) -> float:
    """The temperature stored with a model folder (1.0 when there is none)."""
    path = Path(model_dir) / CALIBRATION_FILE
    if not path.is_file():
        return 1.0
    try:
        t = float(json.loads(path.read_text(encoding="utf-8"))["temperature"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"unreadable calibration file: {path}") from None
    if not 0.01 <= t <= 100:
        raise ModelError(f"calibration temperature out of range (0.01..100) in {path}: {t}")
    return t


def _checked_temperature(temperature: float) -> float:
    if not 0.01 <= temperature <= 100:
        raise ModelError(f"temperature out of range (0.01..100): {temperature}")
    return float(temperature)


SCORING = "scoring pairs"  # the progress stage of predict


class BatchedVerifier:
    """The engine shared by every backend: pairs deduplicated, sorted by length into batches, padded
    per batch only to that batch's longest pair, so short pairs do not pay for long ones."""

    engine = "base"
    name: str
    hash: str
    tokenizer: object
    mapping: dict[str, list[int]]
    max_length: int
    temperature: float = 1.0  # logits are divided by it (see nli/calibrate.py)

    def _set_temperature(self, target: str, temperature: float | None) -> None:
        """The given temperature, else the one stored with a local model folder (calibration.json), else 1."""
        self.temperature = _checked_temperature(temperature) if temperature is not None else (
            read_temperature(target) if Path(target).is_dir() else 1.0)

    def with_temperature(self, temperature: float) -> "BatchedVerifier":
        """The same loaded model behind another temperature (a shallow copy: weights are shared)."""
        import copy

        other = copy.copy(self)
        other.temperature = _checked_temperature(temperature)
        return other

    @property
    def cache_key(self) -> str:
        """What the scores depend on besides the pair: weights, engine/precision, truncation, temperature."""
        key = f"{self.hash}|{self.engine}|{self.max_length}"
        return key if self.temperature == 1.0 else f"{key}|T{self.temperature:g}"

    def _logits(self, premises: list[str], hypotheses: list[str]):
        raise NotImplementedError

    def _to_probs(self, row) -> Probs:
        m = self.mapping
        if "neutral" in m:
            return {k: float(sum(row[i] for i in m[k])) for k in ("entailment", "neutral", "contradiction")}
        ent = float(row[m["entailment"][0]])
        rest = 1.0 - ent
        return {"entailment": ent, "neutral": rest / 2, "contradiction": rest / 2}

    def predict(self, pairs: Sequence[Pair], batch_size: int = 32, progress: Optional[Progress] = None) -> list[Probs]:
        import numpy as np

        unique = list(dict.fromkeys(pairs))  # the same pair is scored once
        order = sorted(range(len(unique)), key=lambda i: len(unique[i][0]) + len(unique[i][1]))
        scores: dict[Pair, Probs] = {}
        for s in range(0, len(order), batch_size):
            batch = [unique[i] for i in order[s : s + batch_size]]
            logits = np.asarray(self._logits([p for p, _ in batch], [h for _, h in batch]), dtype=np.float64)
            logits /= self.temperature
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            for pair, row in zip(batch, probs.tolist()):
                scores[pair] = self._to_probs(row)
            report(progress, SCORING, len(scores), len(unique))
        return [scores[p] for p in pairs]


class TransformersVerifier(BatchedVerifier):
    """A cross-encoder from transformers, run by torch (CUDA when present)."""

    engine = "torch"

    def __init__(self, name_or_path: str | None = None, device: str | None = None, max_length: int = 256,
                 bf16: bool | None = None, trust_remote_code: bool = False, temperature: float | None = None):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        quiet_transformers()
        target = resolve_model(name_or_path)
        check_model_folder(target)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(target)
            model = AutoModelForSequenceClassification.from_pretrained(target, trust_remote_code=trust_remote_code)
        except (OSError, ValueError) as e:
            raise load_error(target, e) from None
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model = model.float().to(self.device).eval()
        self.mapping = label_mapping(model.config.id2label)
        self.name = name_or_path or Path(target).name
        self.path = target
        self.hash = weights_hash(target) if Path(target).exists() else getattr(model.config, "_commit_hash", None) or "hub"
        self.max_length = min(max_length, getattr(self.tokenizer, "model_max_length", max_length) or max_length)
        self._set_temperature(target, temperature)
        # bf16 autocast is ~1.7x faster on CPUs with AVX-512 bf16; off by default elsewhere for exactness.
        self.bf16 = bf16 if bf16 is not None else os.environ.get("VERIFY_BF16", "0") == "1"
        if self.bf16:
            self.engine = "torch-bf16"
        self._torch = torch

    def _logits(self, premises: list[str], hypotheses: list[str]):
        torch = self._torch
        enc = self.tokenizer(premises, hypotheses, truncation="longest_first", max_length=self.max_length,
                             padding=True, return_tensors="pt").to(self.device)
        with torch.inference_mode(), torch.autocast(self.device if self.device != "mps" else "cpu",
                                                    dtype=torch.bfloat16, enabled=self.bf16):
            return self.model(**enc).logits.float().cpu().numpy()


def bf16_verifier(name_or_path: str | None = None, **kwargs) -> TransformersVerifier:
    """The "bf16" engine: the torch backend under bf16 autocast."""
    return TransformersVerifier(name_or_path, bf16=True, **kwargs)


def bf16_native() -> bool:
    """Does this machine run bf16 matmuls natively (a CUDA GPU with bf16, or a CPU with AVX-512 bf16 /
    AMX)? Elsewhere bf16 autocast is emulated and slower than fp32."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(f in flags for f in (" avx512_bf16", " amx_bf16"))


def resolve_engine(engine: str) -> str:
    """"auto" (the default) is bf16 where the hardware runs it natively, else torch (fp32): on the
    held-out NLI samples bf16 keeps accuracy within 0.05 pt of fp32 (benchmarks/results/nli-minilm-nli-bf16.md)."""
    if engine != "auto":
        return engine
    return "bf16" if bf16_native() else "torch"
