"""The counterfactual generator for training pairs (verify/nli/counterfactual.py): each editor on real
sentence shapes, the labels it assigns, and determinism of the whole mix."""
import random

import pytest

from verify.nli import counterfactual as cf
from verify.nli.data import LABEL2ID, Pair

ENT, NEU, CON = LABEL2ID["entailment"], LABEL2ID["neutral"], LABEL2ID["contradiction"]
P_SUMMIT = ("Xi Jinping and Lee Jae-myung held their first face-to-face talks on 1 November 2025 in Gyeongju, "
            "on the sidelines of the APEC summit hosted by Busan officials.")


def edit(fn, premise, hypothesis, seed=0, pool=None):
    return fn(premise, hypothesis, random.Random(seed), pool or {1: ["Madrid", "Lisbon"], 2: ["Ana Costa", "Moon Jae-in"]})


@pytest.mark.parametrize("seed", range(6))
def test_a_year_stated_by_the_premise_becomes_another_year(seed):
    out = edit(cf.date_swap, "Cary Elwes (born 26 October 1962) is an English actor.", "Cary Elwes was born in 1962.", seed)
    text, label, kind = out
    assert label == CON and kind == "date" and "1962" not in text and text.startswith("Cary Elwes was born in ")


def test_a_year_the_premise_does_not_state_is_never_swapped():
    assert edit(cf.date_swap, "Cary Elwes is an English actor.", "Cary Elwes was born in 1962.") is None


@pytest.mark.parametrize("seed", range(8))
def test_date_keep_stays_true_or_is_labelled_false(seed):
    text, label, kind = edit(cf.date_keep, "Lee was sworn in as President on 4 June 2025.",
                             "Lee was sworn in on 4 June 2025.", seed)
    assert label == ENT and kind == "keep_date"
    assert text in {"Lee was sworn in on June 4, 2025.", "Lee was sworn in in June 2025.", "Lee was sworn in in 2025."}


def test_year_bounds_keep_the_right_side():
    labels = {}
    for seed in range(40):
        text, label, _ = edit(cf.date_keep, "The bridge opened in 1998.", "The bridge opened in 1998.", seed)
        labels[text] = label
    for text, label in labels.items():
        year = int(text.rstrip(".").split()[-1].rstrip("s"))
        if "before" in text:
            assert (label == ENT) == (year > 1998), text
        elif "after" in text:
            assert (label == ENT) == (year < 1998), text
        else:
            assert text == "The bridge opened in the 1990s." and label == ENT
    assert {ENT, CON} <= set(labels.values())


def test_number_edits_bound_or_change_the_count():
    seen = set()
    for seed in range(60):
        out = edit(cf.number_swap, "The two sides signed 12 agreements.", "They signed 12 agreements.", seed)
        if out is None:
            continue
        text, label, _ = out
        seen.add((text, label))
        if text.startswith(("They signed more than 10", "They signed over 10", "They signed at least 10",
                            "They signed twelve", "They signed about 12", "They signed around 12", "They signed roughly 12")):
            assert label == ENT, text
        else:
            assert label == CON, text
    assert any(lab == ENT for _, lab in seen) and any(lab == CON for _, lab in seen)


@pytest.mark.parametrize("hypothesis", ["Sales rose on June 13, 1986.", "The F-35 first flew in 2006.",
                                        "He read about 40 books.", "Windows 95 sold well."])
def test_days_names_and_hedged_numbers_are_not_counts(hypothesis):
    premise = "Sales rose on June 13, 1986. The F-35 first flew in 2006. He read about 40 books. Windows 95 sold well."
    assert all(edit(cf.number_swap, premise, hypothesis, s) is None for s in range(10))


def test_a_place_in_the_object_slot_is_a_contradiction_and_a_new_subject_is_unverifiable():
    text, label, kind = edit(cf.name_swap, P_SUMMIT, "Xi and Lee met in Gyeongju.", 1)
    assert label == CON and kind == "name" and "Gyeongju" not in text
    text, label, kind = edit(cf.name_swap, "Ian Gillan (born 19 August 1945) is an English singer.",
                             "Ian Gillan is British.", 0)
    assert (label, kind) == (NEU, "name_subject") and text.endswith(" is British.") and "Ian Gillan" not in text


def test_role_swap_skips_symmetric_relations():
    p = "Napoleon Bonaparte was defeated by Arthur Wellesley at Waterloo. Napoleon Bonaparte and Arthur Wellesley met."
    assert edit(cf.role_swap, p, "Napoleon Bonaparte and Arthur Wellesley met.") is None
    text, label, kind = edit(cf.role_swap, p, "Arthur Wellesley defeated Napoleon Bonaparte.")
    assert (text, label, kind) == ("Napoleon Bonaparte defeated Arthur Wellesley.", CON, "role")


def test_negation_antonym_and_unstated_year():
    assert edit(cf.negate, "The museum is closed on Mondays.", "The museum is closed on Mondays.") == \
        ("The museum is not closed on Mondays.", CON, "negation")
    assert edit(cf.negate, "x", "The museum is not open.") is None
    assert edit(cf.antonym, "The museum is closed on Mondays.", "The museum is closed on Mondays.") == \
        ("The museum is opened on Mondays.", CON, "antonym")
    text, label, kind = edit(cf.unstated_year, "A man plays a guitar on a stage.", "A man is playing music.")
    assert label == NEU and kind == "unstated_year" and text.startswith("A man is playing music in ")
    assert edit(cf.unstated_year, "In 2019 a man played.", "A man is playing music.") is None


def test_mix_is_balanced_deterministic_and_only_edits_entailed_pairs():
    base = [Pair(P_SUMMIT, "Xi and Lee met in Gyeongju.", ENT, "t"),
            Pair("Cary Elwes (born 26 October 1962) is an English actor.", "Cary Elwes was born on 26 October 1962.", ENT, "t"),
            Pair("The two sides signed 12 agreements in 2025.", "They signed 12 agreements.", ENT, "t"),
            Pair("The museum is closed on Mondays.", "The museum is closed on Mondays.", ENT, "t"),
            Pair("The council approved the plan in 2021.", "The council rejected the plan in 2021.", CON, "t")] * 3
    a = cf.counterfactuals(base, 20, random.Random(5))
    b = cf.counterfactuals(base, 20, random.Random(5))
    assert a == b and a
    assert all(p.source.startswith("t+cf_") for p in a)
    assert not any(p.premise.startswith("The council") for p in a)  # contradiction pairs are never edited
    assert {p.label for p in a} >= {ENT, CON}
    assert len({(p.premise, p.hypothesis) for p in a}) == len(a)  # no duplicates
