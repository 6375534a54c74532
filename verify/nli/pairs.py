"""One labelled NLI pair and the label ids of the training head (shared by data.py and counterfactual.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass

# 3-way head order; 2-way sets use "not_entailment" = neutral OR contradiction.
LABEL2ID = {"entailment": 0, "neutral": 1, "contradiction": 2, "not_entailment": 3}


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: int  # index in LABEL2ID
    source: str
    hard: bool = False  # trained on its label alone, never on a teacher's soft target (a relabelled pair)


# Capitalised word runs ("Lee Jae-myung", "Gyeongju"): a cheap stand-in for names. Leading
# function words that are capitalised only because they start a sentence are dropped.
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*(?: [A-Z][\w'-]*)*")
_NOT_NAMES = frozenset("""a an and after although as at before but by during for from he her his however
in it its on since she that the their there these they this those to when while with""".split())


def names(text: str) -> set[str]:
    found = set()
    for run in _CAPITALISED.findall(text):
        words = run.split(" ")
        while words and words[0].lower() in _NOT_NAMES:
            words.pop(0)
        if words:
            found.add(" ".join(words))
    return found
