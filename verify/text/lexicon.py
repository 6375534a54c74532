"""The word lists verify knows, as data: built-in YAML files in `verify/text/lexicons/`, extended by
the user's own files (`--lexicon FILE`, or `lexicons = [...]` in the settings).

- `numbers.yaml`: number words, month and weekday names (built in only: the date and number
  patterns are compiled from them once, at import).
- `names.yaml`: name aliases ("seoul" -> "korea") and nationalities ("South Korean" -> "South Korea").
- `domain.yaml`: event nouns, "the two <noun>" nouns, counted-noun families, unit aliases, and
  the event vocabulary of the date checks (`event_words` extends the grammar-bearing patterns of
  `checks/lexicon.EVENT_PATTERNS`; `repeatable_events`), the roles with one holder per
  possessor that the role checks compare (`unique_roles`), and the one-way verbs of the relation
  checks (`one_way_verbs`).

A user file holds any of the extendable keys (`EXTENDABLE`): a mapping adds or overrides entries,
a list is extended, a noun family gains members. A bad file is one InputError naming file:line.

The lexicon in use is process-wide (`use`, `current`): stages read `current()` when they run, so a
`Pipeline` built with other lexicons switches it for every later call.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, clip
from ..io import FieldPath, format_field, line_of, parse_yaml, read_text

BUILTIN_DIR = Path(__file__).parent / "lexicons"
MAX_LEXICON_BYTES = 5 * 1024 * 1024  # a lexicon is hand-written or generated from a list: not larger

# key -> (kind, what the values are); the kinds say how a user file merges over the built-ins
EXTENDABLE: dict[str, str] = {
    "name_aliases": "mapping",  # word -> canonical name
    "nationalities": "mapping",  # adjective -> country
    "event_nouns": "list",
    "pair_nouns": "families",  # countries / people -> nouns
    "noun_families": "families",  # family -> member lemmas
    "unit_aliases": "mapping",  # written form -> canonical unit
    "event_words": "families",  # event family -> words/phrases naming it (extends the checks' built-in patterns)
    "repeatable_events": "list",  # event families that recur (a date mismatch needs the same occasion)
    "unique_roles": "list",  # roles with one holder per possessor ("predecessor"): the role checks (checks/roles.py)
    "one_way_verbs": "families",  # verb family -> every written form it matches: who did what to whom (checks/relations.py)
}
BUILTIN_ONLY = ("units_words", "tens_words", "scale_words", "ordinal_words", "months", "month_abbreviations", "weekdays")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches key on the lexicon in use
class Lexicon:
    name_aliases: Mapping[str, str]
    nationalities: Mapping[str, str]
    event_nouns: tuple[str, ...]
    pair_nouns: Mapping[str, tuple[str, ...]]
    noun_families: Mapping[str, tuple[str, ...]]
    unit_aliases: Mapping[str, str]
    event_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    repeatable_events: tuple[str, ...] = ()
    unique_roles: tuple[str, ...] = ()
    one_way_verbs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # the user files merged in, in order
    noun_to_family: Mapping[str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "noun_to_family",
                           {m: fam for fam, members in self.noun_families.items() for m in members})

    def noun_family(self, lemma: str | None) -> str | None:
        """The family a counted noun's lemma belongs to ("deal" -> "agreement"), a unit's canonical
        form ("kph" -> "km/h"), else the lemma itself."""
        if lemma is None:
            return None
        return self.noun_to_family.get(lemma, self.unit_aliases.get(lemma, lemma))


def _read_builtin(name: str) -> dict[str, Any]:
    path = BUILTIN_DIR / name
    _, data, _ = parse_yaml(path, read_text(path, "lexicon"), "lexicons")
    return data


_NUMBERS = _read_builtin("numbers.yaml")
UNITS_WORDS: dict[str, int] = _NUMBERS["units_words"]
TENS_WORDS: dict[str, int] = _NUMBERS["tens_words"]
SCALE_WORDS: dict[str, int] = _NUMBERS["scale_words"]
ORDINAL_WORDS: dict[str, int] = _NUMBERS["ordinal_words"]
MONTH_NAMES: dict[str, int] = _NUMBERS["months"]  # full names only
MONTHS: dict[str, int] = {**MONTH_NAMES, **_NUMBERS["month_abbreviations"]}  # names and abbreviations
WEEKDAYS: dict[str, int] = _NUMBERS["weekdays"]
NUMBER_WORDS = frozenset(UNITS_WORDS) | frozenset(TENS_WORDS) | frozenset(SCALE_WORDS)


def month_pattern(group: str | None = None, abbreviations: bool = True) -> str:
    """The one month regex: a full name or (with `abbreviations`) an abbreviation with an optional
    period ("Sept."), in title case, longest alternative first; `group` names the capture (the
    name without its period)."""
    names = sorted(MONTHS if abbreviations else MONTH_NAMES, key=lambda m: (-len(m), m))
    body = "|".join(n.capitalize() for n in names)
    return (f"(?P<{group}>{body})" if group else f"(?:{body})") + (r"\.?" if abbreviations else "")


def weekday_pattern(group: str | None = None) -> str:
    """The one weekday regex ("Monday" ... "Sunday"); `group` names the capture."""
    body = "|".join(d.capitalize() for d in WEEKDAYS)
    return f"(?P<{group}>{body})" if group else f"(?:{body})"


def _builtin() -> Lexicon:
    data: dict[str, Any] = {}
    for name in ("names.yaml", "domain.yaml"):
        data.update(_read_builtin(name))
    return Lexicon(
        name_aliases=data["name_aliases"], nationalities=data["nationalities"], event_nouns=tuple(data["event_nouns"]),
        pair_nouns={k: tuple(v) for k, v in data["pair_nouns"].items()},
        noun_families={k: tuple(v) for k, v in data["noun_families"].items()}, unit_aliases=data["unit_aliases"],
        event_words={k: tuple(v) for k, v in (data.get("event_words") or {}).items()},
        repeatable_events=tuple(data["repeatable_events"]), unique_roles=tuple(data.get("unique_roles") or ()),
        one_way_verbs={k: tuple(v) for k, v in (data.get("one_way_verbs") or {}).items()},
    )


BUILTIN = _builtin()
_current = BUILTIN


def current() -> Lexicon:
    """The lexicon stages read now (the built-in one unless `use` chose another)."""
    return _current


def use(lexicon: Lexicon) -> Lexicon:
    """Make `lexicon` the one in use; returns the previous one."""
    global _current
    previous, _current = _current, lexicon
    return previous


@functools.lru_cache(maxsize=16)
def _load_cached(paths: tuple[str, ...], stamps: tuple[tuple[int, int], ...]) -> Lexicon:
    lexicon = BUILTIN
    for p in paths:
        lexicon = merge(lexicon, read_lexicon_file(p), p)
    return lexicon


def load(paths: Iterable[str | Path] = ()) -> Lexicon:
    """The built-in lexicon with the user files `paths` merged over it, in order (the same files,
    unchanged, give the same Lexicon object)."""
    paths = tuple(str(p) for p in paths)
    stamps = []
    for p in paths:
        try:
            st = Path(p).stat()
        except OSError:
            raise InputError(f"lexicon file not found: {p}") from None
        stamps.append((st.st_mtime_ns, st.st_size))
    return _load_cached(paths, tuple(stamps))


def read_lexicon_file(path: str | Path) -> dict[str, Any]:
    """A user lexicon file, validated: a mapping of EXTENDABLE keys to values of the right shape."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"lexicon is a directory, expected a YAML or JSON file: {path}")
    text = read_text(path, "lexicon", max_bytes=MAX_LEXICON_BYTES)
    _, data, lines = parse_yaml(path, text, "lexicons")  # JSON is YAML: one reader for both
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: a lexicon must be a mapping of {', '.join(EXTENDABLE)} to entries")

    def bad(loc: FieldPath, problem: str) -> InputError:
        return InputError(f"{path}:{line_of(lines, loc)}: {format_field(loc)}: {problem}")

    def words(loc: FieldPath, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise bad(loc, f"expected a word or a list of words, got {clip(repr(value), 60)}")
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                raise bad(loc + (i,), f"expected a word, got {clip(repr(v), 60)}")
        return tuple(v.strip() for v in value)

    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in BUILTIN_ONLY:
            raise bad((key,), "built in; a user lexicon cannot change it "
                              f"(extendable: {', '.join(EXTENDABLE)})")
        if key not in EXTENDABLE:
            raise bad((key,), f"unknown key (extendable: {', '.join(EXTENDABLE)})")
        kind = EXTENDABLE[key]
        if kind == "list":
            out[key] = words((key,), value)
            continue
        if not isinstance(value, dict):
            raise bad((key,), f"expected a mapping, got {clip(repr(value), 60)}")
        entries: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k.strip():
                raise bad((key,), f"keys must be words, got {clip(repr(k), 60)}")
            if kind == "families":
                entries[k.strip()] = words((key, k), v)
            elif not isinstance(v, str) or not v.strip():
                raise bad((key, k), f"expected a word, got {clip(repr(v), 60)}")
            else:
                entries[k.strip()] = v.strip()
        out[key] = entries
    if "pair_nouns" in out and (extra := set(out["pair_nouns"]) - {"countries", "people"}):
        raise bad(("pair_nouns", sorted(extra)[0]), "pair_nouns has two groups: countries and people")
    return out


def merge(base: Lexicon, extra: Mapping[str, Any], source: str = "") -> Lexicon:
    """`base` with a validated user lexicon's entries added (mappings: entry by entry, the user's
    wins; lists and families: extended, order kept, no duplicates). Words of the lower-case tables
    (aliases, nouns, units) are lower-cased; nationalities keep their case (they match as written)."""
    changes: dict[str, Any] = {}
    for key, value in extra.items():
        kind = EXTENDABLE[key]
        old = getattr(base, key)
        lower = key != "nationalities"
        norm = (lambda s: s.lower()) if lower else (lambda s: s)
        if kind == "list":
            changes[key] = tuple(dict.fromkeys([*old, *(norm(w) for w in value)]))
        elif kind == "mapping":
            changes[key] = {**old, **{norm(k): norm(v) for k, v in value.items()}}
        else:
            merged = dict(old)
            for k, members in value.items():
                merged[norm(k)] = tuple(dict.fromkeys([*merged.get(norm(k), ()), *(norm(m) for m in members)]))
            changes[key] = merged
    return replace(base, **changes, sources=base.sources + ((source,) if source else ()))


def word_alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so "South Korean" wins over "Korean")."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
