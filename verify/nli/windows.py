"""Sentence windows inside long passages, so nothing is silently truncated at the model's max length.

A passage is scored whole when it fits, and also as overlapping windows of a few sentences; the
pair's score is taken from its most decisive window (SummaC / MiniCheck style max over chunks).
"""
from __future__ import annotations

from ..corpus.chunking import sentence_spans
from ..records import Span


def windows(text: str, size: int = 2, max_chars: int = 900) -> list[Span]:
    """The whole text (when short enough) plus every run of `size` consecutive sentences."""
    sents = sentence_spans(text)
    out: list[Span] = []
    if len(text) <= max_chars or len(sents) <= 1:
        out.append((0, len(text)))
    if len(sents) > 1:
        for i in range(len(sents)):
            j = min(len(sents), i + size)
            span = (sents[i][0], sents[j - 1][1])
            if span not in out:
                out.append(span)
            if j == len(sents):
                break
        # single sentences too: a long neighbour must not dilute a decisive one
        for s in sents:
            if s not in out:
                out.append(s)
    return out
