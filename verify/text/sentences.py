"""Sentence segmentation with exact character offsets: the one splitter of verify (claim
extraction, corpus chunking, NLI windows, the numeric and date checks).

Hand-written rules rather than a library: every boundary decision looks at a few characters
around one candidate, so segmentation is linear in the text and offsets are never re-derived
from normalised text. A line break ends a sentence (headlines, list items, datelines) unless the
next line clearly continues it (it starts in lower case after a line without final punctuation).
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# A sentence longer than this is cut at whitespace: it is not prose, and capping it keeps every
# later per-sentence step bounded.
MAX_SENTENCE_CHARS = 2000

# Abbreviations that (almost) never end a sentence: titles before names, Latin abbreviations.
NEVER_FINAL = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm rev hon pres st mt ft
    e.g i.e cf vs approx fig figs eq eqs ref refs al vol pp ca""".split()
)
# Abbreviations that may end a sentence: a boundary only when a typical sentence opener follows.
MAYBE_FINAL = frozenset(
    """inc corp ltd co llc plc bros jr sr etc esq dept univ assn est ave blvd rd
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    ala ariz calif colo conn fla ill ind kan mass mich minn neb nev okla ore penn tenn tex va wash wis
    u.s u.k u.n e.u a.m p.m d.c n.y l.a""".split()
)
SENTENCE_OPENERS = frozenset(
    """the a an it he she they we i you this that these those there its his her their our my
    but and however meanwhile in on at for as after before while when if since although though
    according analysts officials experts critics yet so then still also both no not what why how
    who where each all some many most one two three""".split()
)

_CANDIDATE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_FIRST_WORD = re.compile(r"[\"'\u201c\u2018(\[]?([A-Za-z]+)")
_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int  # text[start:end] == text of the sentence, whitespace stripped
    end: int
    text: str
    unterminated: bool  # no final punctuation: a headline, label or fragment line


def iter_sentences(text: str) -> Iterator[Sentence]:
    """Yield the sentences of `text` in order, with exact offsets."""
    index = 0
    for block_start, block_end in _iter_blocks(text):
        for start, end in _split_block(text, block_start, block_end):
            for s, e in _cap_length(text, start, end):
                s, e = _strip(text, s, e)
                if s >= e:
                    continue
                body = text[s:e]
                yield Sentence(index, s, e, body, _TERMINAL.search(body) is None)
                index += 1


def split_sentences(text: str) -> list[Sentence]:
    return list(iter_sentences(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, trimmed of surrounding whitespace."""
    return [(s.start, s.end) for s in iter_sentences(text)]


def sentence_at(spans: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence holding character `pos` (between two sentences: the one before it; before the
    first: the first). `spans` come from `sentence_spans`, in order."""
    i = bisect.bisect_right(spans, (pos, math.inf)) - 1
    return spans[max(i, 0)] if spans else (0, 0)


def _iter_blocks(text: str) -> Iterator[tuple[int, int]]:
    """Runs of lines that belong together: a line break ends a block unless the line has no
    final punctuation and the next line starts in lower case (hard-wrapped prose)."""
    n = len(text)
    pos = 0
    block_start = 0
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        nxt = line_end + 1
        line = text[pos:line_end].rstrip()
        continues = False
        if nl >= 0 and line and not _TERMINAL.search(line):
            # look at the first non-space character of the next line (same line only)
            j = nxt
            while j < n and text[j] in " \t\r":
                j += 1
            continues = j < n and text[j].islower()
        if not continues:
            yield block_start, line_end
            block_start = nxt
        pos = nxt
    if block_start < n:
        yield block_start, n


def _split_block(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    sentence_start = start
    for m in _CANDIDATE.finditer(text, start, end):
        next_pos = m.end()
        while next_pos < end and text[next_pos].isspace():
            next_pos += 1
        if next_pos >= end:
            break
        if _is_boundary(text, m.start(), m.group(), next_pos, end):
            yield sentence_start, m.end()
            sentence_start = m.end()
    yield sentence_start, end


def _is_boundary(text: str, punct_start: int, punct: str, next_pos: int, end: int) -> bool:
    following = text[next_pos]
    if following.islower():
        return False  # "e.g. the", "Inc. said", "... and then"
    if punct[0] in "!?":
        return True
    before = _WORD_BEFORE.search(text, max(0, punct_start - 16), punct_start)
    if before is None:
        return True  # a number, a closing bracket or quote before the period
    word = before.group(1)
    lower = word.lower().rstrip(".")
    if lower == "no" and following.isdigit():
        return False  # "No. 5"
    if lower in NEVER_FINAL:
        return False
    ambiguous = (
        lower in MAYBE_FINAL
        or (len(word) == 1 and word.isupper())  # an initial: "George W. Bush"
        or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word) is not None  # "U.S", "a.m"
    )
    if not ambiguous:
        return True
    first = _FIRST_WORD.match(text, next_pos, min(end, next_pos + 40))
    return first is not None and first.group(1).lower() in SENTENCE_OPENERS


def _cap_length(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = max(text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit), text.rfind("\n", start, limit))
        if cut <= start:
            cut = limit
        yield start, cut
        start = cut
    yield start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
