"""Counting tokens as the verifier does, so that an evidence window and its claim always fit the
model's input together (nothing cut off by truncation).

`TokenCounter.for_verifier(v)` uses the verifier's own Hugging Face tokenizer and `max_length`
(the embedded MiniLM: 256). A verifier without a tokenizer gets a conservative estimate (1.75
tokens per word or punctuation mark: English word pieces average 1.1-1.3 per word).
"""
from __future__ import annotations

import functools
import math
import re
from typing import Any, Optional

DEFAULT_MAX_LENGTH = 256
_PIECE = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\S+")


class TokenCounter:
    def __init__(self, tokenizer: Optional[Any] = None, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self.tokenizer = tokenizer
        self.max_length = int(max_length)
        special = getattr(tokenizer, "num_special_tokens_to_add", None)
        # [CLS] window [SEP] claim [SEP] for BERT-style models, <s> .. </s></s> .. </s> for RoBERTa
        self.pair_overhead = int(special(pair=True)) if callable(special) else 4
        self.count = functools.lru_cache(maxsize=1 << 16)(self._count)

    @classmethod
    def for_verifier(cls, verifier: Any) -> "TokenCounter":
        return cls(getattr(verifier, "tokenizer", None), getattr(verifier, "max_length", None) or DEFAULT_MAX_LENGTH)

    def _count(self, text: str) -> int:
        if self.tokenizer is None:
            return math.ceil(1.75 * len(_PIECE.findall(text)))
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def window_budget(self, claim: str) -> int:
        """Tokens a window may hold next to `claim`. A claim so long that under a quarter of the
        input would be left still gets that quarter (the tokenizer then shortens the claim)."""
        return max(self.max_length - self.pair_overhead - self.count(claim), self.max_length // 4)

    def fits(self, text: str, budget: int) -> bool:
        return self.count(text) <= budget

    def split(self, text: str, span: tuple[int, int], budget: int) -> list[tuple[int, int]]:
        """`span` of `text` cut at whitespace into consecutive pieces of at most `budget` tokens
        (each as long as fits: a binary search over word counts). A single word over the budget is a
        piece of its own."""
        words = [m.span() for m in _WORD.finditer(text, span[0], span[1])]
        pieces: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            lo, hi = i + 1, len(words)  # the largest j with words[i..j) fitting; at least one word
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.fits(text[words[i][0]:words[mid - 1][1]], budget):
                    lo = mid
                else:
                    hi = mid - 1
            pieces.append((words[i][0], words[lo - 1][1]))
            i = lo
        return pieces
