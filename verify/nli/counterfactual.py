"""Counterfactual training pairs: one-slot edits of entailed hypotheses, with their true counterparts.

A verifier trained on crowd NLI data calls "met in Busan" supported by "met in Gyeongju": the
passage is about the same event and only one slot differs. FactCC (Kryściński et al., 2020)
teaches a checker this with rule-based transformations of true claims (entity, number, date and
pronoun swaps, negation). Here the same idea is applied to *training* NLI pairs — never to
held-out or benchmark evaluation data — with two safeguards that an earlier naive trial lacked
(it raised VitaminC errors and false contradictions):

* a slot is edited only when the premise itself states its value, so the edited hypothesis is
  decided by the premise (the premise says Gyeongju, the hypothesis says Busan → contradiction);
* every contradiction comes with a **true counterpart** of the same premise that keeps
  entailment while changing the surface form ("on 26 October 1962" → "in 1962", "12 agreements" →
  "more than ten agreements", a date re-written), and a share of **unverifiable additions**
  (a year the premise never mentions, labelled neutral), so the model learns to look at the slot's
  value and not at the mere fact that the wording changed.

Each function returns new `Pair`s whose `source` is the origin set plus a suffix naming the edit
("+cf_date", "+cf_keep_date", ...), so the training logs and dev slice can tell them apart.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable

from .pairs import LABEL2ID, Pair, names

EDIT_TAG = "+cf_"  # in the source of every pair made here: "<set>+cf_<kind>"

ENT, NEU, CON = LABEL2ID["entailment"], LABEL2ID["neutral"], LABEL2ID["contradiction"]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
_MONTH = "|".join(MONTHS)
_YEAR = r"(?:1[5-9]\d\d|20[0-4]\d)"
# Full dates first (day month year, month day, year), then month + year, then a bare year.
_DATE_DMY = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}) ({_YEAR})\b")
_DATE_MDY = re.compile(rf"\b({_MONTH}) (\d{{1,2}}) ?, ({_YEAR})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH}) ({_YEAR})\b")
_YEAR_RE = re.compile(rf"(?<![\d,.])\b({_YEAR})\b(?![\d,.]\d)")
# Counts and amounts that are not years: 7, 12, 3,090,953, 4.5, with an optional % sign.
_NUMBER = re.compile(r"(?<![\w.,])([$€£]?)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,.]\d)(%?)")
_HEDGED = re.compile(r"\b(?:about|around|nearly|almost|approximately|roughly|some|over|under|more than|less than|"
                     r"fewer than|at least|at most|up to|close to|just|only|exactly|below|above)\s*$", re.I)
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                 "eighteen", "nineteen", "twenty"]
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_ORDINAL_RE = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b", re.I)
# Pairs of opposites: replacing one by the other in an entailed hypothesis makes it false.
ANTONYMS = dict(p.split(":") for p in """rose:fell fell:rose increased:decreased decreased:increased
increase:decrease decrease:increase won:lost lost:won before:after after:before opened:closed
closed:opened open:closed higher:lower lower:higher larger:smaller smaller:larger largest:smallest
smallest:largest older:younger younger:older oldest:youngest youngest:oldest more:fewer fewer:more
north:south south:north east:west west:east northern:southern southern:northern eastern:western
western:eastern male:female female:male first:last last:first maximum:minimum minimum:maximum
highest:lowest lowest:highest longest:shortest shortest:longest success:failure successful:unsuccessful
alive:dead dead:alive married:divorced entered:left joined:left accepted:rejected rejected:accepted
approved:rejected allowed:banned banned:allowed won:lost victory:defeat defeat:victory
always:never never:always""".split())
_AUX = re.compile(r"\b(is|are|was|were|can|could|will|would|should|must)\b(?! not\b|n't)")
_VERBISH = re.compile(r"\b(?:[a-z]+(?:ed|es|en|ew|ot|ught)|by|is|was|are|were|has|had|beat|won|lost|took|gave|made|led|met|hit|left|sold|bought|won|of|to)\b")
_SYMMETRIC = re.compile(r"\b(and|with|or|vs\.?|versus|between|together)\b|,")


def _in(value: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text) is not None


def _replace(text: str, old: str, new: str) -> str:
    return re.sub(r"(?<!\w)" + re.escape(old) + r"(?!\w)", lambda _: new, text, count=1)


def _as_number(s: str) -> float:
    return float(s.replace(",", ""))


def _cap_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fmt_number(x: float, like: str) -> str:
    if "." in like and not like.replace(",", "").isdigit():
        return f"{x:.{len(like.split('.')[-1])}f}"
    x = int(round(x))
    return f"{x:,}" if "," in like else str(x)


def _round_down(n: float) -> int:
    """A round number below n (for "more than M"): 12 -> 10, 347 -> 300, 8 -> 5."""
    if n <= 2:
        return 0
    mag = 10 ** (len(str(int(n))) - 1)
    m = (int(n) // mag) * mag
    if m >= n:
        m -= mag
    if m <= 0:
        m = mag // 2 or 1
    return m


# Each editor takes (premise, hypothesis, rng, pool) and returns (new_hypothesis, label, kind) or None.
Edit = tuple[str, int, str] | None


def date_swap(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """A year stated by the premise, replaced in the hypothesis by another year (→ contradiction)."""
    years = [m.group(1) for m in _YEAR_RE.finditer(h) if _in(m.group(1), p)]
    if not years:
        return None
    y = rng.choice(years)
    others = [m.group(1) for m in _YEAR_RE.finditer(p) if m.group(1) != y and not _in(m.group(1), h)]
    new = rng.choice(others) if others and rng.random() < 0.5 else str(int(y) + rng.choice([-11, -3, -2, -1, 1, 2, 4, 10]))
    if _in(new, p) and not others:
        return None
    return _replace(h, y, new), CON, "date"


def month_swap(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    months = [m for m in MONTHS if _in(m, h) and _in(m, p)]
    if not months:
        return None
    m = rng.choice(months)
    new = rng.choice([x for x in MONTHS if x != m and not _in(x, p)])
    return _replace(h, m, new), CON, "date"


def date_keep(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """A full date re-written or made coarser (26 October 1962 → October 1962 / 1962 / the 1960s):
    still entailed."""
    for rx in (_DATE_DMY, _DATE_MDY):
        m = rx.search(h)
        if m and _in(m.group(3), p):
            day, month = (m.group(1), m.group(2)) if rx is _DATE_DMY else (m.group(2), m.group(1))
            year = m.group(3)
            choices = [f"{month} {day}, {year}", f"{day} {month} {year}", f"{month} {year}", year]
            choices = [c for c in choices if c != m.group(0)]
            new = rng.choice(choices)
            before = h[: m.start()]
            if new.isdigit() or new.split()[0] in MONTHS and len(new.split()) == 2:
                before = re.sub(r"\bon\s*$", "in ", before)
            return before + new + h[m.end():], ENT, "keep_date"
    m = _MONTH_YEAR.search(h)
    if m and _in(m.group(2), p):
        return re.sub(r"\bon\s*$", "in ", h[: m.start()]) + m.group(2) + h[m.end():], ENT, "keep_date"
    m = _YEAR_RE.search(h)
    if m and _in(m.group(1), p):
        y = int(m.group(1))
        before = h[: m.start()]
        if re.search(r"\bin\s*$", before):
            # "in 1962" → "before 1965" / "after 1958" / "in the 1960s" (true), and the wrong side (false)
            k = rng.choice([1, 2, 5, 10])
            if rng.random() < 0.5:
                edit = rng.choice([(f"before {y + k}", ENT), (f"after {y - k}", ENT), (f"in the {y // 10 * 10}s", ENT)])
            else:
                edit = rng.choice([(f"before {y - k}", CON), (f"after {y + k}", CON)])
            text = re.sub(r"\bin\s*$", "", before) + edit[0] + h[m.end():]
            return text, edit[1], "keep_date" if edit[1] == ENT else "date"
    return None


# A day of a month ("June 13", "13th", "13 June") or a compound ("14-volume") is not a count.
_IN_DATE_OR_NAME = re.compile(rf"(?:{_MONTH})\s*$|[A-Za-z#-]$|[#-]\s*$|\b[A-Z][\w.'-]*\s$")
_DATE_TAIL = re.compile(rf"(?:st|nd|rd|th)\b|-|\s*(?:{_MONTH})\b|\s*,\s*\d{{4}}")


def number_swap(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """A count stated by the premise changed (→ contradiction), or bounded correctly (→ entailment)."""
    found = [m for m in _NUMBER.finditer(h) if not _YEAR_RE.fullmatch(m.group(2)) and _in(m.group(2), p)
             and not _HEDGED.search(h[: m.start()]) and not _IN_DATE_OR_NAME.search(h[: m.start()])
             and not _DATE_TAIL.match(h[m.end():])]
    if not found:
        return None
    m = rng.choice(found)
    cur, s, n = m.group(1), m.group(2), _as_number(m.group(2))
    start, end = m.start(1), m.end(2)  # the amount with its currency sign
    if n == 0:
        return None
    r = rng.random()
    if r < 0.35:  # another value
        factor = rng.choice([0.5, 0.75, 1.5, 2.0, 3.0, 0.1, 10.0])
        new = _fmt_number(n * factor, s)
        if new == s or _in(new, p):
            new = _fmt_number(n + rng.choice([1, 2, 3]), s)
        if _in(new, p):
            return None
        return h[:start] + cur + new + h[end:], CON, "number"
    if n < 3 or "." in s:
        return None
    low = _round_down(n)
    high = _fmt_number(_round_down(n) * 2 if low else n * 2, s)
    low_s = _fmt_number(low, s) if low else None
    if r < 0.6 and low_s:  # "more than 10" for 12: true; "fewer than 10": false
        word = rng.choice(["more than", "over", "at least"])
        return _cap_start(h[:start] + f"{word} {cur}{low_s}" + h[end:]), ENT, "keep_number"
    if r < 0.8 and low_s:
        word = rng.choice(["fewer than", "less than", "under"])
        return _cap_start(h[:start] + f"{word} {cur}{low_s}" + h[end:]), CON, "number"
    if r < 0.9:
        word = rng.choice(["more than", "over"])
        return _cap_start(h[:start] + f"{word} {cur}{high}" + h[end:]), CON, "number"
    if n <= 20 and n == int(n) and "," not in s and not cur and not m.group(3):
        return h[:start] + _NUMBER_WORDS[int(n)] + h[end:], ENT, "keep_number"
    word = rng.choice(["about", "around", "roughly"])
    return _cap_start(h[:start] + f"{word} {cur}{s}" + h[end:]), ENT, "keep_number"


def ordinal_swap(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    found = [m for m in _ORDINAL_RE.finditer(h) if _in(m.group(1).lower(), p.lower())]
    if not found:
        return None
    m = rng.choice(found)
    old = m.group(1)
    new = rng.choice([o for o in _ORDINALS if o != old.lower() and not _in(o, p.lower())])
    new = new.capitalize() if old[0].isupper() else new
    return h[: m.start(1)] + new + h[m.end(1):], CON, "ordinal"


# A capitalised run after a capitalised word and one of these words is probably part of a title
# ("No Country for Old Men", "Two and a Half Men").
_TITLE_GLUE = re.compile(r"[A-Z][\w'-]*\s+(?:(?:of|for|and|a|an|the|to|in|with|or|on|at|de|von|van)\s+)+$")


def _whole_name(n: str, h: str) -> bool:
    i = h.find(n)
    return i >= 0 and not _TITLE_GLUE.search(h[:i]) and not re.match(r"\s+(?:of|for|and|the|de)\s+[A-Z]", h[i + len(n):])


def _names_in_both(p: str, h: str) -> list[str]:
    return [n for n in sorted(names(h)) if _in(n, p) and not _YEAR_RE.fullmatch(n) and n not in MONTHS and _whole_name(n, h)]


def name_swap(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """A name the premise states, replaced by another name of the premise or of the same set.

    In the object, place or complement slot ("met in Gyeongju" → "met in Busan", "his predecessor
    is Yoon" → "... is Moon") the premise makes the edit false (→ contradiction). As the subject
    ("Ian Gillan is British" → "Jonathan Prew is British") the claim is about someone the premise
    does not mention, so it is unverifiable (→ neutral), and a subject swapped for another name of
    the premise is ambiguous and skipped."""
    mine = [n for n in _names_in_both(p, h) if " " in n or not h.startswith(n)]
    if not mine:
        return None
    old = rng.choice(mine)
    subject = h.lstrip('"\' ').startswith(old)
    n_words = len(old.split())
    in_premise = [n for n in sorted(names(p)) if n != old and not _in(n, h) and old not in n and n not in old
                  and n not in MONTHS and len(n.split()) == n_words]
    if in_premise and not subject and rng.random() < 0.6:
        new = rng.choice(in_premise)
    else:
        candidates = pool.get(n_words) or []
        for _ in range(5):
            new = rng.choice(candidates) if candidates else None
            if new and not _in(new, p) and not _in(new, h) and new not in MONTHS:
                break
        else:
            return None
    return _replace(h, old, new), (NEU if subject else CON), ("name_subject" if subject else "name")


def name_keep(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """A multi-word name shortened to its last word ("Cary Elwes" → "Elwes"): still entailed."""
    mine = [n for n in _names_in_both(p, h) if len(n.split()) == 2 and n.split()[-1][0].isupper()]
    if not mine:
        return None
    old = rng.choice(mine)
    last = old.split()[-1]
    if len(last) < 3 or h.count(old) != 1:
        return None
    return _replace(h, old, last), ENT, "keep_name"


def role_swap(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """Two names of the hypothesis exchanged ("A defeated B" → "B defeated A"), when what lies between
    them is not symmetric ("A and B met")."""
    mine = sorted(((h.find(n), n) for n in _names_in_both(p, h) if h.count(n) == 1), key=lambda x: x[0])
    for (i, a), (j, b) in zip(mine, mine[1:]):
        between = h[i + len(a): j]
        if a in b or b in a or _SYMMETRIC.search(between) or len(between.split()) < 1 or len(between.split()) > 8 \
                or not _VERBISH.search(between):
            continue
        return h[:i] + b + between + a + h[j + len(b):], CON, "role"
    return None


def negate(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """The first auxiliary negated ("was born" → "was not born")."""
    m = _AUX.search(h)
    if not m or re.search(r"\b(not|no|never|n't)\b", h):
        return None
    return h[: m.end()] + " not" + h[m.end():], CON, "negation"


def antonym(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    words = [(m.start(), m.group(0)) for m in re.finditer(r"\b[a-z]+\b", h) if m.group(0) in ANTONYMS]
    words = [(i, w) for i, w in words if not _in(ANTONYMS[w], p)]  # the premise must not state both
    if not words:
        return None
    i, w = rng.choice(words)
    return h[:i] + ANTONYMS[w] + h[i + len(w):], CON, "antonym"


def unstated_year(p: str, h: str, rng: random.Random, pool: dict) -> Edit:
    """A year the premise never mentions added to the hypothesis: unverifiable (→ neutral)."""
    if _YEAR_RE.search(p) or _YEAR_RE.search(h) or any(_in(m, p) for m in MONTHS):
        return None
    body = h.rstrip()
    end = body[-1] if body and body[-1] in ".!" else ""
    body = body[: len(body) - len(end)].rstrip()
    if not body or len(body.split()) < 4 or body.endswith(('"', "'", ")")):
        return None
    return f"{body} in {rng.randint(1950, 2024)}{end or '.'}", NEU, "unstated_year"


SWAPS: dict[str, Callable] = {"date": date_swap, "month": month_swap, "number": number_swap,
                              "ordinal": ordinal_swap, "name": name_swap, "role": role_swap,
                              "negation": negate, "antonym": antonym}
KEEPS: dict[str, Callable] = {"keep_date": date_keep, "keep_name": name_keep, "keep_number": number_swap}


def counterfactuals(pairs: list[Pair], n: int, rng: random.Random, neutral_share: float = 0.15,
                    keep_share: float = 0.6, role_first: float = 0.0) -> list[Pair]:
    """Up to about n contradicting one-slot edits of the entailed pairs in `pairs`, each premise's edit
    paired with a true counterpart of the same premise where one exists, then more true re-wordings
    until they are `keep_share` of the edits, plus `neutral_share * n` unverifiable additions.
    Deterministic in `rng`."""
    pool: dict[int, list[str]] = {}
    for pr in pairs:
        for name in names(pr.hypothesis):
            if name not in MONTHS and not name.isdigit() and (" " in name or not pr.hypothesis.startswith(name)):
                pool.setdefault(len(name.split()), []).append(name)
    for k in pool:
        pool[k] = sorted(set(pool[k]))
    entailed = [pr for pr in pairs if pr.label == ENT]
    rng.shuffle(entailed)
    seen = {(pr.premise, pr.hypothesis) for pr in pairs}
    out: list[Pair] = []
    n_con = n_neu = 0

    def add(pr: Pair, edit: Edit) -> bool:
        if edit is None:
            return False
        text, label, kind = edit
        if label == NEU and n_neu >= neutral_share * n:
            return False
        text = re.sub(r"\s+", " ", text).strip()
        if not text or text == pr.hypothesis or (pr.premise, text) in seen:
            return False
        seen.add((pr.premise, text))
        out.append(Pair(pr.premise, text, label, f"{pr.source}{EDIT_TAG}{kind}"))
        return True

    slots = ["date", "month", "number", "ordinal", "name"]
    for pr in entailed:
        if n_con >= n and n_neu >= neutral_share * n:
            break
        if n_con < n:
            order = rng.sample(slots, len(slots))
            # a role swap needs two names and is rarer than a slot swap: try it first a share of the time
            order = (["role"] + order) if rng.random() < role_first else (order + ["role"])
            order += rng.sample(["negation", "antonym"], 2) if rng.random() < 0.2 else []
            for name in order:
                edit = SWAPS[name](pr.premise, pr.hypothesis, rng, pool)
                if edit is not None and edit[1] == ENT:  # number_swap also makes true bounds
                    add(pr, edit)
                    continue
                if add(pr, edit):
                    n_con += edit[1] == CON
                    n_neu += edit[1] == NEU
                    # the true counterpart of the same premise, when one can be made
                    for keep in rng.sample(list(KEEPS), len(KEEPS)):
                        k = KEEPS[keep](pr.premise, pr.hypothesis, rng, pool)
                        if k is not None and k[1] == ENT and add(pr, k):
                            break
                    break
        if n_neu < neutral_share * n and add(pr, unstated_year(pr.premise, pr.hypothesis, rng, pool)):
            n_neu += 1
    n_keep = sum(p.label == ENT for p in out)
    for pr in entailed:  # more true re-wordings, so an edit alone is never a cue for contradiction
        if n_keep >= keep_share * n_con:
            break
        for keep in rng.sample(list(KEEPS), len(KEEPS)):
            k = KEEPS[keep](pr.premise, pr.hypothesis, rng, pool)
            if k is not None and k[1] == ENT and add(pr, k):
                n_keep += 1
                break
    return out
