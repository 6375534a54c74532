"""Dense sentence embeddings with all-MiniLM-L6-v2 (mean pooling + L2 norm), no sentence-transformers."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Protocol, runtime_checkable

import numpy as np

from ..errors import ModelError
from ..io import quiet_transformers
from ..paths import minilm_path
from ..registry import Progress, report

DEFAULT_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class TextEncoder(Protocol):
    """What the index needs from an encoder; `name` goes into the index hash."""

    name: str

    def encode(self, texts: list[str], batch_size: int = 64, progress: Optional[Progress] = None) -> np.ndarray: ...


class Encoder:
    """all-MiniLM-L6-v2 (or another BERT-style encoder folder), loaded once, CPU or GPU."""

    def __init__(self, path: str | Path | None = None, device: str | None = None, max_length: int = 256):
        import torch
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        if path is None:
            folder, self.name = minilm_path(), DEFAULT_ENCODER
        else:
            folder = Path(path).expanduser()
            self.name = str(folder.resolve()) if folder.exists() else str(path)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
            self.model = AutoModel.from_pretrained(str(folder))
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load encoder {folder}: {err}") from err
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model.to(self.device).eval()
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)

    def encode(self, texts: list[str], batch_size: int = 64, progress: Optional[Progress] = None) -> np.ndarray:
        """Unit-length float32 rows, in the order of `texts`."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batches of similar length waste little compute on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        done = 0
        with torch.inference_mode():
            for batch in batches:
                tokens = self.tokenizer(
                    [texts[i] for i in batch], padding=True, truncation=True,
                    max_length=self.max_length, return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[batch] = pooled.float().cpu().numpy()
                done += len(batch)
                report(progress, "embedding passages", done, len(texts))
        return out

