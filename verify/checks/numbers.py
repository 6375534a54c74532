"""Reading one number: digits ("28,500", "3.5"), words ("twenty-eight thousand", "a dozen") and
ordinals ("second", "3rd", "twenty-first")."""
from __future__ import annotations

import re

from verify.text.lexicon import ORDINAL_WORDS, SCALE_WORDS, TENS_WORDS, UNITS_WORDS

_NUMBER_WORD = "(?:" + "|".join(sorted([*UNITS_WORDS, *TENS_WORDS, *SCALE_WORDS, "dozen"], key=len, reverse=True)) + ")"
_SCALE_AHEAD = r"(?=(?:dozen|hundred|thousand|million|billion|trillion)\b)"

# "28,500" / "3.5" / "1200"; not inside identifiers ("COVID-19", "F-16", "3.11.2").
DIGITS = r"(?<![\w.,])(?<![A-Za-z]-)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![.,]\d)(?=(?:k|m|mn|bn|b|tn)?\b|[^\w])"
# "eleven", "twenty-eight thousand", "a dozen", "one hundred and five".
WORDS = (
    rf"\b(?:an?\s+{_SCALE_AHEAD})?{_NUMBER_WORD}(?:(?:\s+and\s+(?={_NUMBER_WORD}\b)|\s+|-){_NUMBER_WORD})*\b"
)
NUMBER = f"(?:{DIGITS}|{WORDS})"
NUMBER_RE = re.compile(NUMBER, re.IGNORECASE)

_ORDINAL_WORD = "(?:" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + ")"
_TENS = "(?:" + "|".join(TENS_WORDS) + ")"
ORDINAL_RE = re.compile(
    rf"(?<![\w-])(?:\d+(?:st|nd|rd|th)|(?:{_TENS}-)?{_ORDINAL_WORD})\b", re.IGNORECASE
)


def parse_number(text: str) -> float | None:
    """Value of a number written in digits or English words; None if it is not one."""
    t = text.strip().lower().replace("\u2009", "")
    if not t:
        return None
    if t[0].isdigit():
        try:
            return float(t.replace(",", ""))
        except ValueError:
            return None
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", t):
        if word in ("a", "an"):
            current = max(current, 1.0)
        elif word == "and":
            continue
        elif word in UNITS_WORDS:
            current += UNITS_WORDS[word]
            seen = True
        elif word in TENS_WORDS:
            current += TENS_WORDS[word]
            seen = True
        elif word == "dozen":
            current = max(current, 1.0) * 12
            seen = True
        elif word == "hundred":
            current = max(current, 1.0) * 100
            seen = True
        elif word in SCALE_WORDS:
            total += max(current, 1.0) * SCALE_WORDS[word]
            current = 0.0
            seen = True
        else:
            return None
    return total + current if seen else None


def parse_ordinal(text: str) -> int | None:
    """2 for "second", "2nd"; 21 for "twenty-first"; None otherwise."""
    t = text.strip().lower()
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", t)
    if m:
        return int(m.group(1))
    if t in ORDINAL_WORDS:
        return ORDINAL_WORDS[t]
    if "-" in t:
        tens, _, unit = t.partition("-")
        if tens in TENS_WORDS and unit in ORDINAL_WORDS and ORDINAL_WORDS[unit] < 10:
            return TENS_WORDS[tens] + ORDINAL_WORDS[unit]
    return None


def format_number(value: float) -> str:
    """Short human form for explanations: 14, 3.5, 28,500, 4.2e+06 → 4,200,000."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.6g}"
