"""Claim type and check-worthiness, from surface cues.

Type: the most specific kind of checkable content wins (numeric > temporal > quote > entity);
"opinion" only when the claim is evaluative and carries no number or date.

Check-worthiness is a small ordered rule set; the first rule that fires gives the decision and
its reason (it never drops a claim: page furniture is removed earlier, by layout, see layout.py):

1. headline (layout: an unpunctuated line that heads body text) -> not check-worthy, "headline"
2. a question -> not check-worthy, "question"
3. attribution ("X said ...", "according to X", "reportedly"):
   - the reported content is a judgement and the source is vague ("critics say the region has
     never been better governed", "analysts suggest ...") -> not check-worthy, "opinion": the
     article voices a judgement through unnamed people
   - the content is a judgement and the source is named -> not check-worthy, "attribution"
     (attribution of opinion: only that X said it could be checked)
   - the content is a concrete fact -> check-worthy, "attribution"
4. an evaluative predicate ("is particularly significant", "has had an eventful year", "should")
   or several evaluative words with no number or date -> not check-worthy, "opinion"
5. speculation ("could", "may", "might", "appears to") -> not check-worthy, "speculation"
6. a forecast ("will", "is expected to", "plans to") -> check-worthy, "forecast"
7. otherwise a plain statement of fact -> check-worthy, no reason.

Measured on a labelled set of sentences: `verify bench checkworthiness`
(benchmarks/results/checkworthiness.md).
"""
from __future__ import annotations

import re

from ..records import ClaimType
from ..text.lexicon import month_pattern, weekday_pattern

_MONTH = month_pattern()
_WEEKDAY = weekday_pattern()
# Calendar expressions: removed before looking for numbers, so "March 3, 2025" is temporal only.
DATE_EXPRESSION = re.compile(
    rf"\b{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:early|mid|late)[- ]\d{4}s?\b"
    r"|\b(?:fiscal\s+)?(?:1[5-9]|20)\d{2}s?\b"
    rf"|\b{_WEEKDAY}\b"
)
_TEMPORAL_WORDS = re.compile(
    r"\b(?:yesterday|today|tomorrow|tonight|decade|century|quarter|Q[1-4]"
    r"|(?:last|next|this|past|coming|previous)\s+(?:week|month|year|weekend|spring|summer|autumn|fall|winter)"
    r"|(?:days?|weeks?|months?|years?)\s+(?:ago|later|earlier))\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|double|doubled|triple|tripled|twice"
    r"|percent|per cent)\b"
    # an ordinal after a determiner ("the second summit"), not the adverb ("first announced")
    r"|\b(?:the|this|that|a|its|their|his|her|our)\s+(?:first|second|third|fourth|fifth|sixth|seventh|eighth"
    r"|ninth|tenth)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"\u201c][^\"\u201c\u201d]{2,}[\"\u201d]")
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|stated|states|added|adds|noted|notes|indicated|indicates|announced"
    r"|explained|commented|remarked|wrote|writes|declared|insisted|argued|argues|claimed|claims"
    r"|called|described|according to)\b",
    re.IGNORECASE,
)

# Evaluative predicates: the sentence's point is a judgement, not a checkable fact.
_STRONG_OPINION = re.compile(
    r"\b(?:signals?|signaled|signalled)\s+(?:a|an|the|that)\b"
    r"|\b(?:nearly|almost|virtually)\s+unprecedented\b|\bparticularly\s+\w+\b|\bcalculated\s+move\b"
    r"|\bdeliberate\s+effort\b|\bbalancing\s+act\b|\breminder\b|\b(?:is|are|was|were)\s+eager\s+to\b"
    r"|\bsuggests?\s+that\b|\btestament\s+to\b|\bunderscores?\b|\bgame[- ]changer\b|\bbackdrop\b"
    r"|\b(?:thrilled|delighted|excited|proud|pleased|honou?red)\s+(?:to|by|with|that)\b"
    r"|\bI\s+(?:think|believe|feel)\b|\bin\s+(?:my|our)\s+(?:view|opinion)\b"
    r"|\b(?:the\s+)?best\s+in\s+the\b|\bworld[- ]class\b|\bshould\b|\bmust\b|^(?:What\s+an?|How)\b[^?]*!\W*$"
    r"|\b(?:has|have|had)\s+(?:had\s+)?(?:a|an)\s+(?:very\s+|truly\s+|particularly\s+)?(?:eventful|difficult|tough|good"
    r"|bad|great|busy|remarkable|successful|disappointing|turbulent|challenging|rough|terrible|wonderful|memorable)\s+"
    r"(?:year|week|month|season|time|period|decade|day|summer|winter|quarter|run)\b"
    r"|\bnever\s+been\s+(?:better|worse|more|less|so|as)\b|\b(?:better|worse)\s+(?:governed|managed|run|off)\b"
    r"|\b(?:is|are|was|were|has\s+been|have\s+been)\s+(?:a\s+|an\s+)?(?:(?:complete|total|huge|great|real)\s+)?(?:disaster"
    r"|failure|success|mistake|scandal|triumph|shame|disgrace|fiasco|masterpiece|blunder)\b"
    r"|\b(?:is|are|was|were)\s+(?:(?:very|so|truly|deeply|simply)\s+)?(?:good|bad|great|terrible|wonderful|excellent|awful"
    r"|disappointing|impressive|encouraging|worrying|troubling|alarming|outrageous|unacceptable|welcome|misguided"
    r"|reckless|irresponsible|shameful|brilliant|unfair|wrong|right|beautiful|ugly|boring|exciting|fascinating)\b",
    re.IGNORECASE,
)
_WEAK_OPINION = re.compile(
    r"\b(?:landmark|historic|significant|major|strategic|dramatic|soaring|deepening|hawkish|delicate"
    r"|volatile|critical|vital|symbolic|remarkable|unprecedented|important|crucial|innovative|leading"
    r"|exceptional|cutting-edge|robust|groundbreaking|compelling|promising|subtle|sheer|clear|eventful|impressive"
    r"|disappointing|excellent|outstanding|stunning|brilliant|terrible|awful|wonderful|controversial|bold|ambitious"
    r"|welcome|worrying|troubling|alarming|encouraging|disastrous|successful|better|worse|best|worst)\b",
    re.IGNORECASE,
)
# "may" is speculation only in lower case: "May 2025" is a month.
_SPECULATION = re.compile(
    r"\b(?:could|might|would|potentially|possibly|perhaps|probably|likely|unlikely|reportedly\s+considering)\b"
    r"|\bmay\b|\b(?:appears?|seems?)\s+to\b",
)
_FORECAST = re.compile(
    r"\b(?:will|shall|(?:is|are|was|were)\s+(?:expected|set|scheduled|due|poised|projected|slated)\b"
    r"|plans?\s+to|expects?|forecasts?|upcoming)\b",
    re.IGNORECASE,
)
# A recommendation or an open question about the future: "larger trials are needed", "Whether ...".
_RECOMMENDATION = re.compile(
    r"\b(?:further|more|larger|additional|future)\s+(?:\w+\s+){0,3}(?:is|are|will\s+be)\s+(?:needed|required|warranted)\b"
    r"|\b(?:is|are)\s+(?:needed|required)\s+to\s+(?:further\s+)?(?:confirm|establish|determine|clarify)\b|^Whether\b",
    re.IGNORECASE,
)
_HEDGED_REPORT = re.compile(r"\b(?:reportedly|according\s+to|allegedly|purportedly)\b", re.IGNORECASE)
_ATTRIBUTION_VERB = re.compile(
    r"\b(?:said|says|say|told|tells|stated|added|noted|indicated|announced|suggested|suggests?|believes?"
    r"|believed|argued|argues?|claimed|claims?|warned|warns?|insisted|declared|explained|think|thinks"
    r"|hopes?|hoped|fears?|feared|blames?|blamed|worry|worries|worried|feel|feels|felt"
    r"|called|calls|call|described|describes|describe|praised|praises|hailed|hails|condemned|condemns"
    r"|critici[sz]ed|critici[sz]es|slammed|slams|dismissed|dismisses|regards?|regarded)\b",
    re.IGNORECASE,
)
# Verbs that report a judgement whatever follows: "called the decision a betrayal", "hope it will".
_JUDGEMENT_VERB = re.compile(
    r"\b(?:hopes?|hoped|fears?|feared|blames?|blamed|worry|worries|worried|feel|feels|felt|believes?|believed"
    r"|think|thinks|praised|praises|hailed|hails|condemned|condemns|critici[sz]ed|critici[sz]es|slammed|slams"
    r"|dismissed|dismisses|regards?|regarded|describes?|described|calls?|called)\b",
    re.IGNORECASE,
)
# Clearly subjective words: one is enough when the sentence has no number or date to check.
_SUBJECTIVE = re.compile(
    r"\b(?:magnificent|brilliant|wonderful|flawless|superb|splendid|marvell?ous|fantastic|amazing|awesome|excellent"
    r"|outstanding|stunning|breathtaking|beautiful|charming|lovely|gorgeous|ugly|miserable|dreadful|terrible|awful"
    r"|horrible|appalling|absurd|ridiculous|shameful|disgraceful|disgrace|outrageous|scandalous|insult|betrayal|menace"
    r"|triumph|masterpiece|fiasco|generous|stingy|healthy|unhealthy|perfect|dirtiest|finest|best|worst|greatest"
    r"|nicest|unjustly|neglected|deserves?|deserved|admired|beloved|trusted|overrated|underrated|disappointing"
    r"|encouraging|worrying|troubling|alarming|misguided|reckless|irresponsible|lenient|harsh|unfair|decency"
    r"|transform|transforms|revolutioni[sz]e|outdone|well\s+positioned|good\s+(?:day|news|idea)|bad\s+(?:day|news|idea)"
    r"|proud\s+(?:day|moment)|frankly|surely|undoubtedly|clearly\s+the|huge\s+mistake|big\s+mistake|a\s+mistake)\b",
    re.IGNORECASE,
)
# Sources that are not a named, checkable speaker.
_VAGUE_SOURCE = re.compile(
    r"^(?:(?:some|many|most|several|other)\s+)?(?:analysts|experts|observers|critics|commentators|sources"
    r"|officials|insiders|people|some|many|others|scholars|researchers|supporters|opponents|residents|locals"
    r"|economists|campaigners|activists|fans|voters|skeptics|sceptics)\b",
    re.IGNORECASE,
)
_PRONOUN_SPEAKER = re.compile(r"\s*(?:he|she|they|we|i)\s+$", re.IGNORECASE)
_NAMED_SPEAKER = re.compile(r"[A-Z][\w\u2019'-]+(?:\s+[A-Z][\w\u2019'-]+)+")


def strip_dates(text: str) -> str:
    return DATE_EXPRESSION.sub(" ", text)


def has_number(text: str) -> bool:
    # "30 seconds" is a number; "second" alone is an ordinal: both count.
    return _NUMBER.search(strip_dates(text)) is not None


def has_time(text: str) -> bool:
    return DATE_EXPRESSION.search(text) is not None or _TEMPORAL_WORDS.search(text) is not None


def is_quote(text: str) -> bool:
    return _QUOTED.search(text) is not None and _SPEECH.search(text) is not None


def is_opinion(text: str) -> bool:
    """An evaluative predicate, a clearly subjective word with no number or date to check, or
    several evaluative words and no number or date."""
    if _STRONG_OPINION.search(text):
        return True
    if _SUBJECTIVE.search(text) and not has_number(text) and not has_time(text):
        return True
    if _RECOMMENDATION.search(text):
        return True
    weak = len(_WEAK_OPINION.findall(text))
    return weak >= 2 and not has_number(text) and not has_time(text)


def claim_type(text: str) -> ClaimType:
    if has_number(text):
        return "numeric"
    if has_time(text):
        return "temporal"
    if is_quote(text):
        return "quote"
    if is_opinion(text):
        return "opinion"
    return "entity"


def check_worthiness(text: str, headline: bool = False) -> tuple[bool, str | None]:
    """(checkworthy, reason) by the ordered rules of the module docstring."""
    if headline:
        return False, "headline"
    if text.rstrip().rstrip("\"'\u201d\u2019)").endswith("?"):
        return False, "question"
    attribution = _attribution(text)
    if attribution is not None:
        source, content, verb = attribution
        vague = _is_vague_source(source)
        judgement = is_opinion(content) or _JUDGEMENT_VERB.fullmatch(verb) is not None
        if vague and (judgement or _SPECULATION.search(content) is not None):
            return False, "opinion"
        return not judgement, "attribution"
    if is_opinion(text):
        return False, "opinion"
    if _SPECULATION.search(text):
        return False, "speculation"
    if _FORECAST.search(text):
        return True, "forecast"
    return True, None


_TRAILING_SPEAKER = re.compile(
    r",\s*(?P<source>(?:(?:some|many|most|several|other)\s+)?[A-Za-z][\w.'\u2019-]*(?:\s+[A-Za-z][\w.'\u2019-]*){0,4}?)\s+"
    r"(?P<verb>said|say|says|added|argued|argue|claimed|claim|warned|warn|believe|believes|noted)\s*[.!]?$"
)
_SINGLE_NAME = re.compile(r"^(?!(?:The|This|That|These|Those|It|There|In|On|At|For|By|As|But|And|If|When|While)\b)[A-Z][\w\u2019'-]+\s*$")


_COMMON_PLURAL_SOURCE = re.compile(r"^(?:[A-Z][a-z]+|[a-z]+)(?:\s+[a-z][\w-]*){0,3}s$")


def _is_vague_source(source: str) -> bool:
    """Unnamed people: "critics", "analysts", "estate agents", "many residents" (not "the
    minister", not "Marsh")."""
    source = source.strip().rstrip(",")
    return _VAGUE_SOURCE.match(source) is not None or (
        _COMMON_PLURAL_SOURCE.match(source) is not None and not source.lower().startswith(("the ", "this ", "that "))
    )


def _attribution(text: str) -> tuple[str, str, str] | None:
    """(source, reported content, reporting verb) when the claim reports what someone said or
    thinks, or what is reported."""
    hedge = _HEDGED_REPORT.search(text)
    if hedge:
        return text[: hedge.start()] or "reportedly", text, hedge.group(0)
    trailing = _TRAILING_SPEAKER.search(text)
    if trailing and _QUOTED.search(text) is None:
        # "The campaign was the dirtiest in decades, commentators said."
        return trailing.group("source"), text[: trailing.start()], trailing.group("verb")
    verb = _ATTRIBUTION_VERB.search(text)
    if verb is None:
        return None
    source, content = text[: verb.start()], text[verb.end() :]
    quoted = _QUOTED.search(text)
    if quoted and quoted.end() <= verb.start() + 2:
        # “...,” said Maria Chen: the quote is the content, the speaker follows the verb
        return text[verb.end() :], quoted.group(0), verb.group(0)
    if (
        _is_vague_source(source)
        or _NAMED_SPEAKER.search(source)
        or _PRONOUN_SPEAKER.match(source)
        or _SINGLE_NAME.match(source)
    ):
        return source, content, verb.group(0)
    return None
