"""Sentence windows inside long passages, so nothing is silently truncated at the model's max length.

A passage is scored whole when it fits and as every run of one or two sentences; the pair takes its
most decisive window (SummaC / MiniCheck style). That costs ~8–20 NLI pairs per passage, so
`windows(..., keep=N)` (`--windows N`) keeps only the N runs whose claim words weigh most.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

from ..records import Span
from ..text.sentences import sentence_spans
from ..text.words import terms as _terms

KEEP = 2  # sub-windows scored per passage besides the whole passage


def candidate_windows(text: str, size: int = 2, max_chars: int = 900) -> list[Span]:
    """The whole text (when short enough), every run of `size` consecutive sentences, every sentence."""
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


def term_weights(claim: str, passages: Sequence[str]) -> dict[str, float]:
    """Weight of each claim word: log(1 + N/df) over the sentences of the claim's evidence passages.
    Names that every passage repeats weigh little; the words that make the claim specific ("second
    summit", "two months") weigh most."""
    wanted = _terms(claim)
    sentences = [_terms(p[a:b]) for p in passages for a, b in sentence_spans(p)]
    n = len(sentences)
    return {w: math.log(1 + n / df) for w in wanted if (df := sum(w in t for t in sentences))}


def windows(text: str, weights: Optional[dict[str, float]] = None, keep: Optional[int] = KEEP,
            size: int = 2, max_chars: int = 900) -> list[Span]:
    """The windows to score for one (passage, claim): the whole passage when it fits, plus the `keep`
    sub-windows whose claim words weigh most (`term_weights`). Ties: the shorter window, then the
    earlier. `keep=None` or no weights → every candidate window."""
    spans = candidate_windows(text, size, max_chars)
    if keep is None or weights is None or len(spans) <= keep + 1:
        return spans
    whole = [s for s in spans if s == (0, len(text))]
    parts = [s for s in spans if s != (0, len(text))]
    # fsum is exact, so the score does not depend on set order (which varies with PYTHONHASHSEED)
    score = {s: math.fsum(weights.get(w, 0.0) for w in _terms(text[s[0]:s[1]])) for s in parts}
    ranked = sorted(parts, key=lambda s: (-score[s], s[1] - s[0], s[0]))
    chosen = [s for s in ranked[:keep] if score[s] > 0] or ranked[:1]
    return whole + sorted(chosen)


def ranked_windows(claim: str, passages: Sequence[str], keep: Optional[int] = None) -> list[tuple[int, Span, float]]:
    """Every candidate window of a claim's evidence passages, best first, as (passage index, span,
    overlap): overlap is the share of the claim's word weight (`term_weights`) the window holds —
    the cheap re-rank before NLI. Ties: the earlier passage, the shorter window, the earlier one.
    `keep` pre-filters each passage as `windows` does. A short passage's whole-passage window stays a
    candidate: a sentence alone can lose the passage's subject ("Chief executive Dana Whitlock said
    ..." without the company the passage is about)."""
    weights = term_weights(claim, passages)
    total = math.fsum(weights.values())
    out = []
    for i, text in enumerate(passages):
        spans = windows(text, weights if keep is not None else None, keep=keep)
        for s in spans:
            got = math.fsum(weights.get(w, 0.0) for w in _terms(text[s[0]:s[1]]))
            out.append((i, s, got / total if total else 0.0))
    return sorted(out, key=lambda x: (-x[2], x[0], x[1][1] - x[1][0], x[1][0]))
