"""Splitting one sentence into atomic clauses.

Conservative rules: a split happens only when both sides read as a statement (a subject and a
finite verb); otherwise the sentence stays whole, because a fragment that is not a claim is worse
than a compound claim. Each piece keeps the span of source text it came from; its text may carry
a prefix taken from elsewhere in the sentence (the subject of a relative clause, "X is").
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..text.words import IRREGULAR_PAST

AUXILIARIES = frozenset(
    """is are was were be been has have had will would can could may might shall should must
    does did do cannot won't isn't aren't wasn't weren't hasn't haven't didn't doesn't""".split()
)
_NOT_VERBS = frozenset(
    """as its this his has was is us thus plus bus gas news series species basis crisis analysis
    always perhaps whereas across less unless various previous serious famous vs""".split()
)
ROLE_NOUNS = (
    r"(?i:adviser|advisor|aide|predecessor|successor|spokesperson|spokesman|spokeswoman|minister|president"
    r"|vice[- ]president|prime minister|secretary|ambassador|envoy|chief|head|director|founder|co-founder"
    r"|cofounder|chairman|chairwoman|chair|ceo|cfo|cto|coo|officer|executive|partner|leader|governor"
    r"|mayor|deputy|official|analyst|professor|author|editor|owner|manager|general|commander|rival"
    r"|ally|wife|husband|son|daughter|brother|sister|mother|father|member|lawyer|attorney|investor"
    r"|subsidiary|parent|unit|maker|producer|supplier|manufacturer|operator|developer|provider)\b"
)
_NAME = r"(?:(?:Dr|Mr|Mrs|Ms|Prof)\.\s+)?[A-Z][\w\u2019'-]*(?:\s+(?:[A-Z]\.\s+)?[A-Z][\w\u2019'-]*){0,3}"
_POSSESSOR = r"(?:his|her|its|their|the|a|an|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?[\u2019']s)"
_ROLE_PHRASE = (
    rf"{_POSSESSOR}?\s*(?:(?!(?:of|his|her|its|their|the|a|an|and|or|from|with|to|in)\b)[\w-]+(?:['\u2019]s)?\s+){{0,3}}{ROLE_NOUNS}(?:\s+of\s+(?:the\s+)?[A-Z][\w&.\u2019'-]*(?:\s+[A-Z][\w&.\u2019'-]*)*)?"
)
_LEADING_APPOSITION = re.compile(
    rf"({_NAME}\.?)(?:\s+\([^()]{{1,40}}\))?,\s+({_ROLE_PHRASE}|(?:a|an|the)\s+(?!(?:few|number|lot|other|rest|same)\b)[^,;()\"\u201c]{{3,80}}?),\s+"
    r"(?:(?:today|yesterday|also|recently|now|then|later|on\s+\w+day)\s+)?"
)
# "The storm hit Harwick, a port town of 40,000 people." : the apposition runs to the sentence end.
_FINAL_APPOSITION = re.compile(rf"(?<=\s)({_NAME}),\s+((?:a|an)\s+(?!(?:few|number|lot)\b)[^,;()\"\u201c]{{3,100}}?)\s*[.!]?$")
# "Founded in 2011, the company ..." : a leading participle phrase states a fact about the subject.
_LEADING_PARTICIPLE = re.compile(
    r"(?P<verb>Founded|Established|Built|Created|Launched|Opened|Born|Elected|Appointed|Based|Headquartered|Located)"
    r"\s+(?P<rest>(?:in|on|at|by|near|as)\s+[^,;]{2,80}?),\s+"
)
_STATE_PARTICIPLES = frozenset({"based", "headquartered", "located"})
# A verb phrase after " and " that shares the clause's subject: "employs 85 engineers and holds 23 patents".
_AND = re.compile(r",?\s+and\s+(?=[a-z])")
_ADVERB = re.compile(r"(?:later|also|then|subsequently|now|still|soon|eventually|again|finally)\s+")
_VP_OBJECT_START = re.compile(
    r"[a-z][\w-]*\s+(?:the|a|an|its|their|his|her|our|this|that|these|those|some|more|about|nearly|almost|over|\d"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds|thousands|dozens"
    r"|in|on|at|to|by|for|with|from|into|after|before|during|up|down|out|off|back|again|\u20ac|\$|\u00a3)"
)
_TRAILING_APPOSITION = re.compile(rf"(?<=[\s(])({_ROLE_PHRASE}),\s+({_NAME})(?=\s*(?:[,.;)]|$))")
_NAME_THEN_ROLE = re.compile(rf"\b((?<!^)(?:said|says|told|added|according to)\s+)({_NAME}),\s+({_ROLE_PHRASE})\s*[.,]?$")
_ROLE_HINT = re.compile(rf"\b{ROLE_NOUNS}")
_RELATIVE = re.compile(r",\s+(who|which)\s+")
_CONJUNCTION = re.compile(r",\s+(?:and|but|while|whereas|yet)\s+")
_AFTER = re.compile(r",?\s+(?:after|before|when|because|since)\s+")
_FOLLOWING_THEIR = re.compile(r",\s+following\s+their\s+")
_BETWEEN_PAIR = re.compile(rf"\bbetween\s+({_NAME})\s+and\s+({_NAME})")
_LEADING_CONCESSIVE = re.compile(r"^(?:While|Although|Though|Whereas)\s+")
_FRAMING = re.compile(
    r"^(?:In|As)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}(?:nod|move|gesture|sign|signal|bid|effort|attempt|show)\b[^,]{0,200},\s+"
)
_DASH_APPOSITION = re.compile(r"\s*(?:\u2014|\u2013|\s--?\s)\s*(?=(?:a|an|the|which|where)\s)")
_BULLET = re.compile(r"(?:[-*\u2022\u00b7\u25aa\u2013]|\d{1,2}[.)])\s+")
_SECTION_LABEL = re.compile(r"[A-Z][A-Za-z]+(?:\s+[A-Za-z]+)?:\s+(?=[A-Z0-9\"\u201c])")
_PRESS_DATELINE = re.compile(
    r"[A-Z][A-Z .,'\u2019-]{1,60}?,\s+[^\n]{0,40}?\d\s*(?:/[^/\n]{1,40}/|\([^)\n]{1,30}\))?\s*(?:--|\u2014|\u2013)\s+"
)
_NAME_BEFORE_COMMA = re.compile(r"(?<![\w.])[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*){0,3}$")
_ENCLOSERS = re.compile(r"[()\[\]\"\u201c\u201d]")
_SPEECH_HINT = re.compile(r"\b(?:said|says|told|added|according to)\s")
_WORD = re.compile(r"[A-Za-z][\w\u2019'-]*")
_PRONOUN_SUBJECT = re.compile(r"^(?:he|she|it|they|we|i|you|this|these|there)\s+[a-z]", re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    """A claim's source: sentence[start:end] is the source text; the claim reads
    prefix + sentence[body_start:end]."""

    start: int
    end: int
    body_start: int
    prefix: str = ""
    final: bool = False  # no further splitting (derived statements like "X is Y")

    def text(self, sentence: str) -> str:
        return self.prefix + sentence[self.body_start : self.end]


def split_clauses(sentence: str) -> list[Piece]:
    """Atomic pieces of one sentence, in source order."""
    mask = top_level_mask(sentence)
    root = Piece(0, len(sentence), 0)
    pieces = _split(sentence, mask, root, depth=0)
    pieces += _appositions(sentence, mask, pieces)
    unique: dict[tuple[int, int, str], Piece] = {}
    for p in pieces:
        unique.setdefault((p.start, p.end, p.text(sentence)), p)
    return sorted(unique.values(), key=lambda p: (p.start, p.end))


def top_level_mask(sentence: str) -> list[bool]:
    """True at positions outside quotation marks and brackets: splits never happen inside."""
    mask = [True] * len(sentence)
    if not _ENCLOSERS.search(sentence):
        return mask
    paren = 0
    in_straight = False
    curly = 0
    for i, ch in enumerate(sentence):
        if ch == "(" or ch == "[":
            paren += 1
        elif (ch == ")" or ch == "]") and paren:
            paren -= 1
        elif ch == '"':
            in_straight = not in_straight
        elif ch == "\u201c":
            curly += 1
        elif ch == "\u201d" and curly:
            curly -= 1
        mask[i] = paren == 0 and not in_straight and curly == 0
    return mask


def starts_clause(text: str, opener: str = "strict") -> bool:
    """Does `text` open with a subject followed by a finite verb ("the company hired ...")?

    opener="strict": the subject starts with a name, a determiner, a pronoun or a number;
    "aux": any subject followed by an auxiliary ("larger trials are needed");
    "past": as "aux", or a bare noun subject and a past verb ("turnout reached 61 percent");
    "any": any subject and any finite verb (after a semicolon, which joins whole clauses)."""
    if _PRONOUN_SUBJECT.match(text):
        return True
    words = _WORD_OR_NUMBER.findall(text[:160])
    if not words or words[0].lower() in _NOT_SUBJECTS or words[0].lower() in AUXILIARIES:
        return False  # "have been linked to X" has no subject of its own
    first = words[0]
    strict_opener = first[0].isupper() or first[0].isdigit() or first.lower() in _DETERMINERS
    for i, word in enumerate(words[1:8], start=1):
        if word[0].isdigit():
            continue
        if strict_opener or opener == "any":
            if is_finite_verb(word, after_name=_is_name_word(words[i - 1])):
                return True
        elif opener in ("aux", "past") and word.lower() in AUXILIARIES:
            return True
        elif opener == "past" and i <= 4 and _is_past(word.lower()) and not any(
            w.lower() in _NOT_SUBJECTS or w.lower() in _CONJUNCTIONS for w in words[1:i]
        ):
            return True  # "turnout reached 61 percent", "goalkeeper Ali Demir saved a penalty"
    return _DET_NOUN_VERB.match(text) is not None


def _is_past(lower: str) -> bool:
    return lower in IRREGULAR_PAST or (len(lower) > 4 and lower.endswith("ed") and lower not in _NOT_PAST)


_NOT_PAST = frozenset({"need", "speed", "seed", "feed", "breed", "proceed", "exceed", "succeed", "hundred", "kindred"})
_CONJUNCTIONS = frozenset("and or but nor so yet".split())
# "the union wants ...", "the factory employs ...": a determiner, a singular noun, a present verb.
_NOT_NOUN = (
    r"(?!(?:of|in|on|at|for|to|from|by|with|and|or|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|twenty|thirty|forty|fifty|hundred|thousand|million|billion|first|second|third|last|next|few|many|more|most)\b)"
)
_DET_NOUN_VERB = re.compile(
    r"(?i:the|a|an|this|that|its|their|his|her|our)\s+(?:" + _NOT_NOUN + r"[a-z][\w-]*\s+){0,2}?" + _NOT_NOUN
    + r"[a-z][\w-]*[^s\W]\s+"
    r"(?!(?:is|has|was|its|this|plus|thus|less|unless|as|us)\b)[a-z]{2,}[^s\W]s\b"
)


def _is_name_word(word: str) -> bool:
    """A capitalised word that can end a name ("China hosts"), not "The" ("The buses")."""
    return word[0].isupper() and word.lower() not in _DETERMINERS and word.lower() not in _NOT_SUBJECTS


def is_finite_verb(word: str, after_name: bool = False) -> bool:
    lower = word.lower()
    if lower in AUXILIARIES or lower in IRREGULAR_PAST:
        return True
    if word[0].isupper() or lower in _NOT_VERBS:
        return False
    if len(lower) > 4 and lower.endswith("ed"):
        return True
    # "China hosts", "Seoul employs": a present-tense verb right after a name
    return after_name and len(lower) > 3 and lower.endswith("s") and not lower.endswith("ss")


_WORD_OR_NUMBER = re.compile(r"[A-Za-z][\w\u2019'-]*|\d[\d.,%]*")
# words that open a phrase, not a subject
_NOT_SUBJECTS = frozenset(
    """in on at for from with by of to as after before since during while when if because although
    though including following according despite amid among between into over under about""".split()
)
_DETERMINERS = frozenset("the a an this that these those its his her their our both no some many each all".split())


def _starts_with_verb(text: str) -> bool:
    m = _WORD.match(text)
    if m is None:
        return False
    word = m.group(0)
    lower = word.lower()
    return lower in AUXILIARIES or lower in IRREGULAR_PAST or (
        word[0].islower() and lower not in _NOT_VERBS and (lower.endswith("ed") or lower.endswith("s"))
    )


def _word_count(text: str) -> int:
    """Words and numbers: "Adherence was 81%" is three."""
    return len(_WORD_OR_NUMBER.findall(text))


Rule = Callable[[str, list[bool], Piece], list[Piece] | None]


def _split(sentence: str, mask: list[bool], piece: Piece, depth: int) -> list[Piece]:
    if piece.final or depth > 6:
        return [piece]
    for rule in _RULES:
        parts = rule(sentence, mask, piece)
        if parts:
            out: list[Piece] = []
            for part in parts:
                out.extend(_split(sentence, mask, part, depth + 1))
            return out
    return [piece]


def _top_level_matches(pattern: re.Pattern[str], sentence: str, mask: list[bool], piece: Piece):
    for m in pattern.finditer(sentence, piece.body_start, piece.end):
        if mask[m.start()]:
            yield m


def _rule_lead_in(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """Drop a list bullet, a section label ("Methods: ") or a press dateline ("SAN FRANCISCO, March 3, 2025
    /PRNewswire/ -- "): they are not part of the statement."""
    if piece.prefix:
        return None
    m = _BULLET.match(sentence, piece.body_start, piece.end) or _PRESS_DATELINE.match(
        sentence, piece.body_start, piece.end
    )
    label = _SECTION_LABEL.match(sentence, piece.body_start, piece.end)
    if m is None and label is not None and _has_verb(sentence[label.end() : piece.end]):
        m = label  # "Headquarters: Mountain View" keeps its label: without it there is no claim
    if m is None or _word_count(sentence[m.end() : piece.end]) < 3:
        return None
    return [Piece(m.end(), piece.end, m.end())]


def _rule_semicolon(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    for i in range(piece.body_start, piece.end - 1):
        if sentence[i] == ";" and mask[i] and sentence[i + 1] == " ":
            left = sentence[piece.body_start : i]
            right_start = i + 2
            right = sentence[right_start : piece.end]
            if _word_count(left) < 3 or _word_count(right) < 3 or not starts_clause(right, opener="any"):
                continue
            second = _carry_subject(piece.prefix + left, Piece(right_start, piece.end, right_start), sentence)
            return [replace(piece, end=i), second]
    return None


def _rule_leading_concessive(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    if piece.prefix:
        return None
    head = _LEADING_CONCESSIVE.match(sentence, piece.body_start, piece.end)
    if head is None:
        return None
    for i in range(head.end(), piece.end - 2):
        if sentence[i] == "," and mask[i]:
            clause = sentence[head.end() : i]
            rest_start = i + 1
            while rest_start < piece.end and sentence[rest_start] == " ":
                rest_start += 1
            if starts_clause(clause) and starts_clause(sentence[rest_start : piece.end]):
                return [Piece(head.end(), i, head.end()), Piece(rest_start, piece.end, rest_start)]
    return None


def _rule_framing(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """Drop an evaluative framing phrase: "In a symbolic nod to X, Lee will visit Y"."""
    if piece.prefix:
        return None
    m = _FRAMING.match(sentence, piece.body_start, piece.end)
    if m is None or not starts_clause(sentence[m.end() : piece.end]):
        return None
    return [Piece(m.end(), piece.end, m.end())]


def _rule_relative(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Lee, who took office in 2025, has signaled X" -> "Lee took office in 2025" + "Lee has signaled X"."""
    for m in _top_level_matches(_RELATIVE, sentence, mask, piece):
        antecedent = sentence[piece.body_start : m.start()]
        if not piece.prefix and ("," in antecedent or _word_count(antecedent) > 8) and _has_verb(antecedent):
            return _trailing_relative(sentence, mask, piece, m)
        if piece.prefix or _word_count(antecedent) > 8 or "," in antecedent or not antecedent[:1].isupper():
            return None
        if starts_clause(antecedent):
            return _trailing_relative(sentence, mask, piece, m)
        for j in range(m.end(), piece.end - 1):
            if sentence[j] == "," and mask[j]:
                rest_start = j + 1
                while rest_start < piece.end and sentence[rest_start] == " ":
                    rest_start += 1
                if _starts_with_verb(sentence[rest_start : piece.end]):
                    rel = Piece(piece.body_start, j, m.end(), prefix=antecedent + " ", final=True)
                    main = Piece(piece.start, piece.end, rest_start, prefix=antecedent + " ")
                    return [rel, main]
        return None
    return None


def _trailing_relative(sentence: str, mask: list[bool], piece: Piece, m: re.Match[str]) -> list[Piece] | None:
    """"Smith met Jones, who had arrived from Paris" -> "Jones had arrived from Paris", but only
    after a person's name ("which" after a clause may refer to the whole event) and only when the
    relative clause runs to the end."""
    if any(sentence[j] == "," and mask[j] for j in range(m.end(), piece.end)):
        return None
    name = _NAME_BEFORE_COMMA.search(sentence, piece.body_start, m.start())
    if name is None or name.start() == piece.body_start or not _starts_with_verb(sentence[m.end() : piece.end]):
        return None
    if m.group(1) == "which" and (len(name.group(0).split()) < 2 or sentence[name.start() - 2 : name.start()] != ", "):
        return None  # "which" only after an appositive title: "an opera, Die Insel, which premiered in 1927"
    main = replace(piece, end=m.start())
    relative = Piece(name.start(), piece.end, m.end(), prefix=name.group(0) + " ", final=True)
    return [main, relative]


def _rule_leading_apposition(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Wi Sung-lac, Lee's top security adviser, indicated X" -> "Wi Sung-lac is Lee's top
    security adviser" + "Wi Sung-lac indicated X"."""
    if piece.prefix:
        return None
    m = _LEADING_APPOSITION.match(sentence, piece.body_start, piece.end)
    if m is None or not _looks_like_name(m.group(1)) or not _starts_with_verb(sentence[m.end() : piece.end]):
        return None
    if not _ROLE_HINT.match(m.group(2)) and not _ROLE_HINT.search(m.group(2)) and _has_verb(m.group(2)):
        return None  # "Smith, a man who said ..." : a clause, not a noun phrase
    name = m.group(1)
    role_start = m.start(2)
    apposition = Piece(piece.body_start, m.end(2), role_start, prefix=f"{name} is ", final=True)
    main = Piece(piece.start, piece.end, m.end(), prefix=name + " ")
    return [apposition, main]


_POSSESSIVE_ROLE_FIRST = re.compile(
    rf"(?P<role>(?:His|Her|Its|Their|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?[\u2019']s)\s+(?:[a-z][\w-]*\s+){{0,2}}[a-z][\w-]*),\s+"
    rf"(?P<name>{_NAME}),\s+"
)
_PARTICIPLE_APPOSITION = re.compile(
    r"(?P<np>(?:The|the|A|An|This|Its|Their|[A-Z][\w&.'\u2019-]*)(?:\s+[\w&.'\u2019-]+){0,4}),\s+"
    r"(?P<verb>owned|based|headquartered|located|run|led|known|built|founded|established|created|designed|opened|made"
    r"|published|written|launched|completed|elected|appointed|born)\s+(?P<rest>(?:in|on|by|at|as|near|for|from|since)\s+[^,;]{2,80}?),\s+"
)
_PARTICIPLE_IS = frozenset({"owned", "based", "headquartered", "located", "run", "led", "known"})


def _rule_possessive_role_first(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Her rival, Tomas Berg, conceded defeat" -> "Tomas Berg is her rival" + "Tomas Berg
    conceded defeat"."""
    if piece.prefix:
        return None
    m = _POSSESSIVE_ROLE_FIRST.match(sentence, piece.body_start, piece.end)
    if m is None or not _looks_like_name(m.group("name")) or not _starts_with_verb(sentence[m.end() : piece.end]):
        return None
    name, role = m.group("name"), m.group("role")
    role = role[0].lower() + role[1:] if role.split()[0] in {"His", "Her", "Its", "Their"} else role
    apposition = Piece(piece.body_start, m.end("name"), m.end("name"), prefix=f"{name} is {role}", final=True)
    return [apposition, Piece(piece.start, piece.end, m.end(), prefix=name + " ")]


def _rule_participle_apposition(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"The old terminal, built in 1964, will be demolished" -> "The old terminal was built in
    1964" + "The old terminal will be demolished"."""
    if piece.prefix:
        return None
    m = _PARTICIPLE_APPOSITION.match(sentence, piece.body_start, piece.end)
    if m is None or not (_starts_with_verb(sentence[m.end() : piece.end]) or _ADVERB.match(sentence, m.end())):
        return None
    np, verb = m.group("np"), m.group("verb")
    link = "is" if verb in _PARTICIPLE_IS else "was"
    comma = sentence.rindex(",", m.start(), m.end())
    participle = Piece(piece.body_start, comma, m.start("verb"), prefix=f"{np} {link} ", final=True)
    return [participle, Piece(piece.start, piece.end, m.end(), prefix=np + " ")]


_LEADING_AGE = re.compile(rf"({_NAME}),\s+(\d{{1,3}}),\s+")
_RESULT_PARTICIPLE = re.compile(
    r",\s+(?P<verb>killing|injuring|wounding|leaving|forcing|prompting|causing|destroying|damaging|cutting|sending"
    r"|raising|bringing|making|displacing|stranding)\s+(?=\S)"
)
_RESULT_PAST = {
    "killing": "killed", "injuring": "injured", "wounding": "wounded", "leaving": "left", "forcing": "forced",
    "prompting": "prompted", "causing": "caused", "destroying": "destroyed", "damaging": "damaged", "cutting": "cut",
    "sending": "sent", "raising": "raised", "bringing": "brought", "making": "made", "displacing": "displaced",
    "stranding": "stranded",
}


def _rule_leading_age(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Lind, 67, was convicted of X" -> "Lind is 67" + "Lind was convicted of X"."""
    if piece.prefix:
        return None
    m = _LEADING_AGE.match(sentence, piece.body_start, piece.end)
    if m is None or not _looks_like_name(m.group(1)) or not _starts_with_verb(sentence[m.end() : piece.end]):
        return None
    name = m.group(1)
    age = Piece(piece.body_start, m.end(2), m.start(2), prefix=f"{name} is ", final=True)
    return [age, Piece(piece.start, piece.end, m.end(), prefix=name + " ")]


def _rule_result_participle(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"A quake struck X on Wednesday, killing at least 12 people" -> "A quake struck X on
    Wednesday" + "A quake killed at least 12 people" (the subject is the first clause's)."""
    for m in _top_level_matches(_RESULT_PARTICIPLE, sentence, mask, piece):
        left = piece.text(sentence)[: m.start() - piece.body_start + len(piece.prefix)]
        subject = subject_of(left)
        if subject is None or _word_count(left) < 4 or _word_count(sentence[m.end() : piece.end]) < 2:
            return None
        verb = m.group("verb")
        result = Piece(m.start("verb"), piece.end, m.end(), prefix=f"{subject} {_RESULT_PAST[verb]} ", final=True)
        return [replace(piece, end=m.start()), result]
    return None


def _rule_leading_participle(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Founded in 2011, the company has 420 employees" -> "The company was founded in 2011" +
    "The company has 420 employees"."""
    if piece.prefix:
        return None
    m = _LEADING_PARTICIPLE.match(sentence, piece.body_start, piece.end)
    if m is None:
        return None
    rest = sentence[m.end() : piece.end]
    subject = subject_of(rest)
    if subject is None:
        return None
    verb = m.group("verb").lower()
    link = "is" if verb in _STATE_PARTICIPLES else "was"
    comma = sentence.rindex(",", m.start(), m.end())
    participle = Piece(piece.body_start, comma, m.start("rest"), prefix=f"{subject} {link} {verb} ", final=True)
    return [participle, Piece(m.end(), piece.end, m.end())]


def _rule_final_apposition(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"The storm hit Harwick, a port town of 40,000 people." -> "The storm hit Harwick." +
    "Harwick is a port town of 40,000 people."."""
    m = _FINAL_APPOSITION.search(sentence, piece.body_start, piece.end)
    if m is None or not mask[m.start()] or not _looks_like_name(m.group(1)) or _has_verb(m.group(2)):
        return None
    left = sentence[piece.body_start : m.end(1)]
    if _word_count(left) < 3 or not _has_verb(piece.prefix + left):
        return None
    apposition = Piece(m.start(1), piece.end, m.start(2), prefix=f"{m.group(1)} is ", final=True)
    return [replace(piece, end=m.end(1)), apposition]


def _rule_shared_subject(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Harbor employs 85 engineers and holds 23 patents" -> two claims; the second borrows the
    subject. Only when the word after "and" is a finite verb of the same form as the first
    clause's and an object or a preposition follows it ("and related services" stays)."""
    text = piece.text(sentence)
    subject = subject_of(text, pronoun=True)
    if subject is None:
        return None
    head = _WORD.findall(text[len(subject) :])
    if not head:
        return None
    first_verb = head[0].lower()
    for m in _top_level_matches(_AND, sentence, mask, piece):
        right = sentence[m.end() : piece.end]
        adverb = _ADVERB.match(right)
        verb = _WORD.match(right, adverb.end() if adverb else 0)
        if verb is None or len(_WORD_OR_NUMBER.findall(right)) < 3 or not _same_verb_form(first_verb, verb.group(0)):
            continue
        if verb.group(0).lower() not in AUXILIARIES and not _VP_OBJECT_START.match(right, verb.start()):
            continue
        left_end = m.start()
        if _word_count(piece.prefix + sentence[piece.body_start : left_end]) < 3:
            continue
        return [replace(piece, end=left_end), Piece(m.end(), piece.end, m.end(), prefix=subject + " ")]
    return None


def _same_verb_form(first: str, second: str) -> bool:
    """Both past ("reopened ... and cost"), both present third person ("employs ... and holds"),
    or the second an auxiliary ("rose ... and has")."""
    second = second.lower()
    if second not in AUXILIARIES and (second in _NOT_VERBS or second in {"then", "now", "also", "so"}):
        return False
    past = lambda w: w in IRREGULAR_PAST or (len(w) > 4 and w.endswith("ed")) or w in {"was", "were", "had", "did"}
    present = lambda w: w in {"is", "are", "has", "have", "does"} or (len(w) > 3 and w.endswith("s") and not w.endswith("ss"))
    if second in AUXILIARIES or first in AUXILIARIES:
        return past(first) or present(first) or first in AUXILIARIES  # "was designed by X and opened in 1968"
    return (past(first) and past(second)) or (present(first) and present(second))


def _rule_conjunction(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """", and the company hired 300 people" / ", while Seoul ..." with a new subject."""
    for m in _top_level_matches(_CONJUNCTION, sentence, mask, piece):
        left = piece.text(sentence)[: m.start() - piece.body_start + len(piece.prefix)]
        right = sentence[m.end() : piece.end]
        # after a list ("robots, sensors, and spare parts made in Ohio") only an auxiliary marks a clause
        opener = "aux" if any(sentence[j] == "," and mask[j] for j in range(piece.body_start, m.start())) else "past"
        if _word_count(left) >= 3 and _word_count(right) >= 3 and starts_clause(right, opener=opener) and _has_verb(left):
            return [replace(piece, end=m.start()), _carry_subject(left, Piece(m.end(), piece.end, m.end()), sentence)]
    return None


def _rule_subordinate(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"Relations plummeted after Takaichi suggested X" -> both events are claims."""
    for m in _top_level_matches(_AFTER, sentence, mask, piece):
        left = piece.text(sentence)[: m.start() - piece.body_start + len(piece.prefix)]
        right = sentence[m.end() : piece.end]
        if _word_count(left) >= 3 and _has_verb(left) and _word_count(right) >= 3 and starts_clause(right):
            return [replace(piece, end=m.start()), Piece(m.end(), piece.end, m.end())]
    return None


def _rule_following_their(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """", following their discussion at X" -> "A and B had a discussion at X" when the clause
    names the pair ("between A and B")."""
    for m in _top_level_matches(_FOLLOWING_THEIR, sentence, mask, piece):
        left = piece.text(sentence)[: m.start() - piece.body_start + len(piece.prefix)]
        pair = _BETWEEN_PAIR.search(left)
        if pair is None:
            return None
        event = sentence[m.end() : piece.end]
        if not re.match(r"[a-z][\w-]*\b", event):
            return None
        prefix = f"{pair.group(1)} and {pair.group(2)} had a "
        following_start = m.start() + 2
        return [replace(piece, end=m.start()), Piece(following_start, piece.end, m.end(), prefix=prefix, final=True)]
    return None


def _rule_dash(sentence: str, mask: list[bool], piece: Piece) -> list[Piece] | None:
    """"visit the site in Shanghai—a location used by ..." : the claim ends at the dash."""
    for m in _top_level_matches(_DASH_APPOSITION, sentence, mask, piece):
        rest = sentence[m.end() : piece.end]
        if re.search(r"\u2014|\u2013|\s--?\s", rest):
            return None  # a dash pair encloses a parenthetical: leave it
        if _word_count(piece.text(sentence)[: m.start() - piece.body_start + len(piece.prefix)]) < 4:
            return None
        return [replace(piece, end=m.start())]
    return None


def _carry_subject(left: str, right: Piece, sentence: str) -> Piece:
    """A clause that opens with "it"/"its"/"they"/"their" borrows the left clause's subject when
    that is a name or a determiner phrase: "The bridge reopened in March, and its repairs cost 55
    million euros" -> "The bridge’s repairs cost 55 million euros". The source span stays the
    clause; the claim text carries the borrowed subject as its prefix."""
    subject = subject_of(left)
    if subject is None:
        return right
    m = _CARRIED_PRONOUN.match(sentence, right.body_start, right.end)
    if m is None:
        return right
    pronoun = m.group(1).lower()
    plural = subject.split()[-1].lower().endswith("s") and not subject.split()[-1][0].isupper()
    if (pronoun in ("they", "their")) != plural:
        return right  # "it" after "the ministers": not the subject
    if pronoun in ("its", "their"):
        possessive = subject + ("’" if subject.endswith("s") else "’s") + " "
        return replace(right, body_start=m.end(), prefix=possessive)
    return replace(right, body_start=m.end(), prefix=subject + " ")


_CARRIED_PRONOUN = re.compile(r"(it|its|they|their|It|Its|They|Their)\s+(?=[a-z0-9])")
_SUBJECT_STARTS = frozenset("the this that these those a an".split())


_PRONOUNS = frozenset({"it", "he", "she", "they", "we", "i", "you"})
_SUBJECT_PREPOSITIONS = frozenset("of in at on for from with between".split())


def subject_of(clause: str, pronoun: bool = False) -> str | None:
    """The subject of a clause that opens "SUBJECT VERB": a name ("Storm Alda struck") or a
    determiner phrase ("The new ferry terminal in Harwick will"), at most six words, no comma;
    with `pronoun`, also "He" / "It" (for a verb phrase that shares it)."""
    words = list(_WORD_OR_NUMBER.finditer(clause[:200]))
    if not words:
        return None
    first = words[0].group(0)
    if pronoun and first.lower() in _PRONOUNS and len(words) > 1:
        return first if is_finite_verb(words[1].group(0)) or _is_past(words[1].group(0).lower()) else None
    if not (first[0].isupper() or first.lower() in _SUBJECT_STARTS) or first.lower() in _NOT_SUBJECTS:
        return None
    if first.lower() in _PRONOUNS or first.lower() in {"there", "its", "his", "her", "their"}:
        return None
    det_verb = _DET_NOUN_VERB.match(clause)
    if det_verb:
        return clause[: det_verb.end()].rsplit(None, 1)[0]
    for i, m in enumerate(words[1:7], start=1):
        word = m.group(0)
        if word[0].isdigit():
            continue  # "An earthquake of magnitude 6.1 struck"
        if is_finite_verb(word, after_name=_is_name_word(words[i - 1].group(0))):
            subject = clause[: words[i - 1].end()]
            if "," in subject or any(
                w.group(0).lower() in _NOT_SUBJECTS and w.group(0).lower() not in _SUBJECT_PREPOSITIONS for w in words[1:i]
            ):
                return None
            return subject
    return None


def _has_verb(text: str) -> bool:
    words = _WORD.findall(text)
    if any(is_finite_verb(w, after_name=i > 0 and _is_name_word(words[i - 1])) for i, w in enumerate(words)):
        return True
    return _DET_NOUN_VERB.search(text) is not None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[0].isupper() for w in words) and text.split()[0] not in {"The", "This", "A", "An", "In", "As", "While"}


_RULES: tuple[Rule, ...] = (
    _rule_lead_in,
    _rule_semicolon,
    _rule_leading_concessive,
    _rule_framing,
    _rule_relative,
    _rule_leading_apposition,
    _rule_possessive_role_first,
    _rule_leading_age,
    _rule_participle_apposition,
    _rule_leading_participle,
    _rule_following_their,
    _rule_conjunction,
    _rule_shared_subject,
    _rule_subordinate,
    _rule_result_participle,
    _rule_final_apposition,
    _rule_dash,
)


def _appositions(sentence: str, mask: list[bool], pieces: list[Piece]) -> list[Piece]:
    """Extra "NAME is ROLE" claims from "his predecessor, Yoon Suk Yeol" and "said Maria Chen,
    chief executive of Northwind"; the pieces they sit in stay as they are."""
    extra: list[Piece] = []
    if ", " not in sentence or not _ROLE_HINT.search(sentence):
        return extra  # every apposition form has a comma and a role noun
    for piece in pieces:
        if piece.final:
            continue
        for m in _TRAILING_APPOSITION.finditer(sentence, piece.body_start, piece.end):
            if not mask[m.start()] or not _looks_like_name(m.group(2)):
                continue
            role = m.group(1)
            if not re.match(r"(?:his|her|its|their|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?[\u2019']s)\b", role):
                continue  # "the president, Lee" is too often a list or a vocative
            role = _resolve_possessive(role, piece.text(sentence))
            if role is None:
                continue
            # the role comes first in the source, so the whole claim text is the prefix
            extra.append(Piece(m.start(1), m.end(2), m.end(2), prefix=f"{m.group(2)} is {role}", final=True))
        m = _NAME_THEN_ROLE.search(sentence, piece.body_start, piece.end) if _SPEECH_HINT.search(sentence) else None
        if m and mask[m.start(2)] and _looks_like_name(m.group(2)):
            extra.append(Piece(m.start(2), m.end(3), m.start(3), prefix=f"{m.group(2)} is ", final=True))
    return extra


_SUBJECT = re.compile(
    r"(?:^|,\s+)((?:President|Prime Minister|Dr\.|Mr\.|Ms\.|Mrs\.)?\s*[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*){0,3})"
    r"\s+(?:is|are|was|were|has|have|had|will|would|can)\b"
)


def _resolve_possessive(role: str, clause: str) -> str | None:
    """"his predecessor" inside "Lee has signaled ... his predecessor, Yoon" -> "Lee's predecessor"."""
    m = re.match(r"(his|her|its|their)\s+", role)
    if m is None:
        return role
    subject = _SUBJECT.search(clause)
    if subject is None:
        return None
    owner = subject.group(1).strip()
    if owner.split()[0] in {"The", "This", "That", "A", "An", "It"}:
        return None
    return f"{owner}\u2019s {role[m.end():]}"
