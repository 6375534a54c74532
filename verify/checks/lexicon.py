"""Word lists of the numeric and date checks: bound words, currencies, tense markers, event verbs,
and who a text names. Number words, months, aliases and noun families are in `verify.text`
(`verify/text/lexicons/*.yaml`); the tokenizer and lemmatiser in `verify.text.words`.

Everything here is plain data plus regexes compiled once at import."""
from __future__ import annotations

import functools
import re

from verify.text.lexicon import MONTHS, ORDINAL_WORDS, SCALE_WORDS, TENS_WORDS, UNITS_WORDS, WEEKDAYS, Lexicon, current
from verify.text.sentences import sentence_spans
from verify.text.words import IRREGULAR_PAST, STOPWORDS

# Abbreviated scales are only read after a currency ("USD 5m", "$4.2bn"): "5m" alone is metres.
SCALE_ABBREVIATIONS: dict[str, int] = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000, "tn": 1_000_000_000_000}

# Words that put a clause in the future: "will open in March", "is due to reopen in June".
FUTURE_RE = re.compile(
    r"\b(?:will|shall|'ll|going\s+to|(?:is|are|was|were)\s+(?:set|expected|due|scheduled|likely|slated|poised)\s+to"
    r"|plans?\s+to|aims?\s+to|intends?\s+to|upcoming|next)\b",
    re.IGNORECASE,
)
_PAST_WORD_RE = re.compile(r"\b(?:was|were|had|did|[a-z]{3,}ed)\b|\b(?:" + "|".join(sorted(IRREGULAR_PAST)) + r")\b")
_NOT_PAST = frozenset({"need", "speed", "seed", "feed", "bed", "red", "shed", "breed", "proceed", "exceed", "succeed"})


def clause_tense(text: str, pos: int) -> str | None:
    """"past", "future" or None (present or unclear) for the clause around `pos`: the text from
    the previous clause break (. ; : or a comma before a conjunction) to the next one. A future
    marker wins over a past verb ("said the terminal will open in March" is future)."""
    lo = max(text.rfind(c, 0, pos) for c in ".;:!?") + 1
    conj = [m.end() for m in re.finditer(r",\s+(?:and|but|while|whereas|yet)\s", text[lo:pos])]
    if conj:
        lo += conj[-1]
    ends = [i for c in ".;!?" if (i := text.find(c, pos)) >= 0]
    hi = min(ends) if ends else len(text)
    nxt = re.search(r",\s+(?:and|but|while|whereas|yet)\s", text[pos:hi])
    if nxt:
        hi = pos + nxt.start()
    clause = text[lo:hi]
    if FUTURE_RE.search(clause):
        return "future"
    if any(m.group(0).lower() not in _NOT_PAST for m in _PAST_WORD_RE.finditer(clause)):
        return "past"
    return None


TIME_UNIT_DAYS: dict[str, float] = {
    "day": 1.0, "week": 7.0, "fortnight": 14.0, "month": 30.44, "year": 365.25,
    "decade": 3652.5, "century": 36525.0,
}
# Nouns that measure time: "five years" is a duration, never a count compared as a number.
TIME_NOUNS = frozenset(TIME_UNIT_DAYS) | {"hour", "minute", "second", "night", "quarter", "season"}

# Bound phrase before a number → how it turns a value x into an interval (see quantities.py).
BOUND_PHRASES: dict[str, str] = {
    "more than": "gt", "over": "gt", "in excess of": "gt", "upwards of": "gt", "above": "gt",
    "just over": "gt", "greater than": "gt",
    "at least": "ge", "no fewer than": "ge", "no less than": "ge", "a minimum of": "ge",
    "fewer than": "lt", "less than": "lt", "under": "lt", "below": "lt", "just under": "lt",
    "up to": "le", "at most": "le", "no more than": "le", "as many as": "le", "a maximum of": "le",
    "not more than": "le",
    "nearly": "nearly", "almost": "nearly", "close to": "nearly", "approaching": "nearly",
    "about": "about", "around": "about", "roughly": "about", "approximately": "about",
    "some": "about", "an estimated": "about", "estimated": "about", "circa": "about",
    "approx.": "about", "~": "about",
    "exactly": "exact", "precisely": "exact", "just": "exact", "only": "exact", "a mere": "exact",
}
BOUND_RE = re.compile(
    r"(?:^|(?<=[\s(]))(" + "|".join(re.escape(p) for p in sorted(BOUND_PHRASES, key=len, reverse=True)) + r")\s*$",
    re.IGNORECASE,
)
APPROX_TOLERANCE = 0.10  # "about 100" → [90, 110]; "nearly 100" → [90, 100)

CURRENCY_PREFIXES: dict[str, str] = {
    "us$": "USD", "hk$": "HKD", "a$": "AUD", "c$": "CAD", "s$": "SGD", "nt$": "TWD", "$": "USD",
    "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "usd": "USD", "eur": "EUR", "gbp": "GBP",
    "jpy": "JPY", "krw": "KRW", "cny": "CNY", "rmb": "CNY", "chf": "CHF", "inr": "INR",
    "hkd": "HKD", "aud": "AUD", "cad": "CAD",
}
CURRENCY_PREFIX_RE = re.compile(
    r"(?:(?<![A-Za-z])(" + "|".join(re.escape(p) for p in sorted(CURRENCY_PREFIXES, key=len, reverse=True)) + r"))\s?$",
    re.IGNORECASE,
)
CURRENCY_WORDS: dict[str, str] = {
    "us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD", "dollar": "USD", "euros": "EUR",
    "euro": "EUR", "pounds sterling": "GBP", "yen": "JPY", "won": "KRW", "yuan": "CNY",
    "renminbi": "CNY", "rupees": "INR", "usd": "USD", "eur": "EUR", "krw": "KRW", "cny": "CNY",
    "jpy": "JPY", "gbp": "GBP",
}
CURRENCY_WORD_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(w) for w in sorted(CURRENCY_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)

# Nouns too general to say what is counted: "100 people were injured" vs "20 people died" count
# different things, so these also need a shared context word to be compared.
GENERIC_NOUN_FAMILIES = frozenset({"person", "case", "item", "thing", "unit", "member", "time", "example", "point", "one", "other"})

# Event families for dates and ordinals: the verb or noun that says what happened at a date.
_OFFICES = (
    r"(?:president|premier|prime\s+minister|governor|chancellor|mayor|chief\s+executive|ceo|leader|king|queen|emperor"
    r"|pope|speaker|senator|first\s+minister|head\s+of\s+state|chair(?:man|woman)?)"
)
EVENT_PATTERNS: dict[str, re.Pattern[str]] = {  # the grammar; the vocabulary a user adds: lexicon event_words
    "office": re.compile(
        r"\b(?:took|take|takes|taking|assumed?|assuming|entered|left|leaves?)\s+(?:office|power|the\s+presidency)\b"
        r"|\bsworn[- ]in\b|\bswearing[- ]in\b|\binaugurat\w*|\btook\s+the\s+oath\b|\bcame\s+to\s+power\b"
        rf"|\b(?:became|becomes|become|becoming|installed\s+as|appointed(?:\s+as)?|named(?:\s+as)?)\s+(?:the\s+)?(?:\w+\s+)?{_OFFICES}\b",
        re.IGNORECASE,
    ),
    "meeting": re.compile(r"\b(?:met|meet|meets|meeting|meetings|summit|summits|talks|encounter\w*)\b", re.IGNORECASE),
    "visit": re.compile(r"\b(?:visit\w*|trip|trips|tour|toured|arriv\w*)\b", re.IGNORECASE),
    "signing": re.compile(r"\b(?:sign|signs|signed|signing|inked)\b", re.IGNORECASE),
    "election": re.compile(
        r"\b(?:elected|election|elections|re-elected|reelected|by-election|won\s+(?:the\s+)?(?:\w+\s+)?(?:vote|election"
        r"|presidency|race|ballot|poll)|went\s+to\s+the\s+polls|voted\s+(?:in|into\s+office))\b",
        re.IGNORECASE,
    ),
    "opening": re.compile(r"\b(?:opened|opens|opening|reopened|reopens|reopening|re-opened|open|reopen)\b(?!\s+(?:fire|talks|an?\s+investigation))", re.IGNORECASE),
    "birth": re.compile(r"\bborn\b|\bbirth\b", re.IGNORECASE),
    "death": re.compile(r"\b(?:died|dies|death|passed\s+away|was\s+killed|were\s+killed)\b", re.IGNORECASE),
    "founding": re.compile(r"\b(?:founded|established|founding|created)\b", re.IGNORECASE),
    "launch": re.compile(r"\b(?:launch\w*|released?|unveil\w*)\b", re.IGNORECASE),
    "approval": re.compile(r"\b(?:licen[cs]ed|approved|authori[sz]ed|cleared)\b", re.IGNORECASE),
}


@functools.lru_cache(maxsize=16)  # keyed on the lexicon object (compared by identity)
def event_families(lexicon: Lexicon) -> dict[str, re.Pattern[str]]:
    """The event families the date checks know: the built-in patterns, each extended (or a new
    family added) by the lexicon's `event_words`, matched as whole words, case-insensitive."""
    out = dict(EVENT_PATTERNS)
    for family, words in lexicon.event_words.items():
        alternation = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=lambda w: (-len(w), w)))
        extra = rf"\b(?:{alternation})\b"
        out[family] = re.compile(f"(?:{out[family].pattern})|{extra}" if family in out else extra, re.IGNORECASE)
    return out


# Ordinal nouns name events through the same families ("second summit" counts meetings).
NOUN_FAMILY_TO_EVENT: dict[str, str] = {"meeting": "meeting", "visit": "visit"}

# Capitalised words that start sentences or name times, not subjects.
NOT_NAMES = frozenset(
    ["the", "a", "an", "this", "that", "these", "those", "it", "its", "in", "on", "at", "for", "from", "by", "with", "as", "he", "she", "they", "we", "i", "his", "her", "their", "our", "after", "before", "during", "since", "until", "when", "while", "but", "and", "or", "if", "although", "however", "meanwhile", "president", "prime", "minister", "mr", "mrs", "ms", "dr", "south", "north", "east", "west", "according", "some", "many", "most", "more", "about", "around", "nearly", "almost", "over", "under", "up"]
) | frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(UNITS_WORDS) | frozenset(TENS_WORDS) | frozenset(SCALE_WORDS) | frozenset(ORDINAL_WORDS)
NOT_NAMES = NOT_NAMES | frozenset(code for code in CURRENCY_PREFIXES if code.isalpha()) | {"apec", "mou", "mous"}

# A name as the role and place checks read one: capitalised words (hyphenated parts, initials), e.g. "Yoon Suk Yeol", "Lee Jae-myung", "President Lee"
# and lower-case joiners between them ("Port of Spain", "Trinidad and Tobago"); at most six words,
# so a long capitalised run costs linear time
NAME_WORD = r"(?:[A-Z]\.|[A-Z]\w*(?:-[A-Za-z]+)*)"
NAME_JOINER = r"(?:(?:of|and|de|del|da|di|du|van|von|der|bin|al|la|le)\s+)?"
NAME = rf"{NAME_WORD}(?:\s+{NAME_JOINER}{NAME_WORD}){{0,5}}"
CAPITALISED_WORD = r"(?:U\.S|[A-Z][A-Za-z]+(?:-[A-Za-z]+)*)"  # a word `names_in` may read as a name
_CAPITALISED_RE = re.compile(rf"\b{CAPITALISED_WORD}")


@functools.lru_cache(maxsize=16)
def place_words(lexicon: Lexicon) -> frozenset[str]:
    """Lower-case words of the places the lexicon knows: its name aliases and their targets, the
    nationality adjectives and their countries ("the United States" -> united, states)."""
    words = {*lexicon.name_aliases, *lexicon.name_aliases.values()}
    for adjective, country in lexicon.nationalities.items():
        words |= {w.lower() for w in f"{adjective} {country}".replace(".", " ").split()}
    return frozenset(words)


def names_in(text: str, skip_possessive: bool = False) -> tuple[set[str], set[str]]:
    """(sure, all) names in `text`, lower-cased and aliased. A capitalised word is a sure name inside
    a sentence ("met Xi"); at a sentence start ("Police said", "Lee took office") it may be an
    ordinary word, so it only counts as a possible name, unless another capital follows it.
    `skip_possessive` drops "Lee's": in "Yoon, Lee's predecessor, took office" Lee is not the subject."""
    sure: set[str] = set()
    every: set[str] = set()
    starts = {lo for lo, _ in sentence_spans(text)}
    aliases = current().name_aliases
    matches = list(_CAPITALISED_RE.finditer(text))
    for i, m in enumerate(matches):
        if skip_possessive and text[m.end():m.end() + 2] in ("'s", "’s"):
            continue
        parts = [p for p in m.group(0).lower().split("-") if p not in NOT_NAMES and p not in STOPWORDS and len(p) > 1]
        parts = [aliases.get(p, p) for p in parts]
        every.update(parts)
        at_start = text[:m.start()].strip() == "" or any(text[lo:m.start()].strip(" \"“(") == "" for lo in starts if lo <= m.start())
        followed = i + 1 < len(matches) and text[m.end():matches[i + 1].start()].strip() == ""
        if not at_start or followed:
            sure.update(parts)
    return sure, every
