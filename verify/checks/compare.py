"""Comparing what a claim states (amounts, ordinals, dates, durations) with one evidence passage.

Each claim item yields one `CheckFinding`: consistent when some evidence item about the same thing
satisfies it, inconsistent only when every such item clearly excludes it and the evidence is about
the same subject, unrelated otherwise. See the package docstring for the rules."""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from verify.checks.dates import DateMention, Duration, extract_dates, extract_durations
from verify.checks.lexicon import CAPITALISED_WORD, GENERIC_NOUN_FAMILIES, NAME, NOUN_FAMILY_TO_EVENT, event_families, names_in, place_words
from verify.checks.numbers import DIGITS
from verify.checks.places import places_named, same_place
from verify.checks.quantities import Quantity, extract_quantities
from verify.checks.relations import check_relations
from verify.checks.roles import check_roles
from verify.records import CheckFinding
from verify.text.lexicon import MONTHS, WEEKDAYS, Lexicon, current
from verify.text.sentences import sentence_at, sentence_spans
from verify.text.words import WORD_RE, content_lemmas

Relation = Literal["consistent", "inconsistent", "unrelated"]
Span = tuple[int, int]
CONTEXT_WORDS = 6  # words either side of a number that say what it measures
CLAUSE_PENALTY = 60  # characters a clause boundary counts for when finding a date's event word


# ---------------------------------------------------------------------------------------------
# intervals

@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True

    def contains(self, other: Interval) -> bool:
        low_ok = other.low > self.low or (other.low == self.low and (self.low_inclusive or not other.low_inclusive))
        high_ok = other.high < self.high or (other.high == self.high and (self.high_inclusive or not other.high_inclusive))
        return low_ok and high_ok

    def disjoint(self, other: Interval) -> bool:
        def before(a: Interval, b: Interval) -> bool:
            return a.high < b.low or (a.high == b.low and not (a.high_inclusive and b.low_inclusive))
        return before(self, other) or before(other, self)

    def widen(self, by: float) -> Interval:
        return Interval(self.low - by, self.high + by, self.low_inclusive, self.high_inclusive)

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2 if not (math.isinf(self.low) or math.isinf(self.high)) else math.nan

    def holds(self, x: float) -> bool:
        return self.contains(Interval(x, x))


def relate(claim: Interval, evidence: Interval, evidence_vague: bool = False, evidence_slack: float = 0.0) -> Relation:
    """consistent: the evidence value lies inside the claim's interval (or, for vague evidence,
    its middle does); inconsistent: the two cannot overlap even with the evidence's rounding slack."""
    if claim.contains(evidence):
        return "consistent"
    if claim.disjoint(evidence.widen(evidence_slack)):
        return "inconsistent"
    if evidence_vague and not math.isnan(evidence.midpoint) and claim.holds(evidence.midpoint):
        return "consistent"
    return "unrelated"


def rounding_slack(q: Quantity) -> float:
    """Half a unit of the last significant digit of a round figure: "28,500" ±50, "2 million"
    ±100,000 (capped at 5%), "45%" ±0.5, "45.3%" ±0.05. Exact counts under 100 get none."""
    if q.bound != "exact" or q.kind == "ordinal":
        return 0.0
    x = abs(q.value)
    if x == int(x):
        if q.kind in ("count", "number") and x < 100:
            return 0.0
        digits = str(int(x))
        place = 10.0 ** (len(digits) - len(digits.rstrip("0"))) if x else 1.0
    else:
        decimals = re.search(r"\.(\d+)", q.text)
        place = 10.0 ** -(len(decimals.group(1)) if decimals else 0)
    return min(place / 2, 0.05 * x) if x >= 100 else place / 2


def quantity_interval(q: Quantity, slack: float = 0.0) -> Interval:
    return Interval(q.low - slack, q.high + slack, q.low_inclusive, q.high_inclusive)


# ---------------------------------------------------------------------------------------------
# text analysis (cached: a claim is checked against many passages)

@dataclass(frozen=True)
class EventMention:
    family: str
    span: Span


@dataclass(frozen=True)
class Analysis:
    text: str
    quantities: tuple[Quantity, ...]
    dates: tuple[DateMention, ...]
    durations: tuple[Duration, ...]
    events: tuple[EventMention, ...]
    sentences: tuple[Span, ...]
    names: frozenset[str]  # every possible name in the text
    sure_names: frozenset[str]  # capitalised words inside sentences

    def sentence(self, pos: int) -> Span:
        return sentence_at(self.sentences, pos)

    def sentence_names(self, pos: int) -> tuple[frozenset[str], frozenset[str]]:
        """(sure, all) names of the sentence at `pos`; a sentence without any ("He was sworn in
        ...") speaks of the passage's subject, so the passage's names stand in."""
        lo, hi = self.sentence(pos)
        sure, every = names_in(self.text[lo:hi], skip_possessive=True)
        if not every:
            return self.sure_names, self.names
        return frozenset(sure), frozenset(every)

    def nearest_event(self, span: Span) -> str | None:
        """The event family mentioned closest to `span` within its sentence."""
        lo, hi = self.sentence(span[0])
        best: tuple[int, str] | None = None
        for ev in self.events:
            if ev.span[0] < lo or ev.span[1] > hi or (ev.span[0] < span[1] and span[0] < ev.span[1]):
                continue
            between = self.text[span[1]:ev.span[0]] if ev.span[0] >= span[1] else self.text[ev.span[1]:span[0]]
            # a comma or semicolon usually ends the clause: prefer the event word on the date's side of it
            gap = len(between) + CLAUSE_PENALTY * len(re.findall(r"[,;:()—–]", between))
            if best is None or gap < best[0]:
                best = (gap, ev.family)
        return best[1] if best else None

    def qualifiers(self, q: Quantity) -> set[str]:
        """The word before a number, modifiers between it and its noun, and the first content word
        after the noun: "arrested 100 people", "100 injured people", "100 people were injured"."""
        if q.noun_span is None:
            return set()
        lo, hi = self.sentence(q.span[0])
        before = [m.group(0) for m in WORD_RE.finditer(self.text, lo, q.span[0])][-1:]
        words = content_lemmas(" ".join(before) + " " + self.text[q.span[1]:q.noun_span[0]])
        after = [w for m in WORD_RE.finditer(self.text, q.noun_span[1], hi) if (w := content_lemmas(m.group(0)))]
        return words | (after[0] if after else set())

    def direction(self, span: Span) -> str | None:
        """"up" / "down" when a change verb stands within a few words before a number ("revenue
        rose 12 percent", "fell 3 percent to 2.1 billion"); None when there is none or both."""
        lo, _ = self.sentence(span[0])
        words = [m.group(0).lower() for m in WORD_RE.finditer(self.text, lo, span[0])][-4:]
        found = {d for w in words for d, verbs in DIRECTION_WORDS.items() if w in verbs}
        return found.pop() if len(found) == 1 else None

    def context(self, span: Span) -> set[str]:
        """Content lemmas within CONTEXT_WORDS words of `span`, inside its sentence."""
        lo, hi = self.sentence(span[0])
        left = [m.group(0) for m in WORD_RE.finditer(self.text, lo, span[0])][-CONTEXT_WORDS:]
        right = [m.group(0) for m in WORD_RE.finditer(self.text, span[1], hi)][:CONTEXT_WORDS]
        return content_lemmas(" ".join(left + right))


def analyse(text: str, anchor: dt.date | None) -> Analysis:
    return _analyse(text, anchor, current())


@functools.lru_cache(maxsize=4096)  # keyed on the lexicon in use too: a user lexicon changes names and nouns
def _analyse(text: str, anchor: dt.date | None, lexicon: Lexicon) -> Analysis:
    events = tuple(
        sorted((EventMention(fam, m.span()) for fam, rx in event_families(lexicon).items() for m in rx.finditer(text)), key=lambda e: e.span)
    )
    return Analysis(
        text=text,
        quantities=tuple(extract_quantities(text, anchor)),
        dates=tuple(extract_dates(text, anchor)),
        durations=tuple(extract_durations(text)),
        events=events,
        sentences=tuple(sentence_spans(text)),
        names=frozenset(names_in(text)[1]),
        sure_names=frozenset(names_in(text)[0]),
    )


_OPENING_NAME_RE = re.compile(rf"[\s\"“(]*({CAPITALISED_WORD}(?:\s+{CAPITALISED_WORD})+)")


def sentence_subject(evidence: Analysis, evidence_pos: int) -> frozenset[str]:
    """The names of the name that opens the evidence sentence when it surely is one (two or more
    capitalised words: "Halden Networks, a rival of Corvale Systems, said its revenue fell ..."),
    places and titles left out; empty when the sentence opens otherwise ("Revenue rose ...")."""
    lo, hi = evidence.sentence(evidence_pos)
    m = _OPENING_NAME_RE.match(evidence.text, lo, hi)
    if not m:
        return frozenset()
    # a sentence opening with a place ("The United States keeps ...") is not about another subject
    return frozenset(names_in(m.group(1))[1] - place_words(current()))


def same_subject(claim: Analysis, evidence: Analysis, evidence_pos: int) -> bool:
    """False when the claim names someone or something, the evidence sentence surely names
    someone, and they share no name ("Lee" vs "Yoon Suk Yeol"), or when the sentence opens with a
    name the claim never mentions: its numbers and dates are that one's ("Halden Networks, a rival
    of Corvale Systems, said its revenue fell 3 percent" says nothing about Corvale's); True otherwise."""
    if not claim.names:
        return True
    sure, every = evidence.sentence_names(evidence_pos)
    subject = sentence_subject(evidence, evidence_pos)
    if subject and not subject & claim.names:
        return False
    # a shared name must be a sure name on one side: "Exports ..." at two sentence starts is no name
    return bool(claim.sure_names & every) or bool(claim.names & sure) or not sure


_PLACE_RE = re.compile(r"\b(?:in|at|to|from|near|visit|visits|visited|visiting)\s+(?:the\s+)?((?:[A-Z][\w-]*\s?)+)")
_ROLE_RE = re.compile(
    r"\b(president|prime\s+minister|minister|governor|mayor|chancellor|premier|senator|lawmaker|"
    r"chairman|chair|ceo|secretary|speaker|king|queen|emperor|chief)\b",
    re.IGNORECASE,
)
DIRECTION_WORDS = {
    "up": {"rose", "rise", "rises", "risen", "grew", "grow", "grows", "grown", "increased", "increase", "increases",
           "gained", "gain", "gains", "jumped", "jumps", "climbed", "climbs", "soared", "soars", "up", "higher"},
    "down": {"fell", "fall", "falls", "fallen", "dropped", "drop", "drops", "declined", "decline", "declines",
             "decreased", "decrease", "decreases", "shrank", "shrink", "shrinks", "slumped", "slid", "down", "lower"},
}
SHARED_SPECIFICS = 3  # words beyond names and event words that make two repeatable events one occasion


def same_time(claim: Analysis, evidence: Analysis, evidence_pos: int) -> bool:
    """False when the claim and the evidence sentence both carry dates and none overlap:
    "8 agreements in 2019" says nothing against "14 agreements in 2025"."""
    claim_dates = [d for d in claim.dates if d.resolved]
    lo, hi = evidence.sentence(evidence_pos)
    evidence_dates = [d for d in evidence.dates if d.resolved and lo <= d.span[0] < hi]
    if not claim_dates or not evidence_dates:
        return True
    return any(not _date_interval(c).disjoint(_date_interval(e)) for c in claim_dates for e in evidence_dates)


def same_occasion(claim: Analysis, claim_span: Span, evidence: Analysis, evidence_pos: int) -> bool:
    """For repeatable events: the evidence sentence names a place the claim names ("in Gyeongju"),
    or shares two specific words with it beyond names, dates and event words."""
    lo, hi = evidence.sentence(evidence_pos)
    sentence = evidence.text[lo:hi]
    places = {current().name_aliases.get(w, w) for m in _PLACE_RE.finditer(claim.text) for w in m.group(1).lower().split()}
    if places & set(names_in(sentence)[1]):
        return True
    shared = _specifics(_without(claim.text, claim_span), claim.names) & _specifics(sentence, evidence.names)
    return len(shared) >= SHARED_SPECIFICS


def same_role(claim: Analysis, evidence: Analysis, evidence_pos: int) -> bool:
    """"took office as governor" is another office than "President Lee took office"."""
    lo, hi = evidence.sentence(evidence_pos)
    claim_roles = {" ".join(m.group(1).lower().split()) for m in _ROLE_RE.finditer(claim.text)}
    evidence_roles = {" ".join(m.group(1).lower().split()) for m in _ROLE_RE.finditer(evidence.text[lo:hi])}
    return not claim_roles or not evidence_roles or bool(claim_roles & evidence_roles)


def _specifics(text: str, names: frozenset[str]) -> set[str]:
    for rx in event_families(current()).values():
        text = rx.sub(" ", text)
    return {w for w in content_lemmas(text) if w not in names and w not in NOUN_FAMILY_TO_EVENT}


# ---------------------------------------------------------------------------------------------
# findings

def _finding(kind: str, relation: Relation, explanation: str, claim_span: Span, evidence_span: Span | None,
             anchor: str | None = None) -> CheckFinding:
    return CheckFinding(kind=kind, relation=relation, explanation=explanation, claim_span=claim_span,  # type: ignore[arg-type]
                        evidence_span=evidence_span, anchor=anchor if relation != "unrelated" else None)


# (relation, evidence description, evidence span, anchor: the counted noun / event both sides are about, or None)
Candidate = tuple[Relation, str, Span, "str | None"]


def _best(candidates: list[Candidate], kind: str, claim_span: Span, claim_text: str, missing: str) -> CheckFinding:
    """One finding from the candidate comparisons: any consistent wins (one tied to the same counted
    noun or event first), then inconsistent."""
    for wanted in ("consistent", "inconsistent", "unrelated"):
        found = [c for c in candidates if c[0] == wanted]
        for relation, evidence_text, evidence_span, anchor in sorted(found, key=lambda c: c[3] is None):
            return _finding(kind, relation, f"claim: {claim_text}; evidence: {evidence_text} → {relation}", claim_span,
                            evidence_span, anchor)
    return _finding(kind, "unrelated", f"claim: {claim_text}; evidence: {missing} → unrelated", claim_span, None)


def _match_strength(c: Quantity, e: Quantity, claim: Analysis, evidence: Analysis) -> str | None:
    """"strong" when both count the same thing (noun family, or same unit and shared context words),
    "weak" when only the context suggests it; None when they measure different things."""
    if {c.kind, e.kind} & {"money", "percent"} and (c.kind != e.kind or c.unit != e.unit):
        return None  # money only with money in the same currency, percent only with percent
    if e.kind == "ordinal":
        return None
    c_family, e_family = current().noun_family(c.noun), current().noun_family(e.noun)
    if c.kind in ("count",) and e.kind == "count":
        if c_family != e_family:
            return None
        if _extra_modifiers(e, evidence) - content_lemmas(claim.text):
            return None  # "three supply agreements" count other things than "ten agreements"
        if c_family in GENERIC_NOUN_FAMILIES:  # "people": the words at the noun say which people
            return "strong" if claim.qualifiers(c) & evidence.qualifiers(e) else "weak"
        return "strong"
    if c.kind in ("percent", "money") and c_family and e_family:
        return "strong" if c_family == e_family else None
    shared = claim.context(c.span) & evidence.context(e.span)
    if c.kind in ("percent", "money"):
        return "strong" if shared else None
    if c.kind == "count" and e.kind == "number":
        return "weak" if c_family in evidence.context(e.span) else None
    return "weak" if shared else None


def _extra_modifiers(q: Quantity, analysis: Analysis) -> set[str]:
    """Lower-case content words between a number and its noun: "three *supply* agreements" (a
    capitalised "28,500 *American* soldiers" only says whose)."""
    if q.noun_span is None:
        return set()
    between = analysis.text[q.span[1]:q.noun_span[0]]
    return content_lemmas(" ".join(w for w in between.split() if not w[:1].isupper()))


def check_quantities(claim: Analysis, evidence: Analysis) -> list[CheckFinding]:
    findings: list[CheckFinding] = []
    for c in claim.quantities:
        if c.kind == "ordinal":
            continue
        c_interval = quantity_interval(c, rounding_slack(c))
        candidates: list[Candidate] = []
        for e in evidence.quantities:
            strength = _match_strength(c, e, claim, evidence)
            if strength is None:
                continue
            relation = relate(c_interval, quantity_interval(e), e.approx, rounding_slack(e))
            c_dir, e_dir = claim.direction(c.span), evidence.direction(e.span)
            if relation == "consistent" and c.kind == "percent" and c_dir and e_dir and c_dir != e_dir:
                relation = "inconsistent"  # "fell 12 percent" against "rose 12 percent"
            if relation == "inconsistent" and (
                strength == "weak" or not same_subject(claim, evidence, e.span[0]) or not same_time(claim, evidence, e.span[0])
            ):
                relation = "unrelated"
            if relation == "consistent" and not same_subject(claim, evidence, e.span[0]):
                relation = "unrelated"
            # a "weak" match (a bare number near shared words) is not about a named thing: it never supports
            anchor = (current().noun_family(c.noun) or c.noun or c.unit or c.kind) if strength == "strong" else None
            candidates.append((relation, e.describe(), e.span, anchor))
        findings.append(_best(candidates, "numeric", c.span, c.describe(), "no matching quantity"))
    return findings


def _event_dates(evidence: Analysis, family: str) -> list[DateMention]:
    """Resolved evidence dates whose nearest event word belongs to `family`, one per distinct interval."""
    seen: dict[tuple[dt.date, dt.date], DateMention] = {}
    for d in evidence.dates:
        if d.resolved and evidence.nearest_event(d.span) == family:
            seen.setdefault((d.start, d.end), d)  # type: ignore[arg-type]
    return sorted(seen.values(), key=lambda d: d.start)  # type: ignore[arg-type, return-value]


def check_ordinals(claim: Analysis, evidence: Analysis) -> list[CheckFinding]:
    """"second summit": consistent with "second meeting", "two summits" or two dated meetings;
    inconsistent with "third meeting". "first …" in the evidence never contradicts: it usually
    describes the earlier event."""
    findings: list[CheckFinding] = []
    for c in claim.quantities:
        if c.kind != "ordinal":
            continue
        family = current().noun_family(c.noun)
        anchor = family or c.noun
        candidates: list[Candidate] = []
        for e in evidence.quantities:
            if current().noun_family(e.noun) != family or not same_subject(claim, evidence, e.span[0]):
                continue
            if e.kind == "ordinal":
                if e.value == c.value:
                    candidates.append(("consistent", e.describe(), e.span, anchor))
                elif e.value != 1 and same_time(claim, evidence, e.span[0]):
                    candidates.append(("inconsistent", e.describe(), e.span, anchor))
            elif e.kind == "count" and e.bound == "exact" and e.value == c.value:
                candidates.append(("consistent", e.describe(), e.span, anchor))
        event = NOUN_FAMILY_TO_EVENT.get(family or "")
        if event:
            dated = _event_dates(evidence, event)
            if len(dated) == int(c.value) and dated and same_subject(claim, evidence, dated[-1].span[0]):
                listed = ", ".join(d.text for d in dated)
                candidates.append(("consistent", f"{len(dated)} dated {event}s ({listed})", dated[-1].span, event))
        findings.append(_best(candidates, "ordinal", c.span, c.describe(), f"no count of {c.noun_text}s"))
    return findings


# "in Staten Island, New York City": the place and up to two qualifiers (a city, a region, a country)
_IN_PLACE_RE = re.compile(r"\b(?:in|at)\s+(?:the\s+(?:city|town|port)\s+of\s+)?(?P<place>" + NAME + ")"
                          r"(?P<within>(?:,\s*" + NAME + "){0,2})")
PLACE_DATE_DAYS = 31  # a claim date coarser than a month may hold several occasions of a repeatable event
_NOT_PLACES = frozenset(MONTHS) | frozenset(WEEKDAYS)


def _place_mentions(a: Analysis) -> list[tuple[str, Span, tuple[str, ...]]]:
    """"in|at <Name>[, <Name>[, <Name>]]": each place of a text with the places its qualifiers name
    ("in March", "in Monday's vote" are dates, not places)."""
    return [(m.group("place"), m.span("place"), tuple(q.strip() for q in m.group("within").split(",") if q.strip()))
            for m in _IN_PLACE_RE.finditer(a.text) if m.group("place").split()[0].lower().rstrip(".") not in _NOT_PLACES]


def _sentence_dates(a: Analysis, pos: int) -> list[DateMention]:
    lo, hi = a.sentence(pos)
    return [d for d in a.dates if d.resolved and lo <= d.span[0] < hi]


def check_places(claim: Analysis, evidence: Analysis) -> list[CheckFinding]:
    """"met on the sidelines of the APEC summit in Busan last November" against "held their first
    summit on 1 November 2025 ... in Gyeongju": the place of one dated occasion of an event. A claim
    place the gazetteer knows, with its event word and a date in its sentence, is a slot. An evidence
    place counts when its sentence holds the same event and the same subject: the same place (the
    gazetteer, `places.same_place`) on an overlapping date → consistent; surely different cities on a
    date inside the claim's (at most a month for a repeatable event: a year holds many meetings, one
    birth), the claim's place neither in that sentence nor a place of anything in the passage ("not
    held in Seoul or Busan" may name it) → inconsistent; else (a country or state that may
    hold the other, a venue the gazetteer lacks, another occasion) unrelated."""
    findings: list[CheckFinding] = []
    mentions = None  # the evidence's places, read once the claim has a place slot
    for name, span, _ in _place_mentions(claim):
        family = claim.nearest_event(span)
        dates = _sentence_dates(claim, span[0])
        if family is None or not dates or not places_named(name):
            continue
        mentions = _place_mentions(evidence) if mentions is None else mentions
        c_intervals = [_date_interval(d) for d in dates]
        # one occasion: a birth or a founding happens once, a meeting again and again (then within a month)
        narrow = [_date_interval(d) for d in dates if family not in current().repeatable_events
                  or d.start and d.end and (d.end - d.start).days < PLACE_DATE_DAYS]
        candidates: list[Candidate] = []
        named = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        # the passage gives the claim's place an occasion of its own ("... and later in Busan"): no contradiction
        elsewhere = any(same_place(name, place) for first, _, within in mentions for place in (first, *within))
        for other, e_span, within in mentions:
            if evidence.nearest_event(e_span) != family or not same_subject(claim, evidence, e_span[0]):
                continue
            e_intervals = [_date_interval(e) for e in _sentence_dates(evidence, e_span[0])]
            # "Staten Island, New York City" is New York City too; "Gyeongju, South Korea" no other city
            same = True if any(same_place(name, q) for q in within) else same_place(name, other)
            if same and any(not c.disjoint(e) for c in c_intervals for e in e_intervals):
                candidates.append(("consistent", other, e_span, family))
            elif (same is False and not elsewhere and any(c.contains(e) for c in narrow for e in e_intervals)
                  and not named.search(evidence.text, *evidence.sentence(e_span[0]))):
                candidates.append(("inconsistent", other, e_span, family))
        findings.append(_best(candidates, "place", span, f"{family} in {name}", "no place of that occasion"))
    return findings


def _date_interval(d: DateMention) -> Interval:
    assert d.start and d.end
    return Interval(float(d.start.toordinal()), float(d.end.toordinal()))


def check_dates(claim: Analysis, evidence: Analysis) -> list[CheckFinding]:
    """A claim date is compared with evidence dates tied to the same kind of event (nearest event
    word: "took office" ~ "sworn in"). Without an event word only agreement can be shown, by
    evidence dates in sentences that share two content words with the claim."""
    findings: list[CheckFinding] = []
    for c in claim.dates:
        if not c.resolved:
            findings.append(_finding("date", "unrelated", f"claim: {c.describe()}; cannot resolve → unrelated", c.span, None))
            continue
        family = claim.nearest_event(c.span)
        label = f"'{c.text}' ({c.describe()}{', ' + family if family else ''})"
        c_interval = _date_interval(c)
        candidates: list[Candidate] = []
        claim_words = content_lemmas(_without(claim.text, c.span))
        for e in evidence.dates:
            if not e.resolved:
                continue
            e_desc = f"'{e.text}' ({e.describe()})"
            relation = relate(c_interval, _date_interval(e))
            if not same_subject(claim, evidence, e.span[0]):
                continue
            if family and evidence.nearest_event(e.span) == family:
                if not same_role(claim, evidence, e.span[0]):
                    continue
                if relation == "inconsistent" and family in current().repeatable_events and not same_occasion(claim, c.span, evidence, e.span[0]):
                    relation = "unrelated"  # another meeting / visit / signing, not the claimed one
                candidates.append((relation, e_desc, e.span, family))
            elif family is None and relation == "consistent":
                lo, hi = evidence.sentence(e.span[0])
                if len(claim_words & content_lemmas(_without(evidence.text[lo:hi], (e.span[0] - lo, e.span[1] - lo)))) >= 2:
                    candidates.append(("consistent", e_desc, e.span, None))  # shared words only: no event to tie it to
        findings.append(_best(candidates, "date", c.span, label, "no date for the same event"))
    return findings


def _without(text: str, span: Span) -> str:
    return text[: span[0]] + " " + text[span[1]:]


def _gap_days(a: DateMention, b: DateMention) -> Interval:
    assert a.start and a.end and b.start and b.end
    low = max(0, (b.start - a.end).days)
    return Interval(float(low), float((b.end - a.start).days))


def check_durations(claim: Analysis, evidence: Analysis) -> list[CheckFinding]:
    """"second meeting in two months": the time between the two dated events of the same family in
    the evidence (or a duration the evidence states for them) must fall in the claimed span."""
    findings: list[CheckFinding] = []
    for c in claim.durations:
        family = claim.nearest_event(c.span) or _ordinal_event(claim)
        c_interval = Interval(c.low_days, c.high_days)
        label = c.describe()
        if family is None:
            findings.append(_finding("duration", "unrelated", f"claim: {label}; no event to measure → unrelated", c.span, None))
            continue
        candidates: list[Candidate] = []
        for e in evidence.durations:
            if evidence.nearest_event(e.span) == family and same_subject(claim, evidence, e.span[0]):
                e_interval = Interval(e.low_days, e.high_days)
                candidates.append((relate(c_interval, e_interval, evidence_vague=True), e.describe(), e.span, family))
        dated = _event_dates(evidence, family)
        if len(dated) >= 2 and same_subject(claim, evidence, dated[-1].span[0]):
            pairs = list(itertools.pairwise(dated))
            results = [(relate(c_interval, _gap_days(a, b), evidence_vague=True), a, b) for a, b in pairs]
            # several gaps: one that fits is agreement; a contradiction needs the only gap there is
            for relation, a, b in results:
                if relation == "inconsistent" and len(pairs) > 1:
                    relation = "unrelated"
                gap = _gap_days(a, b)
                days = f"{gap.low:.0f}" if gap.low == gap.high else f"{gap.low:.0f}–{gap.high:.0f}"
                candidates.append((relation, f"'{a.text}' → '{b.text}' = {days} days", (a.span[0], b.span[1]), family))
        findings.append(_best(candidates, "duration", c.span, label, f"no two dated {family} events"))
    return findings


def _ordinal_event(claim: Analysis) -> str | None:
    for q in claim.quantities:
        if q.kind == "ordinal":
            event = NOUN_FAMILY_TO_EVENT.get(current().noun_family(q.noun) or "")
            if event:
                return event
    return None


# ---------------------------------------------------------------------------------------------
# public API

def check_pair(
    claim: str,
    evidence: str,
    doc_date: dt.date | None = None,
    evidence_date: dt.date | None = None,
) -> list[CheckFinding]:
    """Findings for every quantity, ordinal, date, duration, place, role holder and one-way relation the
    claim states, compared with the evidence passage. `doc_date` anchors the claim's relative dates, `evidence_date` the passage's."""
    roles = check_roles(claim, evidence) + check_relations(claim, evidence)
    c = analyse(claim, doc_date)
    if not (c.quantities or c.dates or c.durations):
        return roles
    e = analyse(evidence, evidence_date)
    timed = check_dates(c, e) + check_durations(c, e)
    if _FUTURE.search(claim):
        # what will happen is not contradicted by the dates of what has happened
        def past(f: CheckFinding) -> bool:
            lo, hi = e.sentence(f.evidence_span[0]) if f.evidence_span else (0, len(evidence))
            return not _FUTURE.search(evidence[lo:hi])

        timed = [f.model_copy(update={"relation": "unrelated", "explanation": f.explanation.replace(
            "→ inconsistent", "→ unrelated (the claim is about the future)")})
                 if f.relation == "inconsistent" and past(f) else f for f in timed]
    # a relation the other way round on another date is another game or visit, not a contradiction
    roles = [f.model_copy(update={"relation": "unrelated", "anchor": None, "explanation": f.explanation.replace(
        "→ inconsistent", "(another date) → unrelated")})
             if f.kind == "relation" and f.relation == "inconsistent" and f.evidence_span
             and not same_time(c, e, f.evidence_span[0]) else f for f in roles]
    findings = check_quantities(c, e) + check_ordinals(c, e) + timed + check_places(c, e) + roles
    return sorted(findings, key=lambda f: f.claim_span or (0, 0))


_FUTURE = re.compile(r"\b(?:will|shall|(?:is|are) (?:expected|set|scheduled|due|planning|going) to|plans? to|intends? to)\b", re.I)


def summarize(findings: Iterable[CheckFinding]) -> Literal["consistent", "inconsistent", "none"]:
    """One decision for a pair, from the relations alone: any inconsistent finding wins, then any
    consistent one. `combine` is the stricter form the verdict uses."""
    relations = {f.relation for f in findings}
    if "inconsistent" in relations:
        return "inconsistent"
    if "consistent" in relations:
        return "consistent"
    return "none"


def combine(claim: str, findings: Iterable[CheckFinding]) -> Literal["consistent", "inconsistent", "none"]:
    """One decision for a (claim, passage) pair, slot by slot (a slot = one quantity, date, duration
    or ordinal the claim states):

    - inconsistent when any slot is clearly contradicted: a match on another slot never outweighs it
      ("won 33 seats with 60 members" against 41 seats of 60);
    - consistent only when EVERY slot is matched, at least one by evidence about the same counted
      noun or event (`anchor`; a date without an event word fills its slot but cannot alone support), and the claim holds no number the parser left out ("33 of the 60 seats": a
      partitive is no quantity, so matching "60 seats" alone says nothing about 33);
    - none otherwise ("80,000 homes" unmatched while "140 km/h" matched)."""
    findings = list(findings)
    if any(f.relation == "inconsistent" for f in findings):
        return "inconsistent"
    slots = {f.claim_span for f in findings}
    anchored = {f.claim_span for f in findings if f.relation == "consistent" and f.anchor}
    # a date found in a sentence sharing the claim's words fills its slot, but cannot alone support
    confirmed = anchored | {f.claim_span for f in findings if f.relation == "consistent" and f.kind == "date"}
    if not anchored or slots - confirmed:
        return "none"
    covered = [f.claim_span for f in findings if f.claim_span]
    for m in _DIGITS_RE.finditer(claim):  # number words are left alone: "the two nations" is no slot
        if not any(a <= m.start() and m.end() <= b for a, b in covered):
            return "none"
    return "consistent"


_DIGITS_RE = re.compile(DIGITS)


