"""Finding the document's own date (a dateline or "Published:" line) near its top.

Only dates that are clearly the document's are taken: a labelled line, a press-release dateline
("SAN FRANCISCO, March 3, 2025 /PRNewswire/ --") or a short line that is little more than a date.
A date inside a body sentence is an event date, not the document's, and conflicting candidates
give None: a wrong anchor for "last November" is worse than none.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..text.lexicon import MONTHS, month_pattern

HEAD_CHARS = 3000  # the date of a document is in its first lines
_MONTH = month_pattern("month")
_MONTH2 = month_pattern("month2")
_DATE = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b"
    rf"|\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH2},?\s+(?P<year2>\d{{4}})\b"
    r"|\b(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})\b",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^\W*(?P<label>published|first\s+published|posted|updated|last\s+updated|date|dated)\b\s*(?:on)?\s*:?",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"^[A-Z][A-Z .'\u2019-]{1,40}(?:,\s*[A-Z][A-Za-z.]{1,20})?,\s*$")
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b,?", re.IGNORECASE)


def find_document_date(text: str) -> dt.date | None:
    """The document's publication date when its head states one unambiguously, else None."""
    labelled: list[tuple[str, dt.date]] = []
    unlabelled: list[dt.date] = []
    for line in text[:HEAD_CHARS].splitlines():
        line = line.strip()
        if not line:
            continue
        for m, date in _dates_in(line):
            label = _LABEL.match(line)
            if label:
                labelled.append((label.group("label").lower(), date))
            elif _DATELINE.match(line[: m.start()]) or _is_date_line(line, m):
                unlabelled.append(date)
    for wanted in ("published", "first published", "posted", "date", "dated"):
        for label, date in labelled:
            if re.sub(r"\s+", " ", label) == wanted:
                return date
    if labelled:
        return labelled[0][1]
    if unlabelled and all(d == unlabelled[0] for d in unlabelled):
        return unlabelled[0]
    return None


def _dates_in(line: str) -> Iterator[tuple[re.Match[str], dt.date]]:
    for m in _DATE.finditer(line):
        date = _to_date(m)
        if date is not None:
            yield m, date


def _to_date(m: re.Match[str]) -> dt.date | None:
    try:
        if m.group("iy"):
            return dt.date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        month = (m.group("month") or m.group("month2")).lower()
        day = m.group("day") or m.group("day2")
        year = m.group("year") or m.group("year2")
        return dt.date(int(year), MONTHS[month], int(day))
    except ValueError:
        return None  # "February 30, 2025" is not a date


def _is_date_line(line: str, m: re.Match[str]) -> bool:
    """A line that is essentially a date: "Sunday, January 4, 2026", "By Jane Doe | 4 Jan 2026"."""
    rest = _WEEKDAY.sub(" ", line[: m.start()] + " " + line[m.end() :])
    rest = re.sub(r"[|\u2022\u00b7,;:()\[\]-]", " ", rest)
    words = rest.split()
    if line.rstrip().endswith(".") and not line.rstrip().endswith(m.group(0)):
        return False  # a sentence that mentions a date
    return len(words) <= 5 and not any(w.lower() in {"on", "in", "since", "until", "by"} and i > 0 for i, w in enumerate(words))


def is_dateline_line(line: str) -> bool:
    """A line that is only a date or a dateline: "HARWICK, 5 November 2025", "Sunday, January 4,
    2026", "By Jane Doe | 4 Jan 2026", "Published: 4 Jan 2026"."""
    line = line.strip()
    for m, _ in _dates_in(line):
        if _LABEL.match(line) and len(line[m.end():].split()) <= 3:
            return True
        tail = line[m.end():].strip(" ,.;:|()[]/-\u2014\u2013")
        if _DATELINE.match(line[: m.start()]) and len(tail.split()) <= 2:
            return True  # "HARWICK, 5 November 2025" (/PRNewswire/ or "(Reuters)" may follow)
        if _is_date_line(line, m):
            return True
    return False
