"""Document -> claims: sentences, clause splitting, decontextualisation, classification."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..io import MAX_DATE, MIN_DATE, read_text
from ..records import Claim, Document
from .classify import check_worthiness, claim_type
from .clauses import split_clauses
from .context import Context
from .dates import find_document_date
from .layout import classify_layout
from ..text.sentences import iter_sentences

_HAS_LETTER = re.compile(r"[^\W\d_]")
_TRAILING_JUNK = " \t\r\n,;:\u2014\u2013-"
_FINAL = (".", "!", "?", '"', "\u201d", "\u2019", "'", "\u2026")


def iter_claims(doc: Document) -> Iterator[Claim]:
    """Claims in document order, streamed: memory stays bounded on very long texts."""
    context = Context()
    number = 0
    for sentence, role in classify_layout(doc.text, iter_sentences(doc.text)):
        if role == "furniture" or not _HAS_LETTER.search(sentence.text):
            continue  # page furniture (bylines, share buttons, copyright lines) is not a claim
        context.learn(sentence.text)
        headline = role == "headline"
        if headline:
            spans = [(0, len(sentence.text), sentence.text)]
        else:
            spans = [(p.start, p.end, p.text(sentence.text)) for p in split_clauses(sentence.text)]
        seen: set[str] = set()
        for start, end, raw in spans:
            start, end = _trim_span(sentence.text, start, end)
            if start >= end or not _HAS_LETTER.search(raw):
                continue
            text = _tidy(raw if headline else context.resolve(raw, sentence.text, start))
            if not text or text in seen:
                continue
            seen.add(text)
            checkworthy, reason = check_worthiness(text, headline=headline)
            number += 1
            yield Claim(
                id=f"c{number}",
                text=text,
                source_span=(sentence.start + start, sentence.start + end),
                sentence_index=sentence.index,
                type=claim_type(text),
                checkworthy=checkworthy,
                reason=reason,
            )
        context.finish_sentence(sentence.text)


def extract_claims(doc: Document) -> list[Claim]:
    return list(iter_claims(doc))


def load_document(path: str | Path, date: dt.date | None = None, doc_id: str | None = None) -> Document:
    """Read an article; its date is the given one, else the one its head states (or None)."""
    text = read_text(path, "article")
    if not text.strip():
        raise InputError(f"article is empty: {path}")
    return document_from_text(text, date, doc_id or Path(path).stem or "doc", source=str(path))


def document_from_text(text: str, date: dt.date | None = None, doc_id: str = "doc", source: str | None = None) -> Document:
    """An article given as text (a file's, a request's); its date is the given one, else the one its head states."""
    return Document(id=doc_id, text=text, date=date if date is not None else _usable(find_document_date(text)), source=source)


def _usable(date: dt.date | None) -> dt.date | None:
    """A date the head states but that no date arithmetic can anchor on (year 9999) is unknown."""
    return date if date is not None and MIN_DATE <= date <= MAX_DATE else None


def _trim_span(sentence: str, start: int, end: int) -> tuple[int, int]:
    while start < end and sentence[start].isspace():
        start += 1
    while end > start and (sentence[end - 1] in _TRAILING_JUNK or sentence[end - 1].isspace()):
        end -= 1
    return start, end


def _tidy(text: str) -> str:
    """One line, no dangling comma, a capital first letter and a final full stop."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(_TRAILING_JUNK).strip()
    if not text:
        return text
    if text[0].islower():
        text = text[0].upper() + text[1:]
    if not text.endswith(_FINAL):
        text += "."
    return text
