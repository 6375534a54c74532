"""Who did what to whom: "Oklahoma City defeated Miami" against "Miami defeated Oklahoma City".

A one-way verb of the lexicon's `one_way_verbs` (families of written forms: defeat ~ beat ~
outscored, acquire ~ bought ~ took over, succeed ~ replaced, host, sue, invade, appoint, overtake:
"A defeated B" and "B defeated A" cannot both describe one event) between two names makes a relation
(agent, verb, patient), active ("Miami beat Oklahoma City", "Miami has acquired Halden") or passive
("Oklahoma City was beaten by Miami"). One finding per claim relation, against the evidence's
relations with the same verb and the same two names:

- consistent (anchor = the verb family) when an evidence relation has the same agent and patient;
- inconsistent when one has them the other way round and none has them as the claim does;
- unrelated otherwise (other names, another verb, a negated claim, a verb that goes both ways such
  as "met"; and, decided in `compare.check_pair`, the other way round on a date that does not
  overlap the claim's: another game or visit). Names compare as the role checks compare them (`roles.name_words`).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from verify.checks.lexicon import NAME
from verify.checks.roles import name_words
from verify.records import CheckFinding
from verify.text.lexicon import Lexicon, current

Span = tuple[int, int]

_AUX = r"(?:(?:has|have|had|will|would|could|did|does|do|is|are|was|were)\s+)?"
_PASSIVE = r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been|will\s+be|being|been)"


@dataclass(frozen=True)
class Relation:
    verb: str  # the lexicon's family ("defeat" for beat, beaten, outscored, ...)
    agent: frozenset[str]
    patient: frozenset[str]
    agent_text: str
    patient_text: str
    span: Span  # agent to patient


@functools.lru_cache(maxsize=16)
def _patterns(verbs: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    out = []
    for verb, forms in verbs:
        alternation = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(set(forms), key=len, reverse=True))
        active = re.compile(rf"(?P<a>{NAME})\s+{_AUX}(?:{alternation})\s+(?:the\s+)?(?P<b>{NAME})")
        passive = re.compile(rf"(?P<b>{NAME})\s+{_PASSIVE}\s+(?:{alternation})\s+by\s+(?:the\s+)?(?P<a>{NAME})")
        out.append((verb, active, passive))
    return tuple(out)


def relations(text: str) -> tuple[Relation, ...]:
    """Every (agent, one-way verb, patient) between two names in `text`."""
    return _relations(text, current())


@functools.lru_cache(maxsize=4096)  # a passage is compared with every claim: read it once (per lexicon, as `_analyse`)
def _relations(text: str, lexicon: Lexicon) -> tuple[Relation, ...]:
    found: dict[Span, Relation] = {}
    for verb, active, passive in _patterns(tuple(sorted(lexicon.one_way_verbs.items()))):
        for rx in (active, passive):
            for m in rx.finditer(text):
                a, b = name_words(m.group("a")), name_words(m.group("b"))
                if not a or not b or a & b:
                    continue
                span = (min(m.start("a"), m.start("b")), max(m.end("a"), m.end("b")))
                found.setdefault(span, Relation(verb, frozenset(a), frozenset(b), m.group("a"), m.group("b"), span))
    return tuple(sorted(found.values(), key=lambda r: r.span))


def _same(x: frozenset[str], y: frozenset[str]) -> bool:
    return x <= y or y <= x  # "Miami" ~ "the Miami Heat"


def check_relations(claim_text: str, evidence_text: str) -> list[CheckFinding]:
    """One finding per one-way relation the claim states (see the module docstring)."""
    claims = relations(claim_text)
    if not claims or re.search(r"\b(?:not|never|no longer|failed\s+to)\b", claim_text, re.I):
        return []
    evidence = relations(evidence_text)
    findings = []
    for c in claims:
        relation, seen = "unrelated", None
        for e in evidence:
            if e.verb != c.verb:
                continue
            if _same(c.agent, e.agent) and _same(c.patient, e.patient):
                relation, seen = "consistent", e
                break
            if _same(c.agent, e.patient) and _same(c.patient, e.agent):
                relation, seen = "inconsistent", e
        says = f"claim: {c.agent_text} {c.verb} {c.patient_text}"
        explanation = (f"{says}; evidence: {seen.agent_text} {seen.verb} {seen.patient_text} → {relation}" if seen
                       else f"{says}; evidence: no such {c.verb} → unrelated")
        findings.append(CheckFinding(kind="relation", relation=relation, explanation=explanation,  # type: ignore[arg-type]
                                     claim_span=c.span, evidence_span=seen.span if seen else None,
                                     anchor=c.verb if relation != "unrelated" else None))
    return findings
