"""Word lists for the numeric and date checks: number words, bound words, currencies, the small
noun-synonym and event-verb tables, and a rule-based English lemmatiser for counted nouns.

Everything here is plain data plus regexes compiled once at import."""
from __future__ import annotations

import re

UNITS_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS_WORDS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALE_WORDS: dict[str, int] = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
# Abbreviated scales are only read after a currency ("USD 5m", "$4.2bn"): "5m" alone is metres.
SCALE_ABBREVIATIONS: dict[str, int] = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000, "tn": 1_000_000_000_000}

ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
# Simple past forms that do not end in -ed: they date a clause to the past (and make a clause).
IRREGULAR_PAST = frozenset(
    """rose fell grew said told made took gave became began won lost met led held paid sold bought
    went came saw found left set cut hit ran spent sent built brought thought kept struck drew
    wrote spoke chose rode shook stood understood sought fought taught caught cost hurt shut spread burst
    struck swore sank flew froze hid beat bore forbade broke""".split()
)
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

# Counted nouns that name the same thing. Keys are lemmas; every member maps to the family name.
NOUN_FAMILIES: dict[str, tuple[str, ...]] = {
    "agreement": ("agreement", "deal", "accord", "memorandum", "mou", "pact", "treaty"),
    "troop": ("troop", "soldier", "serviceman", "servicemember", "force"),
    "meeting": ("meeting", "summit", "talk", "meet", "encounter"),
    "visit": ("visit", "trip", "tour"),
    "person": ("person", "people", "individual"),
    "death": ("death", "fatality", "dead"),
    "company": ("company", "firm", "business", "corporation"),
    "country": ("country", "nation"),
}
# Compound units written several ways: "km/h" ~ "kph" ~ "kilometres per hour".
UNIT_ALIASES: dict[str, str] = {
    "kph": "km/h", "kmh": "km/h", "kilometre/hour": "km/h", "kilometer/hour": "km/h", "km/hour": "km/h",
    "mile/hour": "mph", "mi/h": "mph", "m/sec": "m/s", "metre/second": "m/s", "meter/second": "m/s",
}
NOUN_TO_FAMILY: dict[str, str] = {m: fam for fam, members in NOUN_FAMILIES.items() for m in members}
# Nouns too general to say what is counted: "100 people were injured" vs "20 people died" count
# different things, so these also need a shared context word to be compared.
GENERIC_NOUN_FAMILIES = frozenset({"person", "case", "item", "thing", "unit", "member", "time", "example", "point", "one", "other"})

IRREGULAR_LEMMAS: dict[str, str] = {
    "people": "people", "memoranda": "memorandum", "men": "man", "women": "woman",
    "children": "child", "mice": "mouse", "feet": "foot", "teeth": "tooth", "geese": "goose",
    "data": "data", "media": "media", "criteria": "criterion", "phenomena": "phenomenon",
    "mous": "mou", "talks": "talk", "series": "series", "species": "species", "news": "news",
    "analyses": "analysis", "crises": "crisis", "bases": "base", "indices": "index",
    "lives": "life", "wives": "wife", "knives": "knife", "leaves": "leaf", "halves": "half",
}
_NO_STRIP_ENDINGS = ("ss", "us", "is", "ous")


def lemmatize(word: str) -> str:
    """Lower-case singular of an English noun by rule; good enough to match counted nouns."""
    w = word.lower().strip("'’")
    if w in IRREGULAR_LEMMAS:
        return IRREGULAR_LEMMAS[w]
    if len(w) <= 3 or w.endswith(_NO_STRIP_ENDINGS):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


def noun_family(lemma: str | None) -> str | None:
    if lemma is None:
        return None
    return NOUN_TO_FAMILY.get(lemma, UNIT_ALIASES.get(lemma, lemma))


# Event families for dates and ordinals: the verb or noun that says what happened at a date.
_OFFICES = (
    r"(?:president|premier|prime\s+minister|governor|chancellor|mayor|chief\s+executive|ceo|leader|king|queen|emperor"
    r"|pope|speaker|senator|first\s+minister|head\s+of\s+state|chair(?:man|woman)?)"
)
EVENT_FAMILIES: dict[str, re.Pattern[str]] = {
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
# Events that happen again and again: a different date contradicts only on the same occasion
# (same place, or the same specific words: "a free trade agreement"). Taking office, birth, death
# and founding happen once per subject; an opening repeats (a museum opens, then a new wing opens).
REPEATABLE_EVENTS = frozenset({"meeting", "visit", "signing", "launch", "election", "opening"})
# Ordinal nouns name events through the same families ("second summit" counts meetings).
NOUN_FAMILY_TO_EVENT: dict[str, str] = {"meeting": "meeting", "visit": "visit"}

# Words ignored when comparing the context around a number, a date or a name.
STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with", "without", "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "this", "that", "these", "those", "it", "its", "it's", "their", "there", "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "i", "me", "my", "which", "who", "whom", "whose", "what", "when", "where", "while", "than", "then", "so", "such", "not", "no", "nor", "also", "about", "around", "over", "under", "into", "onto", "after", "before", "during", "since", "until", "up", "down", "out", "off", "per", "via", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "just", "only", "more", "most", "less", "least", "some", "any", "each", "every", "all", "both", "few", "many", "much", "other", "another", "same", "very", "too", "said", "says", "say", "according", "reported", "reportedly", "total", "number", "figure", "amount", "value", "level", "rate", "share", "percent", "cent", "per", "growth", "increase", "decrease", "rise", "rose", "fell", "fall", "grew", "grow", "increased", "decreased", "reached", "reach", "stood", "stand", "year", "years", "month", "months", "week", "weeks", "day", "days", "new", "latest", "last", "next", "this", "previous", "former", "current", "around", "roughly", "nearly", "almost", "approximately", "estimated", "mere"]
)
# Capitalised words that start sentences or name times, not subjects.
NOT_NAMES = frozenset(
    ["the", "a", "an", "this", "that", "these", "those", "it", "its", "in", "on", "at", "for", "from", "by", "with", "as", "he", "she", "they", "we", "i", "his", "her", "their", "our", "after", "before", "during", "since", "until", "when", "while", "but", "and", "or", "if", "although", "however", "meanwhile", "president", "prime", "minister", "mr", "mrs", "ms", "dr", "south", "north", "east", "west", "according", "some", "many", "most", "more", "about", "around", "nearly", "almost", "over", "under", "up"]
) | frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(UNITS_WORDS) | frozenset(TENS_WORDS) | frozenset(SCALE_WORDS) | frozenset(ORDINAL_WORDS)
NOT_NAMES = NOT_NAMES | frozenset(code for code in CURRENCY_PREFIXES if code.isalpha()) | {"apec", "mou", "mous"}

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Split after . ! ? before a capital, but not after initials ("U.S.") or titles ("Mr.").
SENTENCE_SPLIT_RE = re.compile(r"(?<!\b[A-Z]\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<=[.!?])\s+(?=[A-Z\"“(])")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (a simple splitter on . ! ? + capital)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in SENTENCE_SPLIT_RE.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def sentence_of(bounds: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for lo, hi in bounds:
        if lo <= pos <= hi:
            return lo, hi
    return bounds[-1]


# Country, capital and adjective name one subject ("Seoul and Beijing" ~ "South Korea and China").
NAME_ALIASES: dict[str, str] = {
    "beijing": "china", "chinese": "china", "prc": "china", "seoul": "korea", "korean": "korea",
    "koreans": "korea", "tokyo": "japan", "japanese": "japan", "washington": "us", "american": "us",
    "americans": "us", "america": "us", "u.s": "us", "usa": "us", "moscow": "russia",
    "russian": "russia", "kyiv": "ukraine", "ukrainian": "ukraine", "taipei": "taiwan",
    "london": "uk", "british": "uk", "britain": "uk", "paris": "france", "french": "france",
    "berlin": "germany", "german": "germany", "brussels": "eu", "european": "eu",
}


_CAPITALISED_RE = re.compile(r"\b(?:U\.S|[A-Z][A-Za-z]+(?:-[A-Za-z]+)*)")


def names_in(text: str, skip_possessive: bool = False) -> tuple[set[str], set[str]]:
    """(sure, all) names in `text`, lower-cased and aliased. A capitalised word is a sure name inside
    a sentence ("met Xi"); at a sentence start ("Police said", "Lee took office") it may be an
    ordinary word, so it only counts as a possible name, unless another capital follows it.
    `skip_possessive` drops "Lee's": in "Yoon, Lee's predecessor, took office" Lee is not the subject."""
    sure: set[str] = set()
    every: set[str] = set()
    starts = {lo for lo, _ in sentence_bounds(text)}
    matches = list(_CAPITALISED_RE.finditer(text))
    for i, m in enumerate(matches):
        if skip_possessive and text[m.end():m.end() + 2] in ("'s", "’s"):
            continue
        parts = [p for p in m.group(0).lower().split("-") if p not in NOT_NAMES and p not in STOPWORDS and len(p) > 1]
        parts = [NAME_ALIASES.get(p, p) for p in parts]
        every.update(parts)
        at_start = text[:m.start()].strip() == "" or any(text[lo:m.start()].strip(" \"“(") == "" for lo in starts if lo <= m.start())
        followed = i + 1 < len(matches) and text[m.end():matches[i + 1].start()].strip() == ""
        if not at_start or followed:
            sure.update(parts)
    return sure, every


def content_lemmas(text: str) -> set[str]:
    """Lemmas of the content words in `text`, for "is this about the same thing" tests."""
    out: set[str] = set()
    for m in WORD_RE.finditer(text):
        w = m.group(0).lower()
        if w in STOPWORDS or len(w) < 3 or w in UNITS_WORDS or w in TENS_WORDS or w in SCALE_WORDS or w in MONTHS or w in WEEKDAYS:
            continue
        out.add(noun_family(lemmatize(w)) or w)
    return out
