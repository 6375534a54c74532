"""Split documents into sentence-aligned passages whose spans slice the document text exactly."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from ..errors import InputError
from ..records import Passage, Span


class ChunkableDoc(Protocol):
    id: str
    text: str
    title: str | None


# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace, or at a blank line.
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*(?=\s)|\n\s*\n""")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "cf", "al", "fig",
    "no", "vol", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "gov", "gen", "sen", "rep", "u.s", "u.k", "approx", "dept", "est",
}
_WORD = re.compile(r"\S+")


def sentence_spans(text: str) -> list[Span]:
    """(start, end) of each sentence, trimmed of surrounding whitespace."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group().startswith(".") and _ends_with_abbreviation(text, match.start()):
            continue
        if not match.group().strip():  # blank line: the sentence ends before it
            end = match.start()
        _append_trimmed(text, start, end, spans)
        start = match.end()
    _append_trimmed(text, start, len(text), spans)
    return spans


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lower().lstrip("(\"'“‘")
    # Single letters ("J. Smith") and known abbreviations do not end sentences.
    return len(word) == 1 and word.isalpha() or word in _ABBREVIATIONS


def _append_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _split_long(text: str, span: Span, max_words: int) -> list[Span]:
    """Cut a sentence longer than max_words into word windows (tables, lists without stops)."""
    words = [(m.start() + span[0], m.end() + span[0]) for m in _WORD.finditer(text[span[0]:span[1]])]
    if len(words) <= max_words:
        return [span]
    return [(words[i][0], words[min(i + max_words, len(words)) - 1][1]) for i in range(0, len(words), max_words)]


def chunk_document(doc: ChunkableDoc, max_words: int = 120, overlap_sentences: int = 1) -> list[Passage]:
    text = doc.text
    sentences: list[Span] = []
    for span in sentence_spans(text):
        sentences.extend(_split_long(text, span, max_words))
    counts = [len(_WORD.findall(text[s:e])) for s, e in sentences]

    passages: list[Passage] = []
    first = 0
    while first < len(sentences):
        last, words = first, counts[first]
        while last + 1 < len(sentences) and words + counts[last + 1] <= max_words:
            last += 1
            words += counts[last]
        start, end = sentences[first][0], sentences[last][1]
        passages.append(
            Passage(id=f"{doc.id}#{len(passages)}", doc_id=doc.id, text=text[start:end], span=(start, end), title=doc.title)
        )
        if last + 1 >= len(sentences):
            break
        # Repeat the last sentences for context, but only as many as still leave room for a new one.
        new = last + 1
        first = max(new - overlap_sentences, first + 1)
        while first < new and sum(counts[first : new + 1]) > max_words:
            first += 1
    return passages


def chunk(docs: Iterable[ChunkableDoc], max_words: int = 120, overlap_sentences: int = 1) -> list[Passage]:
    """Sentence-aware passages of at most `max_words` words; `doc.text[start:end] == passage.text`."""
    if max_words < 1:
        raise InputError(f"max_words must be at least 1, got {max_words}")
    if overlap_sentences < 0:
        raise InputError(f"overlap_sentences must be 0 or more, got {overlap_sentences}")
    passages: list[Passage] = []
    for doc in docs:
        passages.extend(chunk_document(doc, max_words, overlap_sentences))
    return passages

