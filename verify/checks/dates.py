"""Dates and durations as intervals of calendar days.

A `DateMention` is an inclusive interval [start, end] of `datetime.date` with its granularity
("4 June 2025" → one day; "mid-2025" → 1 May–31 Aug 2025). Relative expressions ("last November",
"two months ago", "Sunday") are resolved against the document date; without one they stay
unresolved (start = end = None) and are never compared. A `Duration` is a span of time between two
events ("the second meeting in two months") as an interval of days."""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Literal

from verify.checks.lexicon import TIME_UNIT_DAYS, clause_tense
from verify.text.lexicon import MONTHS, WEEKDAYS, month_pattern, weekday_pattern
from verify.checks.numbers import NUMBER, parse_number

Granularity = Literal["day", "week", "month", "season", "year", "decade", "ambiguous"]
Span = tuple[int, int]


@dataclass(frozen=True)
class DateMention:
    span: Span
    text: str
    start: dt.date | None  # inclusive; None when unresolved
    end: dt.date | None  # inclusive
    granularity: Granularity
    relative: bool = False  # needed an anchor date ("last November", "Sunday")

    @property
    def resolved(self) -> bool:
        return self.start is not None and self.end is not None

    def describe(self) -> str:
        if not self.resolved:
            return f"'{self.text}' (no anchor date)"
        assert self.start and self.end
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class Duration:
    span: Span
    text: str
    value: float
    unit: str  # day / week / month / year / decade
    low_days: float
    high_days: float  # math.inf for "more than two months"

    def describe(self) -> str:
        return f"'{self.text}' ({_days(self.low_days)}–{_days(self.high_days)} days)"


def _days(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:.0f}"


# ---------------------------------------------------------------------------------------------
# calendar helpers

def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_span(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), _month_end(year, last)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _nearest_year_for(month: int, day: int, anchor: dt.date, tense: str | None = None) -> dt.date | None:
    """The occurrence of month/day the clause means: for a past-tense clause the latest one on or
    before the anchor ("reopened on 3 March" in a November article: this March), for a future one
    the first on or after it, otherwise the closest ("on 28 December" in a January article)."""
    candidates = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _safe_date(y, month, day))]
    if tense == "past" and (past := [d for d in candidates if d <= anchor]):
        return max(past)
    if tense == "future" and (future := [d for d in candidates if d >= anchor]):
        return min(future)
    return min(candidates, key=lambda d: abs((d - anchor).days)) if candidates else None


# ---------------------------------------------------------------------------------------------
# patterns (compiled once)

_MONTH = month_pattern("month")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d|21\d\d)"
_PART = r"(?P<part>early|mid|late|the\s+end\s+of|end\s+of|the\s+start\s+of|start\s+of|the\s+beginning\s+of|beginning\s+of|the\s+middle\s+of)"
_WEEKDAY = weekday_pattern("weekday")
_UNIT = r"(?P<unit>days?|weeks?|fortnights?|months?|years?|decades?)"

ISO_RE = re.compile(r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
NUMERIC_RE = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?![\d/]|\.\d)")
DAY_MONTH_RE = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b")
MONTH_DAY_RE = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|percent|[a-z]))(?:,?\s+{_YEAR}\b)?")
PART_YEAR_RE = re.compile(rf"\b{_PART}[\s-]+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)
PART_MONTH_RE = re.compile(rf"\b{_PART}[\s-]+{_MONTH}(?:,?\s+{_YEAR})?\b", re.IGNORECASE)
_YEAR2 = _YEAR.replace("<year>", "<year2>")
HALF_RE = re.compile(rf"\b(?:the\s+)?(?P<which>first|second)\s+half\s+of\s+{_YEAR}\b|\bH(?P<h>[12])\s+{_YEAR2}\b", re.IGNORECASE)
QUARTER_RE = re.compile(
    rf"\b(?:the\s+)?(?P<which>first|second|third|fourth)\s+quarter\s+of\s+{_YEAR}\b|\bQ(?P<q>[1-4])\s+{_YEAR2}\b", re.IGNORECASE
)
SEASON_RE = re.compile(rf"\b(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)
MONTH_YEAR_RE = re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b")
YEAR_RANGE_RE = re.compile(r"\b(?P<y1>1[89]\d\d|20\d\d)\s*[-–/]\s*(?P<y2>\d{2}|\d{4})\b")
DECADE_RE = re.compile(r"\b(?:the\s+)?(?P<decade>1[89]\d0|20\d0)s\b")
# A bare year; that it is no count ("2023 troops") is checked in code.
YEAR_RE = re.compile(rf"(?<![\d,.$€£¥₩-]){_YEAR}(?![\d,.]\d|\s*%)\b")
REL_DAY_RE = re.compile(r"\b(?P<word>yesterday|today|tomorrow)\b", re.IGNORECASE)
REL_PERIOD_RE = re.compile(
    rf"\b(?P<which>last|next|this|past|coming|earlier\s+this|later\s+this)\s+(?P<period>week|month|year|weekend|{_WEEKDAY}|{_MONTH})\b",
    re.IGNORECASE,
)
AGO_RE = re.compile(rf"\b(?P<num>{NUMBER}|an?)\s+{_UNIT}\s+ago\b", re.IGNORECASE)
WEEKDAY_RE = re.compile(rf"\b{_WEEKDAY}\b")
MONTH_ALONE_RE = re.compile(
    r"\b(?:(?P<prep>in|since|by|until|till|during|from|through|to|of|and|or|early|mid|late)[\s-]+)?"
    rf"{month_pattern('month', abbreviations=False)}\b"
)
_YEAR_PREPOSITIONS = re.compile(
    r"\b(?:in|since|by|until|till|from|during|of|before|after|through|to|around|circa|early|late|mid|year|and|or|between|fiscal|the|spring|summer|autumn|fall|winter)[\s-]*$",
    re.IGNORECASE,
)

DURATION_RE = re.compile(
    r"\b(?P<prep>(?:in|over|during)\s+the\s+(?:last|past)|in\s+(?:less|fewer)\s+than|in\s+under|in\s+just|in\s+only|"
    r"within|in|inside|just|only|a\s+mere)\s+"
    r"(?:(?P<q>a\s+mere|just|only|about|around|roughly|nearly|almost|less\s+than|more\s+than|over|some)\s+)?"
    rf"(?P<num>{NUMBER}|an?)\s+{_UNIT}(?!\s+ago)\b"
    rf"|\b(?P<num2>{NUMBER}|an?)\s+(?P<unit2>days?|weeks?|months?|years?)\s+(?P<after>apart|later|after)\b",
    re.IGNORECASE,
)

_PART_MONTHS = {"early": (1, 4), "mid": (5, 8), "middle": (5, 8), "late": (9, 12), "end": (11, 12), "start": (1, 2), "beginning": (1, 2)}
_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "middle": (11, 20), "late": (21, 31), "end": (21, 31), "start": (1, 10), "beginning": (1, 10)}
_SEASON_MONTHS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}


def _part_key(part: str) -> str:
    """"the end of" → "end", "mid" → "mid"."""
    return next(w for w in part.lower().split() if w not in ("the", "of"))


def _month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


# ---------------------------------------------------------------------------------------------
# extraction

def extract_dates(text: str, doc_date: dt.date | None = None) -> list[DateMention]:
    """Every date expression in `text`, left to right; relative ones resolved against `doc_date`."""
    found: list[DateMention] = []
    taken: list[Span] = []

    def free(span: Span) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    def add(m: re.Match[str], start: dt.date | None, end: dt.date | None, gran: Granularity, relative: bool = False, span: Span | None = None) -> None:
        sp = span or m.span()
        if not free(sp):
            return
        taken.append(sp)
        found.append(DateMention(sp, text[sp[0]:sp[1]], start, end, gran, relative))

    for m in ISO_RE.finditer(text):
        d = _safe_date(int(m["year"]), int(m["m"]), int(m["d"]))
        if d:
            add(m, d, d, "day")
    for m in NUMERIC_RE.finditer(text):
        _add_numeric(m, add)
    for m in PART_MONTH_RE.finditer(text):
        _add_part_month(m, doc_date, add)
    for regex in (DAY_MONTH_RE, MONTH_DAY_RE):
        for m in regex.finditer(text):
            _add_day_month(m, doc_date, add)
    for m in HALF_RE.finditer(text):
        year = int(m["year"] or m["year2"])
        first = (m["which"] or "").lower() == "first" or m["h"] == "1"
        add(m, *_month_span(year, 1, 6) if first else _month_span(year, 7, 12), "season")
    for m in QUARTER_RE.finditer(text):
        q = {"first": 1, "second": 2, "third": 3, "fourth": 4}.get((m["which"] or "").lower()) or int(m["q"])
        add(m, *_month_span(int(m["year"] or m["year2"]), 3 * q - 2, 3 * q), "season")
    for m in SEASON_RE.finditer(text):
        year, season = int(m["year"]), m["season"].lower()
        if season == "winter":  # winter 2024 = Dec 2024–Feb 2025
            add(m, dt.date(year, 12, 1), _month_end(year + 1, 2), "season")
        else:
            add(m, *_month_span(year, *_SEASON_MONTHS[season]), "season")
    for m in PART_YEAR_RE.finditer(text):
        first, last = _PART_MONTHS[_part_key(m["part"])]
        add(m, *_month_span(int(m["year"]), first, last), "season")
    for m in MONTH_YEAR_RE.finditer(text):
        month, year = _month_number(m["month"]), int(m["year"])
        add(m, *_month_span(year, month, month), "month")
    for m in YEAR_RANGE_RE.finditer(text):
        y1, y2 = int(m["y1"]), m["y2"]
        y2i = int(y2) if len(y2) == 4 else (y1 // 100) * 100 + int(y2)
        if y1 < y2i <= y1 + 50:
            add(m, dt.date(y1, 1, 1), dt.date(y2i, 12, 31), "year")
    for m in DECADE_RE.finditer(text):
        decade = int(m["decade"])
        add(m, dt.date(decade, 1, 1), dt.date(decade + 9, 12, 31), "decade")
    for m in REL_DAY_RE.finditer(text):
        offset = {"yesterday": -1, "today": 0, "tomorrow": 1}[m["word"].lower()]
        d = doc_date + dt.timedelta(days=offset) if doc_date else None
        add(m, d, d, "day", relative=True)
    for m in AGO_RE.finditer(text):
        _add_ago(m, doc_date, add)
    for m in REL_PERIOD_RE.finditer(text):
        _add_relative_period(m, doc_date, add)
    for m in MONTH_ALONE_RE.finditer(text):
        _add_month_alone(m, doc_date, add)
    for m in WEEKDAY_RE.finditer(text):
        _add_weekday(m, doc_date, add)
    for m in YEAR_RE.finditer(text):
        if _is_year(text, m):
            year = int(m["year"])
            add(m, dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    found.sort(key=lambda d: d.span)
    return found


def _is_year(text: str, m: re.Match[str]) -> bool:
    """A bare 4-digit number is a year unless it counts something ("1500 soldiers")."""
    year = int(m["year"])
    before = text[max(0, m.start() - 25):m.start()]
    after = text[m.end():m.end() + 20]
    if _YEAR_PREPOSITIONS.search(before):
        return True
    if re.match(r"\s+[a-z]+s\b", after) and not re.match(r"\s+(?:was|has|is|saw|marks)\b", after):
        return False  # "1500 soldiers"
    return 1900 <= year <= 2100


def _add_numeric(m: re.Match[str], add) -> None:
    """04/06/2024: day-first and month-first readings; when both are valid dates that differ,
    keep the hull of the two with granularity "ambiguous" so only what both readings share counts."""
    a, b, year = int(m["a"]), int(m["b"]), int(m["year"])
    readings = {d for d in (_safe_date(year, b, a), _safe_date(year, a, b)) if d}
    if not readings:
        return
    lo, hi = min(readings), max(readings)
    add(m, lo, hi, "day" if lo == hi else "ambiguous")


def _add_day_month(m: re.Match[str], doc_date: dt.date | None, add) -> None:
    month, day = _month_number(m["month"]), int(m["day"])
    if m["year"]:
        d = _safe_date(int(m["year"]), month, day)
        if d:
            add(m, d, d, "day")
        return
    d = _nearest_year_for(month, day, doc_date, clause_tense(m.string, m.start())) if doc_date else None
    add(m, d, d, "day", relative=True)


def _add_part_month(m: re.Match[str], doc_date: dt.date | None, add) -> None:
    month = _month_number(m["month"])
    first, last = _PART_DAYS[_part_key(m["part"])]
    year: int | None = int(m["year"]) if m["year"] else None
    if year is None and doc_date:
        year = (_nearest_year_for(month, first, doc_date, clause_tense(m.string, m.start())) or doc_date).year
    if year is None:
        add(m, None, None, "ambiguous", relative=True)
        return
    end = min(last, calendar.monthrange(year, month)[1])
    add(m, dt.date(year, month, first), dt.date(year, month, end), "ambiguous")


def _add_ago(m: re.Match[str], doc_date: dt.date | None, add) -> None:
    raw = m["num"].lower()
    n = 1.0 if raw in ("a", "an") else parse_number(raw)
    if n is None or n != int(n):
        return
    unit = m["unit"].lower().rstrip("s")
    if doc_date is None:
        add(m, None, None, "ambiguous", relative=True)
    elif unit == "day":
        d = doc_date - dt.timedelta(days=int(n))
        add(m, d, d, "day", relative=True)
    elif unit in ("week", "fortnight"):
        d = doc_date - dt.timedelta(days=int(n) * (7 if unit == "week" else 14))
        add(m, d - dt.timedelta(days=3), d + dt.timedelta(days=3), "week", relative=True)
    elif unit == "month":
        y, mo = _add_months(doc_date.year, doc_date.month, -int(n))
        add(m, *_month_span(y, mo, mo), "month", relative=True)
    elif unit == "year":
        y = doc_date.year - int(n)
        add(m, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", relative=True)
    else:  # decades ago: too vague to check
        add(m, None, None, "decade", relative=True)


def _add_relative_period(m: re.Match[str], doc_date: dt.date | None, add) -> None:
    which = " ".join(m["which"].lower().split())
    period = m["period"]
    if doc_date is None:
        add(m, None, None, "ambiguous", relative=True)
        return
    step = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(which, 0)
    p = period.lower().rstrip(".")
    if which in ("past", "coming") and p in ("week", "month", "year"):
        # "the past year", "the coming year": a rolling window from the anchor, not a calendar period
        length = dt.timedelta(days={"week": 7, "month": 31, "year": 366}[p])
        lo, hi = (doc_date - length, doc_date) if which == "past" else (doc_date, doc_date + length)
        add(m, lo, hi, "ambiguous", relative=True)
        return
    if p in ("week", "weekend"):
        monday = doc_date - dt.timedelta(days=doc_date.weekday()) + dt.timedelta(weeks=step)
        if p == "weekend":
            add(m, monday + dt.timedelta(days=5), monday + dt.timedelta(days=6), "day", relative=True)
        else:
            add(m, monday, monday + dt.timedelta(days=6), "week", relative=True)
    elif p == "month":
        y, mo = _add_months(doc_date.year, doc_date.month, step)
        add(m, *_month_span(y, mo, mo), "month", relative=True)
    elif p == "year":
        y = doc_date.year + step
        add(m, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", relative=True)
    elif p in WEEKDAYS:
        delta = WEEKDAYS[p] - doc_date.weekday()
        if step < 0:
            delta = delta - 7 if delta >= 0 else delta  # the most recent one before today
        elif step > 0:
            delta = delta + 7 if delta <= 0 else delta  # the first one after today
        else:
            delta = delta % 7  # "this Sunday": the coming one
        d = doc_date + dt.timedelta(days=delta)
        add(m, d, d, "day", relative=True)
    else:
        month = _month_number(p)
        if step < 0:  # "last November": the most recent November that has begun before this month
            year = doc_date.year if month < doc_date.month else doc_date.year - 1
        elif step > 0:
            year = doc_date.year if month > doc_date.month else doc_date.year + 1
        else:
            year = doc_date.year
        add(m, *_month_span(year, month, month), "month", relative=True)


def _add_month_alone(m: re.Match[str], doc_date: dt.date | None, add) -> None:
    """"in March" with no year is March of one year: for a past-tense clause ("reopened in March")
    the latest March that has begun by the document date, for a future one ("will open in March")
    the next March that has not ended, otherwise the March nearest the document date."""
    if m["month"] == "May" and not m["prep"]:
        return  # the verb "May ..."
    span = (m.start("month") if not m["prep"] else m.start(), m.end())
    month = _month_number(m["month"])
    if doc_date is None:
        add(m, None, None, "month", relative=True, span=span)
        return
    year = _year_of_month(month, doc_date, clause_tense(m.string, m.start()))
    add(m, *_month_span(year, month, month), "month", relative=True, span=span)


def _year_of_month(month: int, doc_date: dt.date, tense: str | None) -> int:
    prev_y = doc_date.year if month <= doc_date.month else doc_date.year - 1
    next_y = doc_date.year if month >= doc_date.month else doc_date.year + 1
    if tense == "past":
        return prev_y
    if tense == "future":
        return next_y
    back = (doc_date.year - prev_y) * 12 + doc_date.month - month
    ahead = (next_y - doc_date.year) * 12 + month - doc_date.month
    if back == ahead:
        return doc_date.year
    return prev_y if back < ahead else next_y


_MONTH_NAMES = month_pattern()
_WEEKDAY_WITH_DATE = re.compile(rf",?\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAMES}|{_MONTH_NAMES}\s+\d{{1,2}}\b)")
_DATE_BEFORE_WEEKDAY = re.compile(rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_NAMES}|{_MONTH_NAMES}\s+\d{{1,2}})(?:,?\s+\d{{4}})?\s*[,(]?\s*$")


def _add_weekday(m: re.Match[str], doc_date: dt.date | None, add) -> None:
    """A bare weekday is the latest such day on or before the document date in a past-tense clause
    ("struck on Monday"), the next one on or after it in a future one, else the nearest (news usage)."""
    if _WEEKDAY_WITH_DATE.match(m.string, m.end()) or _DATE_BEFORE_WEEKDAY.search(m.string, max(0, m.start() - 30), m.start()):
        return  # "Sunday, 4 January 2026": the calendar date says which Sunday
    if doc_date is None:
        add(m, None, None, "day", relative=True)
        return
    delta = (WEEKDAYS[m["weekday"].lower()] - doc_date.weekday()) % 7
    tense = clause_tense(m.string, m.start())
    if tense == "past" or (tense is None and delta > 3):
        delta = delta - 7 if delta > 0 else 0
    d = doc_date + dt.timedelta(days=delta)
    add(m, d, d, "day", relative=True)


_DURATION_QUALIFIER_BOUNDS = {"less than": "lt", "fewer than": "lt", "under": "lt", "within": "le", "inside": "le",
                              "more than": "gt", "over": "gt", "nearly": "nearly", "almost": "nearly"}


def extract_durations(text: str) -> list[Duration]:
    """Spans of time between events: "in two months", "within three weeks", "a mere two months",
    "two months apart". Exact amounts get ± half a unit; "within" / "less than" are upper bounds."""
    out: list[Duration] = []
    for m in DURATION_RE.finditer(text):
        if m["prep"] and m["prep"].lower() == "in" and clause_tense(text, m.start()) == "future":
            continue  # "will visit Tokyo in two months": a date ahead, not a gap between events
        raw = (m["num"] or m["num2"]).lower()
        value = 1.0 if raw in ("a", "an") else parse_number(raw)
        if value is None or value <= 0:
            continue
        unit = (m["unit"] or m["unit2"]).lower().rstrip("s")
        unit_days = TIME_UNIT_DAYS[unit]
        prep = " ".join((m["prep"] or "").lower().split())
        qualifier = " ".join((m["q"] or "").lower().split())
        bound = _DURATION_QUALIFIER_BOUNDS.get(qualifier) or _DURATION_QUALIFIER_BOUNDS.get(prep.replace("in ", "", 1))
        if prep.startswith(("in the", "over the", "during the")):
            bound = "le"  # "in the past two months": at most
        days = value * unit_days
        half = unit_days / 2
        if bound in ("lt", "le"):
            low, high = 0.0, days + (0 if bound == "lt" else half)
        elif bound == "gt":
            low, high = days, math.inf
        elif bound == "nearly":
            low, high = days - half, days
        else:
            low, high = max(0.0, days - half), days + half
        out.append(Duration(m.span(), m.group(0), value, unit, low, high))
    return out
