"""Sentence windows inside long passages, so nothing is silently truncated at the model's max length.

Windows are sized in the verifier's tokens (`verify.text.tokens.TokenCounter`): a window and its
claim always fit the model's input together. A passage is scored whole when it fits and as every
run of one or two sentences that fits (a sentence too long for the model is cut at whitespace into
pieces that fit); the pair takes its most decisive window (SummaC / MiniCheck style). That costs ~8–20 NLI pairs per passage, so
`windows(..., keep=N)` (`--windows N`) keeps only the N runs whose claim words weigh most.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

from ..records import Span
from ..text.sentences import sentence_spans
from ..text.tokens import TokenCounter
from ..text.words import terms as _terms

KEEP = 2  # sub-windows scored per passage besides the whole passage
# The re-rank's price of length: a window's rank score is the share of the claim's word weight it
# holds minus this much per character, so of two windows holding the same claim words the shorter
# one ranks first (a 300-character window must hold 0.3 more of the claim to beat a single
# sentence). NLI time grows with the pair's tokens, and a sentence that states the claim is a
# sharper pair than the paragraph around it. Chosen on 250 SciFact *train* claims with every window
# scored (benchmarks/window_rank.py): at 4 pairs 0.001 scores the same macro-F1 as the pure-overlap
# order at 8 pairs with a third of the characters.
LENGTH_COST = 0.001
CLAIM_ROOM = 48  # tokens left for the claim when no claim is given
_ESTIMATE = TokenCounter()  # no tokenizer: the conservative estimate, against a 256-token model


def candidate_windows(text: str, size: int = 2, budget: Optional[int] = None,
                      counter: Optional[TokenCounter] = None) -> list[Span]:
    """The whole text when it fits, every run of `size` consecutive sentences that fits, every
    sentence. Every window holds at most `budget` tokens as `counter` counts them (default: room for
    a typical claim beside it); a sentence over the budget is cut at whitespace into pieces that fit."""
    counter = counter or _ESTIMATE
    if budget is None:
        budget = counter.window_budget("") - CLAIM_ROOM
    sents: list[Span] = []
    for span in sentence_spans(text):
        sents += [span] if counter.fits(text[span[0]:span[1]], budget) else counter.split(text, span, budget)
    out: list[Span] = []
    if not sents or counter.fits(text, budget):
        out.append((0, len(text)))
    if len(sents) > 1:
        for i in range(len(sents)):
            j = min(len(sents), i + size)
            span = (sents[i][0], sents[j - 1][1])
            if span not in out and counter.fits(text[span[0]:span[1]], budget):
                out.append(span)
            if j == len(sents):
                break
    if len(sents) > 1 or not out:
        # single sentences too: a long neighbour must not dilute a decisive one
        out += [s for s in sents if s not in out]
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
            size: int = 2, budget: Optional[int] = None, counter: Optional[TokenCounter] = None) -> list[Span]:
    """The windows to score for one (passage, claim): the whole passage when it fits, plus the `keep`
    sub-windows whose claim words weigh most (`term_weights`). Ties: the shorter window, then the
    earlier. `keep=None` or no weights → every candidate window. `budget`/`counter`: as in
    `candidate_windows`."""
    spans = candidate_windows(text, size, budget, counter)
    if keep is None or weights is None or len(spans) <= keep + 1:
        return spans
    whole = [s for s in spans if s == (0, len(text))]
    parts = [s for s in spans if s != (0, len(text))]
    # fsum is exact, so the score does not depend on set order (which varies with PYTHONHASHSEED)
    score = {s: math.fsum(weights.get(w, 0.0) for w in _terms(text[s[0]:s[1]])) for s in parts}
    ranked = sorted(parts, key=lambda s: (-score[s], s[1] - s[0], s[0]))
    chosen = [s for s in ranked[:keep] if score[s] > 0] or ranked[:1]
    return whole + sorted(chosen)


def ranked_windows(claim: str, passages: Sequence[str], keep: Optional[int] = None,
                   counter: Optional[TokenCounter] = None,
                   length_cost: float = LENGTH_COST) -> list[tuple[int, Span, float]]:
    """Every candidate window of a claim's evidence passages, best first, as (passage index, span,
    overlap): overlap is the share of the claim's word weight (`term_weights`) the window holds —
    the cheap re-rank before NLI ranks by overlap minus `length_cost` per character of the window
    (`LENGTH_COST`; 0 = overlap alone). Ties: the earlier passage, the shorter window, the earlier one.
    `keep` pre-filters each passage as `windows` does. A short passage's whole-passage window stays a
    candidate: a sentence alone can lose the passage's subject ("Chief executive Dana Whitlock said
    ..." without the company the passage is about). Every window fits beside the claim in the
    verifier's input as `counter` counts tokens (`TokenCounter.for_verifier`; default: an estimate
    against a 256-token model), so no pair is truncated."""
    counter = counter or _ESTIMATE
    budget = counter.window_budget(claim)
    weights = term_weights(claim, passages)
    total = math.fsum(weights.values())
    out = []
    for i, text in enumerate(passages):
        spans = windows(text, weights if keep is not None else None, keep=keep, budget=budget, counter=counter)
        for s in spans:
            got = math.fsum(weights.get(w, 0.0) for w in _terms(text[s[0]:s[1]]))
            out.append((i, s, got / total if total else 0.0))
    return sorted(out, key=lambda x: (-(x[2] - length_cost * (x[1][1] - x[1][0])), x[0], x[1][1] - x[1][0], x[1][0]))
