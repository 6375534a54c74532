"""Who holds a role: "Moon Jae-in is President Lee's predecessor" against "His predecessor, Yoon Suk
Yeol, was removed from office". NLI models read such a one-slot substitution as neutral (the
passage never says Moon is *not* the predecessor), but a role of the lexicon's `unique_roles`
(predecessor, successor, capital: one holder per possessor) held by someone else rules the claim out.
The checks compare names as words (hyphenated words whole: "Moon Jae-in" and "Lee Jae-myung" share
none), aliased as the other checks do.

A role mention is (holder, role, possessor) in one of these shapes (names are capitalised word runs;
the role word from the lexicon, optionally after former/immediate/previous, optionally followed by
"as <office>"):

    HOLDER is|was|became [the] POSSESSOR's ROLE        Moon Jae-in is President Lee's predecessor
    HOLDER is|was|became [the] ROLE of POSSESSOR       Seoul is the capital of South Korea
    POSSESSOR's ROLE [as office] is|was|, HOLDER       Lee's predecessor as president was Yoon Suk Yeol
    the ROLE of POSSESSOR [as office] is|was|, HOLDER  the capital of South Korea, Seoul
    HOLDER, POSSESSOR's ROLE | HOLDER, the ROLE of P   Yoon, Lee's predecessor, ...

and with a pronoun for the possessor ("His predecessor, Yoon Suk Yeol"): the pronoun stands for the
one person its sentence names before it, or, when it opens the sentence, the one person the sentence
before names (places aside); a sentence naming several people leaves it unresolved. One finding per
claim mention, against the evidence's mentions of the same role:

- consistent (anchor = the role) when an evidence mention of the same possessor names the same
  holder (a shared name word: "Yoon" ~ "Yoon Suk Yeol");
- inconsistent when an evidence mention of the same possessor names another holder, no word of the
  claim's holder appears anywhere in the passage, and the offices ("as president") do not differ;
- unrelated otherwise (another possessor, no such mention, a negated claim). Every doubt resolves
  to unrelated: a false "inconsistent" flips a verdict to contradicted.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from verify.checks.lexicon import NAME, NOT_NAMES, place_words
from verify.records import CheckFinding
from verify.text.lexicon import Lexicon, current
from verify.text.sentences import sentence_at, sentence_spans
from verify.text.words import STOPWORDS

Span = tuple[int, int]

_PRONOUN = r"[Hh]is|[Hh]er|[Ii]ts|[Tt]heir"
_BE = r"(?:is|was|became|has\s+been|had\s+been)"
_MOD = r"(?:(?:former|immediate|direct|previous|current|new)\s+)?"
_AS = r"(?:\s+as\s+(?P<office>[a-z]+(?:\s+[a-z]+)?))?"


@dataclass(frozen=True)
class RoleMention:
    role: str  # the lexicon's role word
    holder: str
    holder_span: Span
    possessor: str | None  # None: a pronoun ("his predecessor") at `pronoun_at`
    pronoun_at: int | None
    office: str | None  # "as president"


@functools.lru_cache(maxsize=16)
def _patterns(roles: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    role = r"(?P<role>(?i:" + "|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True)) + r"))"
    poss = rf"(?:(?P<poss>{NAME})['’]s|(?P<pron>\b(?:{_PRONOUN})))"
    holder = rf"(?P<holder>{NAME})"
    of_poss = rf"(?:of|to)\s+(?:the\s+)?(?P<poss>{NAME})"
    return tuple(re.compile(p) for p in (
        rf"{holder}\s+{_BE}\s+(?:the\s+)?{poss}\s+{_MOD}{role}\b{_AS}",
        rf"{holder}\s+{_BE}\s+(?:the\s+)?{_MOD}{role}\s+{of_poss}{_AS}",
        rf"{poss}\s+{_MOD}{role}{_AS}(?:\s*,\s*|\s+{_BE}\s+){holder}",
        rf"\b[Tt]he\s+{_MOD}{role}\s+{of_poss}{_AS}(?:\s*,\s*|\s+{_BE}\s+){holder}",
        rf"{holder}\s*,\s*(?:the\s+)?{poss}\s+{_MOD}{role}\b{_AS}",
        rf"{holder}\s*,\s*the\s+{_MOD}{role}\s+{of_poss}{_AS}",
    ))


_WORD_RE = re.compile(r"[A-Za-z]\w*(?:-[A-Za-z]+)*")


def name_words(text: str) -> set[str]:
    """The name words of a name or passage, lower-cased and aliased, hyphenated words whole ("Moon
    Jae-in" -> {moon, jae-in}: Korean given names share syllables), titles and function words left out."""
    aliases = current().name_aliases
    words = (w.lower().removesuffix("'s").rstrip(".") for w in _WORD_RE.findall(text.replace("’", "'")))
    return {aliases.get(w, w) for w in words if w not in NOT_NAMES and w not in STOPWORDS and len(w) > 1}


def role_mentions(text: str) -> tuple[RoleMention, ...]:
    """Every role mention in `text` (a pronoun possessor is resolved when compared: `_possessor`)."""
    return _role_mentions(text, current())


@functools.lru_cache(maxsize=4096)  # a passage is compared with every claim: read it once (per lexicon, as `_analyse`)
def _role_mentions(text: str, lexicon: Lexicon) -> tuple[RoleMention, ...]:
    if not lexicon.unique_roles:
        return ()
    found: dict[Span, RoleMention] = {}
    for rx in _patterns(tuple(lexicon.unique_roles)):
        for m in rx.finditer(text):
            holder = m.group("holder")
            if not name_words(holder):  # "The man is Lee's predecessor": no name to compare
                continue
            poss = m.group("poss")
            if poss is not None and not name_words(poss):
                continue  # "The capital of the region": no name to compare
            span = m.span("holder")
            found.setdefault(span, RoleMention(
                role=m.group("role").lower(), holder=holder, holder_span=span, possessor=poss,
                pronoun_at=None if poss is not None else m.start("pron"), office=m.group("office") or None))
    return tuple(sorted(found.values(), key=lambda r: r.holder_span))


def _only_name(text: str) -> set[str]:
    """The one name `text` mentions besides places (`Lee Jae-myung ... President of South Korea`);
    empty when it names none or several people (`Xi hosted Lee`: whose predecessor is "his"?)."""
    places = place_words(current())
    groups = {frozenset(n) for m in re.finditer(NAME, text) if (n := name_words(m.group(0)) - places)}
    return set(next(iter(groups))) if len(groups) == 1 else set()


def _antecedent(text: str, pos: int) -> set[str]:
    """The name a possessive pronoun at `pos` stands for: the one name of its sentence before it,
    else (the pronoun opens its sentence) the one name of the sentence before."""
    spans = sentence_spans(text)
    lo, _ = sentence_at(spans, pos)
    if text[lo:pos].strip():
        return _only_name(text[lo:pos])
    before = [s for s in spans if s[1] <= lo]
    return _only_name(text[before[-1][0]:before[-1][1]]) if before else set()


def _possessor(mention: RoleMention, text: str) -> set[str]:
    if mention.possessor is not None:
        return name_words(mention.possessor)
    return _antecedent(text, mention.pronoun_at or 0)


def check_roles(claim_text: str, evidence_text: str) -> list[CheckFinding]:
    """One finding per role the claim gives someone (see the module docstring)."""
    findings = []
    claims = role_mentions(claim_text)
    if not claims or re.search(r"\b(?:not|never|no longer)\b", claim_text, re.I):
        return []
    evidence = role_mentions(evidence_text)
    evidence_names = name_words(evidence_text)
    for c in claims:
        owner = _possessor(c, claim_text)
        holder = name_words(c.holder)
        if not owner or not holder:
            continue
        relation, e_span, seen = "unrelated", None, ""
        for e in evidence:
            if e.role != c.role or not owner & _possessor(e, evidence_text):
                continue
            if c.office and e.office and c.office != e.office:
                continue
            theirs = name_words(e.holder)
            if holder <= theirs or theirs <= holder:  # "Yoon" ~ "Yoon Suk Yeol"
                relation, e_span, seen = "consistent", e.holder_span, e.holder
                break
            if not holder & evidence_names:  # the claim's holder is not named anywhere in the passage
                relation, e_span, seen = "inconsistent", e.holder_span, e.holder
        claim_says = f"claim: {c.holder} is the {c.role} of {c.possessor or ' '.join(sorted(owner))}"
        explanation = (f"{claim_says}; evidence: {seen} → {relation}" if e_span
                       else f"{claim_says}; no holder of that role stated for them → unrelated")
        findings.append(CheckFinding(kind="role", relation=relation, explanation=explanation,  # type: ignore[arg-type]
                                     claim_span=c.holder_span, evidence_span=e_span,
                                     anchor=c.role if relation != "unrelated" else None))
    return findings
