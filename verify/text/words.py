"""Words: the one tokenizer, stop-word lists and lemmatiser of verify.

- `tokens(text)`: lower-cased runs of letters and digits ("U.S." -> "u", "s"; "Jae-myung" -> "jae",
  "myung"). `terms(text)`: the lemmas of its non-stop tokens, numbers included; this is what a
  "content word" is everywhere (NLI window ranking, the checks' "about the same thing" tests,
  evidence relevance in the report). `content_lemmas(text)` narrows terms to topical words: no
  numbers, number words or calendar words, shorter than 3 letters, counted nouns folded into their
  family ("deal" ~ "agreement", `lexicon.noun_families`).
- `lemmatize(word)`: the one stemmer, a rule-based English noun singulariser.
- `index_tokens(text)`: BM25's tokens. It differs on purpose and is kept as it was: every saved
  corpus index stores its vocabulary, so a change here would silently mismatch old indexes (and
  move the retrieval numbers in benchmarks/). It splits on Unicode letters (a corpus may be in any
  language), drops bm25s's standard English stop words (a retrieval list: the comparison list below
  keeps negations and drops reporting words) and folds plurals with Harman's S-stemmer, which
  never merges two unrelated words (an index cannot tell them apart later). Changing it means
  bumping `verify.corpus.index.FORMAT`, so saved indexes are rebuilt.
"""
from __future__ import annotations

import functools
import re

from .lexicon import MONTHS, NUMBER_WORDS, WEEKDAYS, current

TOKEN_RE = re.compile(r"[a-z0-9]+")
# Simple past forms that do not end in -ed: they date a clause to the past (and make a clause).
IRREGULAR_PAST = frozenset(
    """rose fell grew said told made took gave became began won lost met led held paid sold bought
    went came saw found left set cut hit ran spent sent built brought thought kept struck drew
    wrote spoke chose rode shook stood understood sought fought taught caught cost hurt shut spread burst
    struck swore sank flew froze hid beat bore forbade broke""".split()
)
# A word as written (letters, inner apostrophes and hyphens): for looking at the words near a number.
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Words ignored when comparing the context around a number, a date or a name.
STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with", "without", "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "this", "that", "these", "those", "it", "its", "it's", "their", "there", "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "i", "me", "my", "which", "who", "whom", "whose", "what", "when", "where", "while", "than", "then", "so", "such", "not", "no", "nor", "also", "about", "around", "over", "under", "into", "onto", "after", "before", "during", "since", "until", "up", "down", "out", "off", "per", "via", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "just", "only", "more", "most", "less", "least", "some", "any", "each", "every", "all", "both", "few", "many", "much", "other", "another", "same", "very", "too", "said", "says", "say", "according", "reported", "reportedly", "total", "number", "figure", "amount", "value", "level", "rate", "share", "percent", "cent", "per", "growth", "increase", "decrease", "rise", "rose", "fell", "fall", "grew", "grow", "increased", "decreased", "reached", "reach", "stood", "stand", "year", "years", "month", "months", "week", "weeks", "day", "days", "new", "latest", "last", "next", "this", "previous", "former", "current", "around", "roughly", "nearly", "almost", "approximately", "estimated", "mere"]
)

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



def tokens(text: str) -> list[str]:
    """Lower-cased letter/digit runs of `text`."""
    return TOKEN_RE.findall(text.lower())


def terms(text: str) -> set[str]:
    """Lemmas of the non-stop tokens of `text`, numbers and ordinals included."""
    return {lemmatize(t) for t in tokens(text) if t not in STOPWORDS}


_NOT_TOPICAL = NUMBER_WORDS | frozenset(MONTHS) | frozenset(WEEKDAYS)


def content_lemmas(text: str) -> set[str]:
    """The topical terms of `text`, for "is this about the same thing" tests: no numbers, number
    words, months or weekdays, nothing under 3 letters; counted nouns as their family."""
    lexicon = current()
    return {lexicon.noun_family(lemmatize(t)) or t for t in tokens(text)
            if t not in STOPWORDS and len(t) >= 3 and t not in _NOT_TOPICAL and not t[0].isdigit()}


# ---------------------------------------------------------------- BM25 (see the module docstring)

_INDEX_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _index_stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


INDEX_STOPWORDS = _index_stopwords()


@functools.lru_cache(maxsize=1 << 18)  # stemming is per token: a corpus repeats a small vocabulary
def index_stem(word: str) -> str:
    """Harman's 'S' stemmer: folds plurals only, so it rarely merges unrelated words."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def index_tokens(text: str) -> list[str]:
    """BM25's tokens of `text` (queries and passages alike)."""
    return [index_stem(t) for t in _INDEX_TOKEN.findall(text.lower()) if t not in INDEX_STOPWORDS]
