"""Where a sentence sits on the page: body text, a headline, or page furniture.

Decided from layout, not from a sentence's first words, so a fact that happens to begin with
"About", "By", "Source:", "Copyright" or "Subscribers" is never lost:

- **furniture** (not a claim at all): a *whole line* that is a byline ("By Hannah Ruiz"), a date
  or dateline on its own ("HARWICK, 5 November 2025"), a known page label ("Comment List",
  "Share this article", "Advertisement", "Subscribe to our newsletter", "All rights reserved",
  "Copyright 2025 Eastmoor Herald", "Media contact: ...", "Source: Reuters", "About Northwind
  Robotics Inc."), or a line of at most three words without final punctuation that no body text
  follows (a footer: "Comment List", "Print").
- **headline** (a claim, never check-worthy): a whole line without final punctuation, not a list
  item and not a "Label: value" line, that body text follows (a title, a standfirst, a section
  heading).
- **body**: everything else, including every sentence that ends with a full stop.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Literal

from .dates import is_dateline_line
from ..text.sentences import Sentence
from ..text.sentences import split_sentences as split_line

Role = Literal["body", "headline", "furniture"]

MAX_HEADLINE_WORDS = 30
MAX_FOOTER_WORDS = 3

_NAME = r"[A-Z][\w.'\u2019-]*(?:\s+(?:de|van|von|da|al|bin|[A-Z][\w.'\u2019-]*)){0,4}"
_BYLINE = re.compile(
    rf"By\s+{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*(?:\s*(?:[|,\u2022\u00b7\u2013\u2014-]|\s+in\s+|\s+for\s+)\s*.{{0,80}})?"
)
# Page labels, matched against the whole line (case-insensitive, final ":" and "." ignored).
_FURNITURE = re.compile(
    r"(?:\d+\s+)?comments?(?:\s+list)?|(?:show|view|load|hide)\s+comments|leave\s+a\s+(?:comment|reply)"
    r"|share(?:\s+(?:this|the))?(?:\s+(?:article|story|page|post))?(?:\s+on\s+\w+)?|print(?:\s+this\s+(?:article|page))?"
    r"|advertisement|sponsored(?:\s+content)?|read\s+more|read\s+next|more\s+stories|most\s+(?:read|popular)"
    r"|related(?:\s+(?:articles?|stories|content|topics|links))?|you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?"
    r"|subscribe(?:\s+(?:now|today|here|to\s+(?:our|the)\s+[\w\s]{1,30}))?|sign\s+up(?:\s+(?:now|for|to)\s+[\w\s]{1,40})?"
    r"|follow\s+us(?:\s+on\s+[\w\s,]{1,40})?|click\s+here(?:\s+to\s+[\w\s]{1,40})?|skip\s+to\s+(?:main\s+)?content"
    r"|back\s+to\s+top|all\s+rights\s+reserved|reuse\s+this\s+content|listen\s+to\s+this\s+article|\d+\s+min(?:ute)?s?\s+read"
    r"|image\s+caption|table\s+of\s+contents|newsletter|tags?(?:\s*:.*)?|filed\s+under\s*:?.*|topics?\s*:.*"
    r"|(?:media|press|investor)\s+(?:contacts?|enquiries|inquiries)(?:\s*:.*)?|contacts?\s*:.*|e-?mail\s*:.*|tel(?:ephone)?\s*:.*"
    r"|(?:published|posted|updated|last\s+updated|first\s+published)(?:\s+on)?\s*:.{0,60}"
    r"|copyright\s*(?:\u00a9|\(c\))?\s*(?:\d{4}|\u00a9|\(c\)).{0,100}|(?:\u00a9|\(c\)\s*\d{4}).{0,100}"
    r"|(?:###|\*\*\*|-{3,}|_{3,})",
    re.IGNORECASE,
)
# "Source: Reuters", "Photo: AP / Jane Doe": a label and a short credit with no verb.
_CREDIT = re.compile(r"(?i:source|sources|photo|photograph|image|credit|picture|graphic|video)s?\s*:\s*(?P<rest>.{1,60})")
# "About Northwind Robotics Inc." / "About the author": the heading of a press release's company
# boilerplate or an author box.
_ABOUT = re.compile(r"About\s+(?:us|the\s+authors?|(?:the\s+)?[A-Z][\w&.,'\u2019-]*(?:\s+(?:of|and|&|[A-Z][\w&.,'\u2019-]*)){0,6})\s*:?")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u2013]|\d{1,2}[.)])\s+")
_LABEL_VALUE = re.compile(r"^[A-Z]\w*(?:\s+\w+){0,2}:\s+(?:\S+\s+){0,7}\S+$")  # "Headquarters: Mountain View, California"
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|has|have|had|said|says|told|died|killed|rose|fell|will|would|\w+ed)\b", re.IGNORECASE
)


_LINE_END = re.compile(r"[ \t\r\f\v]*(?:\n|$)")
_LINE_START = re.compile(r"(?:^|\n)[ \t\r\f\v]*$")


def is_whole_line(text: str, sentence: Sentence) -> bool:
    """The sentence is all of its line (only spaces around it). Looks at a few characters only."""
    return (
        _LINE_END.match(text, sentence.end) is not None
        and _LINE_START.search(text, max(0, sentence.start - 200), sentence.start) is not None
    )


def is_furniture_line(line: str) -> bool:
    """A whole line that is page furniture by its form (see the module docstring)."""
    stripped = line.strip()
    core = stripped.rstrip(".:;!").strip()
    if not core:
        return True
    if _FURNITURE.fullmatch(core) or is_dateline_line(stripped):
        return True
    if _BYLINE.fullmatch(core) and (not stripped.endswith((".", "!", "?")) or len(core.split()) <= 4):
        return True
    credit = _CREDIT.fullmatch(core)
    if credit and len(credit.group("rest").split()) <= 6 and not _VERBISH.search(credit.group("rest")):
        return True
    if _ABOUT.fullmatch(core):
        return not stripped.endswith(".") or core.endswith((" Inc", " Ltd", " Corp", " Co", " LLC", " plc"))
    return False


def classify_layout(text: str, sentences: Iterable[Sentence]) -> Iterator[tuple[Sentence, Role]]:
    """Each sentence with its layout role, streamed with one sentence of look-ahead (plus any
    furniture lines between a headline candidate and the body text it heads)."""
    pending: list[tuple[Sentence, str]] = []  # candidates waiting to see what follows: "headline" / "footer"
    for sentence in sentences:
        kind = _kind(text, sentence)
        if kind == "furniture":
            pending.append((sentence, "furniture"))
            continue
        if kind in ("candidate", "short"):
            pending.append((sentence, kind))
            continue
        # body text (or a non-headline line) follows: candidates before it head it
        yield from _flush(pending, followed_by_body=kind == "body")
        pending = []
        yield sentence, "body"
    yield from _flush(pending, followed_by_body=False)


def _flush(pending: list[tuple[Sentence, str]], followed_by_body: bool) -> Iterator[tuple[Sentence, Role]]:
    for sentence, kind in pending:
        if kind == "furniture":
            yield sentence, "furniture"
        elif followed_by_body:
            yield sentence, "headline"
        elif kind == "short":
            yield sentence, "furniture"  # a short label at the foot of the page: "Comment List"
        else:
            yield sentence, "body"  # a trailing unpunctuated line is a fragment, judged by content


def _line_is_furniture(text: str, sentence: Sentence) -> bool:
    """The sentence's whole line is furniture, sentence by sentence: "Copyright 2025 Eastmoor
    Herald. All rights reserved." (a fact sharing its line with a label is never furniture)."""
    start = text.rfind("\n", max(0, sentence.start - 300), sentence.start) + 1
    end = text.find("\n", sentence.end, sentence.end + 300)
    if (start == 0 and sentence.start > 300) or (end < 0 and len(text) - sentence.end > 300):
        return False  # a long line of prose is never furniture
    line = text[start : len(text) if end < 0 else end]
    parts = [p.text for p in split_line(line)]
    return bool(parts) and all(is_furniture_line(p) for p in parts)


def _kind(text: str, sentence: Sentence) -> str:
    """furniture | candidate (may be a headline) | short (headline or footer) | body | other."""
    whole = is_whole_line(text, sentence)
    if (whole and is_furniture_line(sentence.text)) or (not whole and _line_is_furniture(text, sentence)):
        return "furniture"
    if not sentence.unterminated:
        return "body"
    if not whole or _BULLET.match(sentence.text) or _LABEL_VALUE.match(sentence.text):
        return "other"
    words = len(_WORD.findall(sentence.text))
    if words == 0:
        return "furniture"
    if words <= MAX_FOOTER_WORDS:
        return "short"
    return "candidate" if words <= MAX_HEADLINE_WORDS else "other"
