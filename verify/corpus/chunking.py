"""Split documents into sentence-aligned passages whose spans slice the document text exactly."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from ..errors import InputError
from ..records import Passage, Span
from ..text.sentences import sentence_spans


class ChunkableDoc(Protocol):
    id: str
    text: str
    title: str | None


_WORD = re.compile(r"\S+")
MAX_WORDS, OVERLAP_SENTENCES = 120, 1  # passage size and sentence overlap: part of every corpus hash


def _split_long(text: str, span: Span, max_words: int) -> list[Span]:
    """Cut a sentence longer than max_words into word windows (tables, lists without stops)."""
    words = [(m.start() + span[0], m.end() + span[0]) for m in _WORD.finditer(text[span[0]:span[1]])]
    if len(words) <= max_words:
        return [span]
    return [(words[i][0], words[min(i + max_words, len(words)) - 1][1]) for i in range(0, len(words), max_words)]


def chunk_document(doc: ChunkableDoc, max_words: int = MAX_WORDS, overlap_sentences: int = OVERLAP_SENTENCES) -> list[Passage]:
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


def chunk(docs: Iterable[ChunkableDoc], max_words: int = MAX_WORDS, overlap_sentences: int = OVERLAP_SENTENCES) -> list[Passage]:
    """Sentence-aware passages of at most `max_words` words; `doc.text[start:end] == passage.text`."""
    if max_words < 1:
        raise InputError(f"max_words must be at least 1, got {max_words}")
    if overlap_sentences < 0:
        raise InputError(f"overlap_sentences must be 0 or more, got {overlap_sentences}")
    passages: list[Passage] = []
    for doc in docs:
        passages.extend(chunk_document(doc, max_words, overlap_sentences))
    return passages

