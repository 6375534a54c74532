"""Quantities as intervals: "more than ten agreements" → (10, ∞) agreement; "$4.2 million" →
[4.2e6, 4.2e6] USD; "about 100 troops" → [90, 110] troop; "second summit" → ordinal 2 summit.

Dates, durations and the traps listed in `TRAP_PATTERNS` (phone numbers, ZIP codes, times of day,
versions, page and section numbers, scores, ages) are blanked out first, so their digits never
become counts."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from verify.checks.dates import extract_dates, extract_durations
from verify.checks.lexicon import (
    APPROX_TOLERANCE,
    BOUND_PHRASES,
    BOUND_RE,
    CURRENCY_PREFIX_RE,
    CURRENCY_PREFIXES,
    CURRENCY_WORD_RE,
    CURRENCY_WORDS,
    SCALE_ABBREVIATIONS,
    TIME_NOUNS,
)
from verify.text.lexicon import SCALE_WORDS, TENS_WORDS, UNITS_WORDS, current, month_pattern, weekday_pattern
from verify.text.words import IRREGULAR_PAST, lemmatize
from verify.checks.numbers import DIGITS, ORDINAL_RE, WORDS, format_number, parse_number, parse_ordinal

Kind = Literal["count", "number", "ordinal", "percent", "money"]
Span = tuple[int, int]


@dataclass(frozen=True)
class Quantity:
    """What the text says about one amount. `low`/`high` bound the stated value (±inf when open);
    `noun` is the lemma of the counted thing ("agreement"), `noun_text` its surface form."""

    span: Span
    text: str
    kind: Kind
    value: float  # the number as written (lower end of a range)
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True
    unit: str | None = None  # "%", "pp" or an ISO currency code
    noun: str | None = None
    noun_text: str | None = None
    noun_span: Span | None = None
    approx: bool = False
    bound: str = "exact"  # gt / ge / lt / le / about / nearly / range / exact

    def describe(self) -> str:
        """Short form for explanations: ">10 agreements", "~[90, 110] troops", "USD 4,200,000"."""
        if self.kind == "ordinal":
            words = {1: "first", 2: "second", 3: "third"}
            return f"{words.get(int(self.value), format_number(self.value) + 'th')} {self.noun_text or ''}".strip()
        if self.low == self.high:
            amount = format_number(self.low)
        elif math.isinf(self.high):
            amount = (">" if not self.low_inclusive else "≥") + format_number(self.low)
        elif self.bound in ("lt", "le"):
            amount = ("<" if not self.high_inclusive else "≤") + format_number(self.high)
        else:
            amount = (
                ("[" if self.low_inclusive else "(") + format_number(self.low) + ", "
                + format_number(self.high) + ("]" if self.high_inclusive else ")")
            )
        if self.unit in ("%", "pp"):
            amount += "%" if self.unit == "%" else " percentage points"
        elif self.unit:
            amount = f"{self.unit} {amount}"
        return f"{amount} {self.noun_text}" if self.noun_text else amount


# ---------------------------------------------------------------------------------------------
# traps: spans whose digits are not quantities

_SPORT_WORDS = r"(?:won|win|wins|beat|beats|lost|lose|loses|defeat\w*|draw|drew|score\w*|victory|match|game|final|goals?|lead|led|trail\w*)"
TRAP_PATTERNS: dict[str, re.Pattern[str]] = {
    "phone": re.compile(
        r"\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}"
        r"|(?:\(\d{2,4}\)\s?|\b\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}\b|\b\d{3}-\d{4}\b"
    ),
    "time_of_day": re.compile(
        r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\b\w+\s+o'clock\b",
        re.IGNORECASE,
    ),
    "zip": re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b(?:zip(?:\s+code)?|postal\s+code|postcode)\s*:?\s*[\w-]+", re.IGNORECASE),
    "reference": re.compile(
        r"(?:\b(?:pages?|pp?\.|sections?|sec\.|chapters?|ch\.|articles?|art\.|paragraphs?|para\.|clauses?|figures?|fig\.|"
        r"tables?|appendix|items?|steps?|lines?|verses?|volumes?|vol\.|issues?|no\.|nos\.|episodes?|routes?|highway|"
        r"flights?|rooms?|gates?|platforms?|levels?|grades?|rules?|amendments?|resolutions?|model|version|ver\.|release|"
        r"building|floor|exit|channel|unit|suite|apt\.?)|§|#)\s*\d[\d.,]*(?:[-–]\d+)?[a-z]?\b",
        re.IGNORECASE,
    ),
    "version": re.compile(r"\bv\d+(?:\.\d+)*\b|\b\d+\.\d+\.\d+(?:\.\d+)*\b", re.IGNORECASE),
    # A capitalised name directly before a plain number is an identifier: "Python 3.11", "Windows 11".
    "name_number": re.compile(
        r"\b(?!(?:The|A|An|In|On|At|By|Of|For|From|To|Some|About|Around|Over|Under|Nearly|Almost|More|Less|Fewer|Up|Only|Just|"
        r"Roughly|Approximately|Between|Since|And|Or|But|With|Of|After|Before|Until|During|Its|Their|His|Her|Our|All|Exactly|"
        rf"{month_pattern()}|{weekday_pattern()}|USD|EUR|GBP|JPY|KRW|CNY|RMB|CHF|INR)\b)"
        r"[A-Z][A-Za-z]+\s+\d+(?:\.\d+)?\b(?!,\d{3}|\s*(?:%|percent|per\s+cent|million|billion|thousand|trillion|bn|m\b|k\b))"
    ),
    # "61-year-old", "aged 61", "Lee, 61, said": ages, not counts
    "age": re.compile(r"\b\d+[-\s]years?[-\s]old\b|\baged?\s+\d+\b|(?<=[A-Za-z],)\s*\d{1,3}(?=,)", re.IGNORECASE),
    "fraction": re.compile(r"\b\d{1,2}/\d{1,2}\b(?!/)"),
}
SCORE_RE = re.compile(r"(?<![\d.,])(?P<a>\d{1,3})\s*[-–]\s*(?P<b>\d{1,3})(?![\d.,])")
_SPORT_NEAR = re.compile(_SPORT_WORDS, re.IGNORECASE)


def _trap_spans(text: str) -> list[Span]:
    spans = [m.span() for regex in TRAP_PATTERNS.values() for m in regex.finditer(text)]
    for m in SCORE_RE.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        context = text[max(0, m.start() - 40):m.end() + 25]
        if a >= b or _SPORT_NEAR.search(context):  # "3-1" is a score; "10-12" a range
            spans.append(m.span())
    return spans


def _blank(text: str, spans: list[Span]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " " if not chars[i].isspace() else chars[i]
    return "".join(chars)


# ---------------------------------------------------------------------------------------------
# counted nouns

# Words that end a noun phrase after a number.
_BREAK_WORDS = frozenset(
    ["of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "this", "that", "these", "those", "it", "its", "their", "there", "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "which", "who", "whom", "whose", "what", "when", "where", "while", "than", "then", "so", "and", "or", "but", "not", "no", "nor", "into", "onto", "over", "under", "after", "before", "during", "since", "until", "up", "down", "out", "off", "per", "via", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "ago", "later", "earlier", "apart", "each", "every", "all", "both", "more", "most", "less", "least", "some", "any", "such", "than", "about", "around", "almost", "nearly", "just", "only", "also", "very", "too", "again", "go", "goes", "went", "gone", "come", "comes", "came", "take", "takes", "took", "taken", "make", "makes", "made", "give", "gives", "gave", "get", "gets", "got", "see", "sees", "saw", "seen", "say", "says", "hold", "holds", "held", "meet", "meets", "met", "lead", "leads", "led", "win", "wins", "won", "begin", "begins", "began", "become", "becomes", "became", "remain", "remains", "stay", "stays", "rise", "rises", "rose", "fall", "falls", "fell", "grow", "grows", "grew", "show", "shows", "include", "includes", "account", "accounts", "live", "lives", "left", "run", "runs", "ran", "keep", "keeps", "kept"]
)
# Prepositions end a noun phrase: "homes without power", "troops across the border".
_PREPOSITIONS = frozenset(
    "without against across through throughout toward towards among amongst within beyond like near amid amidst despite "
    "except including along around behind below above between upon versus vs because although though unless whether "
    "if".split()
)
# Words after an ordinal that make it a rank or a unit of time, not a count of events.
_SUPERLATIVE_RE = re.compile(
    r"^\s*[-–]?\s*(?:most|least|best|worst|largest|biggest|highest|lowest|greatest|smallest|richest|poorest|"
    r"longest|shortest|busiest|strongest|fastest|oldest|youngest|deadliest|tallest|wealthiest|heaviest|"
    r"leading|ranked|ranking|place|placed|half|quarter|hand|class|person|thought|thoughts|opinion|language|"
    r"nature|guess|fiddle|string|rate|tier|term|generation)\b",
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r"\s*(?:(?P<word>[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*)|(?P<other>\S))")
_KNOWN_ING_NOUNS = frozenset({"meeting", "building", "hearing", "briefing", "gathering", "sitting", "killing", "bombing", "shooting", "listing", "offering", "warning", "recording", "saving", "holding"})


def _noun_after(text: str, pos: int, through_of: bool = False) -> tuple[str | None, str | None, Span | None]:
    """(lemma, surface, span) of the head of the noun phrase starting at `pos`:
    "ten new trade deals covering" → deal; "28,500 US troops stationed" → troop."""
    if text[pos:pos + 1] == "-":  # "12-member delegation": the hyphenated unit is the noun
        m = re.match(r"-([A-Za-z]+)", text[pos:])
        if m:
            word = m.group(1)
            return lemmatize(word), word, (pos + 1, pos + 1 + len(word))
    collected: list[tuple[str, Span]] = []
    i = pos
    allow_of = through_of
    for _ in range(6):
        m = _TOKEN_RE.match(text, i)
        if not m or m["other"]:
            break
        word, low = m["word"], m["word"].lower()
        span = m.span("word")
        i = m.end()
        if allow_of and not collected and low in ("of", "the", "its", "their", "all"):
            continue
        allow_of = False
        if low in _BREAK_WORDS or low in _PREPOSITIONS or low in IRREGULAR_PAST or low in UNITS_WORDS or low in TENS_WORDS or low in SCALE_WORDS:
            break
        lemma = lemmatize(low)
        if low.endswith(("ing", "ed")) and low not in _KNOWN_ING_NOUNS and lemma not in current().noun_to_family:
            if collected:
                break
            continue  # "ten signed agreements": a participle before the noun
        collected.append((word, span))
        if lemma in current().noun_to_family or len(collected) == 3 or (lemma != low and low.endswith("s")):
            break  # a plural noun heads the phrase: "80,000 homes without power" counts homes
    if not collected:
        return None, None, None
    word, span = collected[-1]
    compound = _COMPOUND_UNIT_RE.match(text, span[1])
    if compound:  # "140 km/h", "5 mg/dL", "90 miles per hour": the unit is the whole compound
        per = (compound.group("slash") or compound.group("word")).lower()
        surface = text[span[0]:compound.end()]
        unit = f"{lemmatize(word)}/{lemmatize(per) if compound.group('word') else per}"
        return current().unit_aliases.get(unit, unit), surface, (span[0], compound.end())
    return lemmatize(word), word, span


# "km/h", "mg/dL", "m/s" or "miles per hour": a compound unit after a number.
_COMPOUND_UNIT_RE = re.compile(
    r"(?:/(?P<slash>[A-Za-z\u00b2\u00b3]{1,6}\d?)\b|\s+per\s+(?P<word>hour|second|minute|day|week|month|year|capita|person|"
    r"head|litre|liter|kilogram|kilo|kilometre|kilometer|mile|square\s+(?:metre|meter|kilometre|kilometer|mile)))",
)


# ---------------------------------------------------------------------------------------------
# extraction

_CARDINAL_RE = re.compile(
    rf"(?P<digits>{DIGITS})(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?(?P<abbr>(?:k|m|mn|bn|b|tn)\b)?"
    rf"|(?P<words>{WORDS})",
    re.IGNORECASE,
)
_VAGUE_PLURAL_RE = re.compile(
    r"\b(?P<phrase>tens\s+of\s+thousands|hundreds\s+of\s+thousands|dozens|scores|hundreds|thousands|millions|billions)\s+of\b",
    re.IGNORECASE,
)
_VAGUE_PLURAL_INTERVALS = {
    "dozens": (24, 144), "scores": (40, 200), "hundreds": (200, 1_000), "thousands": (2_000, 1_000_000),
    "tens of thousands": (20_000, 100_000), "hundreds of thousands": (200_000, 1_000_000),
    "millions": (2_000_000, 1_000_000_000), "billions": (2e9, 1e12),
}
_PERCENT_RE = re.compile(r"\s*(?:(?P<pct>%|percent\b|per\s+cent\b|pct\b)|(?P<pp>percentage\s+points?\b|pp\b))", re.IGNORECASE)
_RANGE_GAP_RE = re.compile(r"^\s*(?:-|–|—|to)\s*$", re.IGNORECASE)
_DEFINITE_BEFORE_RE = re.compile(r"\b(?:the|these|those|both|their|its|his|her|our|all|your|my)\s+$", re.IGNORECASE)
_PARTITIVE_AFTER_RE = re.compile(r"^\s+of\s+(?:the|them|us|those|these|its|their|his|her|our|all|which)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Core:
    start: int
    end: int
    value: float
    is_words: bool


def _cores(masked: str) -> list[_Core]:
    cores: list[_Core] = []
    for m in _CARDINAL_RE.finditer(masked):
        if m["digits"]:
            value = parse_number(m["digits"])
            if value is None:
                continue
            if m["scale"]:
                value *= SCALE_WORDS[m["scale"].lower()]
            # abbreviations are kept in the span; whether they scale is decided with the currency
            cores.append(_Core(m.start(), m.end(), value, False))
        else:
            text = m["words"]
            value = parse_number(text)
            if value is None:
                continue
            cores.append(_Core(m.start(), m.end(), value, True))
    return cores


def extract_quantities(text: str, doc_date=None) -> list[Quantity]:
    """Cardinal amounts (counts, percentages, money, plain numbers) and ordinals in `text`."""
    blocked = [d.span for d in extract_dates(text, doc_date)] + [d.span for d in extract_durations(text)]
    blocked += _trap_spans(text)
    masked = _blank(text, blocked)
    out = _ordinals(text, masked)
    masked = _blank(masked, [q.span for q in out])
    out += _vague_plurals(text, masked)
    masked = _blank(masked, [q.span for q in out if q.kind != "ordinal"])
    cores = _cores(masked)
    i = 0
    while i < len(cores):
        core, partner = cores[i], None
        if i + 1 < len(cores):
            nxt = cores[i + 1]
            gap = masked[core.end:nxt.start]
            before = masked[:core.start]
            if (_RANGE_GAP_RE.match(gap) and not re.search(r"\bfrom\s+\S*\s*$", before, re.IGNORECASE)) or (
                re.fullmatch(r"\s+and\s+", gap, re.IGNORECASE) and re.search(r"\bbetween\s+\S?\s*$", before, re.IGNORECASE)
            ):
                partner = nxt
        quantity = _build(text, masked, core, partner)
        if quantity is not None:
            out.append(quantity)
        i += 2 if partner else 1
    out.sort(key=lambda q: q.span)
    return out


def _build(text: str, masked: str, core: _Core, partner: _Core | None) -> Quantity | None:
    """The quantity around one number (or a range of two): currency, scale, percent, bound, noun."""
    start, end = core.start, (partner or core).end
    low_value, high_value = core.value, (partner.value if partner else core.value)
    surface = masked[core.start:core.end]
    partner_surface = masked[partner.start:partner.end] if partner else ""

    start, end, unit, currency = _units_around(masked, start, end)
    abbr = re.search(r"(?<=\d)(k|m|mn|bn|b|tn)$", partner_surface or surface, re.IGNORECASE)
    if abbr:
        if not currency:
            return None  # "5m", "10k": metres, a race — not a checkable count here
        factor = SCALE_ABBREVIATIONS[abbr.group(1).lower()]
        low_value, high_value = low_value * factor, high_value * factor
    if partner and _has_scale(partner_surface) and not _has_scale(surface):
        scale = _scale_of(partner_surface)
        if low_value * scale <= high_value:  # "between 1 and 2 million": the scale applies to both
            low_value *= scale
    if partner and low_value >= high_value:
        return None
    start, bound = _bound_before(masked, start, ranged=partner is not None)

    noun_lemma, noun_text, noun_span = _noun_after(masked, end, through_of=unit is not None)
    if unit is None and currency is None and not _asserts_a_count(masked, start, end, core.is_words, low_value, noun_lemma):
        return None
    kind: Kind = "percent" if unit else "money" if currency else "count" if noun_lemma else "number"
    low, high, low_inc, high_inc, approx = _interval(low_value, high_value, bound, kind)
    return Quantity(
        span=(start, end), text=text[start:end], kind=kind, value=low_value, low=low, high=high,
        low_inclusive=low_inc, high_inclusive=high_inc, unit=unit or currency, noun=noun_lemma,
        noun_text=noun_text, noun_span=noun_span, approx=approx, bound=bound,
    )


def _units_around(masked: str, start: int, end: int) -> tuple[int, int, str | None, str | None]:
    """Widen the span over a currency before ("$", "USD ") or a percent / currency word after."""
    currency: str | None = None
    window = max(0, start - 4)
    cm = CURRENCY_PREFIX_RE.search(masked[window:start])
    if cm:
        currency = CURRENCY_PREFIXES[cm.group(1).lower()]
        start = window + cm.start()
    unit: str | None = None
    pm = _PERCENT_RE.match(masked, end)
    if pm:
        unit = "%" if pm["pct"] else "pp"
        end = pm.end()
    elif not currency:
        wm = CURRENCY_WORD_RE.match(masked[end:])
        if wm:
            currency = CURRENCY_WORDS[wm.group(1).lower()]
            end += wm.end()
    return start, end, unit, currency


def _bound_before(masked: str, start: int, ranged: bool) -> tuple[int, str]:
    """The bound phrase before the number ("more than", "nearly"; "between" for ranges)."""
    if ranged:
        between = re.search(r"\bbetween\s+$", masked[max(0, start - 10):start], re.IGNORECASE)
        return (start - len(between.group(0)) if between else start), "range"
    window = max(0, start - 25)
    bm = BOUND_RE.search(masked[window:start])
    if bm:
        return window + bm.start(1), BOUND_PHRASES[bm.group(1).lower()]
    return start, "exact"


def _asserts_a_count(masked: str, start: int, end: int, is_words: bool, value: float, noun: str | None) -> bool:
    if _PARTITIVE_AFTER_RE.match(masked[end:]):
        return False  # "one of the largest", "three of the victims": not a total
    if noun in TIME_NOUNS:
        return False  # "five years": a duration, checked by the duration rules only
    if is_words and noun is None:
        return False  # "the two met": a pronoun, not a quantity
    # "the two nations": refers to a known set, asserts no count
    return not (is_words and value <= 10 and _DEFINITE_BEFORE_RE.search(masked[:start]))


def _has_scale(surface: str) -> bool:
    return bool(re.search(r"(thousand|million|billion|trillion)\s*$", surface, re.IGNORECASE))


def _scale_of(surface: str) -> float:
    m = re.search(r"(thousand|million|billion|trillion)\s*$", surface, re.IGNORECASE)
    return float(SCALE_WORDS[m.group(1).lower()]) if m else 1.0


def _interval(x: float, y: float, bound: str, kind: Kind) -> tuple[float, float, bool, bool, bool]:
    """(low, high, low_inclusive, high_inclusive, approx) for a bound word applied to x (or x..y)."""
    floor = 0.0 if kind in ("count", "ordinal") else -math.inf
    tol = APPROX_TOLERANCE
    if bound == "range":
        return x, y, True, True, False
    if bound == "gt":
        return x, math.inf, False, False, False
    if bound == "ge":
        return x, math.inf, True, False, False
    if bound == "lt":
        return floor, x, True, False, False
    if bound == "le":
        return floor, x, True, True, False
    if bound == "nearly":
        return x * (1 - tol), x, True, False, True
    if bound == "about":
        return x * (1 - tol), x * (1 + tol), True, True, True
    return x, x, True, True, False


def _vague_plurals(text: str, masked: str) -> list[Quantity]:
    """"dozens of agreements" → [24, 144); "thousands of troops" → [2,000, 1,000,000)."""
    out: list[Quantity] = []
    for m in _VAGUE_PLURAL_RE.finditer(masked):
        phrase = " ".join(m["phrase"].lower().split())
        low, high = _VAGUE_PLURAL_INTERVALS[phrase]
        noun_lemma, noun_text, noun_span = _noun_after(masked, m.end())
        if noun_lemma is None or noun_lemma in TIME_NOUNS:
            continue
        out.append(Quantity(m.span(), text[m.start():m.end()], "count", float(low), float(low), float(high), True, False,
                            None, noun_lemma, noun_text, noun_span, True, "about"))
    return out


def _ordinals(text: str, masked: str) -> list[Quantity]:
    """"second summit", "3rd meeting", "twentieth anniversary" — but not "second-largest",
    "a second" (time), "first met" (adverb) or "second half" (a part, not an event count)."""
    out: list[Quantity] = []
    for m in ORDINAL_RE.finditer(masked):
        n = parse_ordinal(m.group(0))
        if n is None:
            continue
        after = masked[m.end():]
        if after.startswith("-") or _SUPERLATIVE_RE.match(after):
            continue
        noun_lemma, noun_text, noun_span = _noun_after(masked, m.end())
        if noun_lemma is None or noun_lemma in TIME_NOUNS:
            continue
        out.append(Quantity(m.span(), text[m.start():m.end()], "ordinal", float(n), float(n), float(n),
                            noun=noun_lemma, noun_text=noun_text, noun_span=noun_span))
    return out
