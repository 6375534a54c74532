"""Light decontextualisation: make a claim readable on its own, using only the text before it.

Each rule fires only when the referent is unambiguous (one candidate); otherwise the words stay
as written. The state is small and bounded (a capped table of people, the current event, the
previous sentence's people), so a long document streams through in constant memory.
"""
from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from ..text.lexicon import Lexicon, current, word_alternation
from .clauses import subject_of

MAX_PEOPLE = 500  # a long document forgets its oldest names rather than growing without bound

_TOKEN = r"[A-Z][a-z]+(?:['\u2019][A-Z][a-z]+)?(?:-[A-Za-z][a-z]+)?"
_FULL_NAME = rf"{_TOKEN}(?:\s+{_TOKEN}){{1,2}}"
_TITLE = (
    r"(?:President|Prime\s+Minister|PM|Premier|Chancellor|(?:Foreign|Defen[cs]e|Finance|Trade)\s+Minister"
    r"|Minister|Secretary(?:\s+of\s+State)?|Senator|Sen\.|Governor|Gov\.|King|Queen|Chairman|Chairwoman"
    r"|CEO|Dr\.|Mr\.|Mrs\.|Ms\.|Prof\.|General|Gen\.|Judge|Mayor|Ambassador)"
)
_TITLED_PERSON = re.compile(rf"\b{_TITLE}\s+({_FULL_NAME})\b")
_APPOSED_PERSON = re.compile(
    rf"(?:^|[.;:]\s+|\bsaid\s+)({_FULL_NAME}),\s+(?:his|her|its|their|the|a|an|[A-Z][\w-]*['\u2019]s|chief|vice|senior|co-?founder)\b"
)
_PREDECESSOR = re.compile(rf"\bpredecessor,?\s+({_FULL_NAME})\b")
_SPEAKER = re.compile(rf"\b(?:said|says|according\s+to)\s+({_FULL_NAME})\b")
_TOKEN_RE = re.compile(_TOKEN)
_NOT_NAMES = frozenset(
    """The This That These Those There Then When While After Before Since During In On At For From With
    By As And But Or If It Its He She They We Our Their His Her Will May June April August March
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February July September October
    November December President Minister Prime Chancellor Sunday Analysts Relations Such""".split()
)
_PRONOUN = re.compile(r"\b(he|He|him|his|His|she|She|her|Her)\b")
_NOT_POSSESSED = frozenset("to for with and at in on by from that as the a an of or but".split())
_IT_START = re.compile(r"^(It|Its)\s")
_DUMMY_IT = re.compile(
    r"^It\s+(?:is|was|has\s+been|had\s+been|will\s+be|remains|seems|appears)\s+(?:not\s+)?(?:\w+\s+){0,2}?"
    r"(?:unclear|clear|likely|unlikely|possible|impossible|expected|hoped|feared|thought|said|reported|believed|known"
    r"|true|important|necessary|time|too|hard|easy|difficult)\b|^It\s+(?:rained|snowed|is\s+raining)",
    re.IGNORECASE,
)
# A thing, not a person: a subject phrase that opens with a determiner ("The Varna", "The new terminal").
_THING_SUBJECT = re.compile(r"^(?:The|the|This|this|That|that)\s")
_PREVIOUS_GOVERNMENT = re.compile(r"\b(?:the|The)\s+(?:previous|former)\s+(administration|government)\b")


@dataclass(frozen=True)
class _Patterns:
    """The patterns built from the lexicon in use (verify/text/lexicons/names.yaml, domain.yaml)."""

    nationality_to_country: Mapping[str, str]
    nationality_before: re.Pattern[str]  # "South Korean" just before a title
    country_pair: re.Pattern[str]  # "Korea-Japan"
    new_event: re.Pattern[str]  # "a state visit"
    event_reference: re.Pattern[str]  # "the summit" (not "the summit of ...")
    two_countries: re.Pattern[str]  # "the two nations"
    two_people: re.Pattern[str]  # "the two leaders"


@functools.lru_cache(maxsize=8)
def _patterns(lexicon: Lexicon) -> _Patterns:
    nationalities = dict(lexicon.nationalities)
    countries = word_alternation(c.removeprefix("the ") for c in nationalities.values())
    events = word_alternation(lexicon.event_nouns)
    return _Patterns(
        nationality_to_country=nationalities,
        nationality_before=re.compile(rf"\b({word_alternation(nationalities)})\s+$"),
        country_pair=re.compile(rf"\b({countries})[-\u2013]({countries})\b"),
        new_event=re.compile(rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,3}}({events})\b"),
        event_reference=re.compile(
            rf"\b(?:this|the|This|The)\s+((?:(?:upcoming|planned|latest|current|state|landmark|historic)\s+)*)({events})\b"
            r"(?!\s+(?:of|between|in|with|to|at|by|from)\b)(?![\w-])"
        ),
        two_countries=re.compile(rf"\b(?:the|The)\s+two\s+(?:{word_alternation(lexicon.pair_nouns.get('countries', ()))})\b"),
        two_people=re.compile(rf"\b(?:the|The)\s+two\s+(?:{word_alternation(lexicon.pair_nouns.get('people', ()))})\b"),
    )


@dataclass(frozen=True)
class Person:
    name: str
    country: str | None = None


class Context:
    """What the text so far says about people and the current event."""

    def __init__(self) -> None:
        self.people: OrderedDict[str, Person] = OrderedDict()
        self._by_token: dict[str, set[str]] = {}
        self.previous_people: list[str] = []
        self.event: tuple[str, str] | None = None
        self.country_pair: tuple[str, str] | None = None
        self.predecessor: str | None = None
        self.previous_subject: str | None = None  # "The new ferry terminal in Harwick": what a next "It" means
        self._rx = _patterns(current())

    # -- learning -------------------------------------------------------------------------------
    def learn(self, sentence: str) -> None:
        """Register the people a sentence introduces (before its claims are resolved)."""
        for m in _TITLED_PERSON.finditer(sentence):
            # "South Korean President Lee": the nationality sits just before the title
            nationality = self._rx.nationality_before.search(sentence, max(0, m.start() - 20), m.start())
            self._add(m.group(1), self._rx.nationality_to_country[nationality.group(1)] if nationality else None)
        for pattern in (_APPOSED_PERSON, _SPEAKER):
            for m in pattern.finditer(sentence):
                self._add(m.group(1), None)
        for m in _PREDECESSOR.finditer(sentence):
            self._add(m.group(1), None)
            self.predecessor = self._canonical(m.group(1))
        pair = self._rx.country_pair.search(sentence)
        if pair and pair.group(1) != pair.group(2):
            self.country_pair = (pair.group(1), pair.group(2))

    def finish_sentence(self, sentence: str) -> None:
        """Remember who this sentence mentioned, its subject and any event it introduced, for the
        next ones."""
        subject = subject_of(sentence)
        if subject is not None and _THING_SUBJECT.match(subject):
            self.previous_subject = subject
        elif not _IT_START.match(sentence):
            self.previous_subject = None  # "It ..." keeps the thing it refers to in view
        mentioned = self.mentions(sentence)
        self.previous_people = mentioned
        if self._rx.new_event.search(sentence) and len(mentioned) >= 2:
            self.event = (mentioned[0], mentioned[1])

    def _add(self, name: str, country: str | None) -> None:
        name = re.sub(r"\s+", " ", name)
        tokens = name.split()
        if any(t in _NOT_NAMES for t in tokens):
            return
        known = self.people.get(name)
        self.people[name] = Person(name, country or (known.country if known else None))
        self.people.move_to_end(name)
        for token in (tokens[0], tokens[-1]):
            self._by_token.setdefault(token, set()).add(name)
        if len(self.people) > MAX_PEOPLE:
            oldest, _ = self.people.popitem(last=False)
            for names in self._by_token.values():
                names.discard(oldest)

    def _canonical(self, name: str) -> str:
        return re.sub(r"\s+", " ", name)

    # -- lookup ---------------------------------------------------------------------------------
    def _name_at(self, text: str, pos: int, token: str) -> tuple[str, bool] | None:
        """(person, written in full) for a name token at `pos`, when it denotes exactly one person."""
        names = self._by_token.get(token)
        if not names:
            return None
        for name in names:
            if text.startswith(name, pos) or text.endswith(name, 0, pos + len(token)):
                return name, True
        if len(names) == 1:
            return next(iter(names)), False
        return None

    def mentions(self, text: str) -> list[str]:
        found: list[str] = []
        if not self._by_token:
            return found
        for m in _TOKEN_RE.finditer(text):
            hit = self._name_at(text, m.start(), m.group(0))
            if hit and hit[0] not in found:
                found.append(hit[0])
        return found

    # -- rewriting ------------------------------------------------------------------------------
    def resolve(self, claim: str, sentence: str, piece_start: int) -> str:
        """The claim with unambiguous references replaced by what they refer to."""
        claim = self._resolve_it(claim)
        claim = self._resolve_pronoun(claim, sentence[:piece_start])
        claim = self._expand_names(claim)
        claim = self._resolve_event(claim)
        claim = self._resolve_groups(claim)
        return claim

    def _resolve_it(self, claim: str) -> str:
        """A claim that opens with "It"/"Its" speaks of the previous sentence's subject when that
        was a thing ("The new ferry terminal ... will open in March. It cost 80 million euros");
        never for a dummy "it" ("It is unclear whether ...")."""
        m = _IT_START.match(claim)
        if m is None or self.previous_subject is None or _DUMMY_IT.match(claim):
            return claim
        subject = self.previous_subject
        subject = subject[0].upper() + subject[1:]
        if m.group(1).lower() == "its":
            return subject + ("\u2019" if subject.endswith("s") else "\u2019s") + claim[m.end(1) :]
        return subject + claim[m.end(1) :]

    def _expand_names(self, claim: str) -> str:
        """"Lee" -> "Lee Jae-myung" when one known person has that first or last name."""
        if not self._by_token:
            return claim
        out: list[str] = []
        last = 0
        for m in _TOKEN_RE.finditer(claim):
            hit = self._name_at(claim, m.start(), m.group(0))
            if hit and not hit[1] and m.group(0) not in _NOT_NAMES:
                out.append(claim[last : m.start()])
                out.append(hit[0])
                last = m.end()
        out.append(claim[last:])
        return "".join(out)

    def _resolve_pronoun(self, claim: str, sentence_before: str) -> str:
        m = _PRONOUN.search(claim)
        if m is None:
            return claim
        in_claim = self.mentions(claim[: m.start()])
        if in_claim:
            return claim  # the claim itself names who the pronoun means
        nearby = self.mentions(sentence_before) or self.previous_people
        if len(nearby) != 1:
            return claim
        name = nearby[0]
        word = m.group(1).lower()
        following = re.match(r"\s+([A-Za-z-]+)", claim[m.end() :])
        possessive = word == "his" or (
            word == "her" and following is not None and following.group(1).lower() not in _NOT_POSSESSED
        )
        replacement = f"{name}'s" if possessive else name
        return claim[: m.start()] + replacement + claim[m.end() :]

    def _resolve_event(self, claim: str) -> str:
        if self.event is None:
            return claim
        host, guest = self.event

        def rewrite(m: re.Match[str]) -> str:
            noun = m.group(2)
            det = "The" if m.group(0)[0].isupper() else "the"
            adjectives = m.group(1)
            host_country = self.people[host].country if host in self.people else None
            if noun in ("visit", "trip") and host_country:
                return f"{det} {adjectives}{noun} by {guest} to {host_country}"
            return f"{det} {adjectives}{noun} between {host} and {guest}"

        return self._rx.event_reference.sub(rewrite, claim)

    def _resolve_groups(self, claim: str) -> str:
        pair = self._event_countries() or self.country_pair
        if pair:
            claim = self._rx.two_countries.sub(lambda m: f"{pair[0]} and {pair[1]}", claim)
        if self.event:
            claim = self._rx.two_people.sub(lambda m: f"{self.event[0]} and {self.event[1]}", claim)
        if self.predecessor:
            claim = _PREVIOUS_GOVERNMENT.sub(
                lambda m: f"{'The' if m.group(0)[0] == 'T' else 'the'} {self.predecessor} {m.group(1)}", claim
            )
        return claim

    def _event_countries(self) -> tuple[str, str] | None:
        if self.event is None:
            return None
        countries = [self.people[p].country if p in self.people else None for p in self.event]
        if countries[0] and countries[1] and countries[0] != countries[1]:
            return countries[0], countries[1]
        return None
