"""verify.checks: table-driven claim/evidence cases (tests/data/check_cases.yaml) plus unit tests
of extraction and normalisation."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
import yaml

from verify.checks import check_pair, combine, extract_dates, extract_durations, extract_quantities, summarize
from verify.checks.compare import Interval, relate
from verify.text.lexicon import current
from verify.text.words import lemmatize
from verify.checks.numbers import parse_number, parse_ordinal
from verify.records import CheckFinding

CASES = yaml.safe_load((Path(__file__).parent / "data" / "check_cases.yaml").read_text(encoding="utf-8"))


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def test_case_table_is_large_and_well_formed():
    ids = [c["id"] for c in CASES]
    assert len(CASES) >= 150
    assert len(ids) == len(set(ids))
    assert {c["expected"] for c in CASES} == {"consistent", "inconsistent", "none"}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    findings = check_pair(case["claim"], case["evidence"], _date(case.get("doc_date")), _date(case.get("evidence_date")))
    explanation = [f"{f.kind}/{f.relation}: {f.explanation}" for f in findings]
    assert summarize(findings) == case["expected"], explanation
    if case.get("combined"):
        assert combine(case["claim"], findings) == case["combined"], explanation
    if case.get("no_findings"):
        assert findings == [], explanation
    if case.get("kind"):
        assert any(f.kind == case["kind"] and f.relation == case["expected"] for f in findings), explanation
    for f in findings:
        assert f.claim_span is not None and 0 <= f.claim_span[0] < f.claim_span[1] <= len(case["claim"])
        if f.evidence_span is not None:
            assert 0 <= f.evidence_span[0] < f.evidence_span[1] <= len(case["evidence"])
        assert f.explanation.endswith(f.relation)


# --- numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, value",
    [
        ("28,500", 28500), ("3.5", 3.5), ("eleven", 11), ("a dozen", 12), ("twenty-eight thousand", 28000),
        ("two million", 2_000_000), ("one hundred and five", 105), ("ninety-nine", 99), ("1,000,000", 1e6),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_rejects_non_numbers():
    assert parse_number("agreements") is None
    assert parse_number("") is None


@pytest.mark.parametrize("text, value", [("second", 2), ("3rd", 3), ("twentieth", 20), ("twenty-first", 21), ("101st", 101)])
def test_parse_ordinal(text, value):
    assert parse_ordinal(text) == value


@pytest.mark.parametrize(
    "word, lemma",
    [("agreements", "agreement"), ("memoranda", "memorandum"), ("MOUs", "mou"), ("companies", "company"),
     ("troops", "troop"), ("crises", "crisis"), ("status", "status"), ("speeches", "speech")],
)
def test_lemmatize(word, lemma):
    assert lemmatize(word) == lemma


def test_noun_families_join_synonyms_only():
    assert current().noun_family("memorandum") == current().noun_family("agreement") == current().noun_family("mou")
    assert current().noun_family("soldier") == current().noun_family("troop")
    assert current().noun_family("summit") == current().noun_family("meeting")
    assert current().noun_family("visit") != current().noun_family("meeting")
    assert current().noun_family("tank") == "tank"


# --- quantity extraction ------------------------------------------------------------------------

def _only(text: str):
    quantities = extract_quantities(text)
    assert len(quantities) == 1, quantities
    return quantities[0]


def test_more_than_ten_agreements():
    text = "The two nations are finalizing more than ten agreements covering the digital economy."
    q = _only(text)
    assert (q.kind, q.low, q.high, q.low_inclusive, q.noun, q.noun_text) == ("count", 10, math.inf, False, "agreement", "agreements")
    assert text[q.span[0]:q.span[1]] == "more than ten"
    assert q.describe() == ">10 agreements"


@pytest.mark.parametrize(
    "text, low, high, low_inc, high_inc, approx",
    [
        ("about 100 troops", 90, 110, True, True, True),
        ("nearly 100 troops", 90, 100, True, False, True),
        ("at least 20 troops", 20, math.inf, True, False, False),
        ("fewer than five troops", 0, 5, True, False, False),
        ("up to 200 troops", 0, 200, True, True, False),
        ("between 100,000 and 200,000 troops", 100_000, 200_000, True, True, False),
        ("10-12 troops", 10, 12, True, True, False),
        ("dozens of troops", 24, 144, True, False, True),
    ],
)
def test_bounds_become_intervals(text, low, high, low_inc, high_inc, approx):
    q = _only(text)
    assert (q.low, q.high, q.low_inclusive, q.high_inclusive, q.approx) == pytest.approx((low, high, low_inc, high_inc, approx))
    assert q.noun == "troop"


@pytest.mark.parametrize(
    "text, value, unit",
    [("$4.2 million", 4.2e6, "USD"), ("€300", 300, "EUR"), ("1.2 billion won", 1.2e9, "KRW"), ("USD 5m", 5e6, "USD"),
     ("£50 million", 5e7, "GBP"), ("$17bn", 1.7e10, "USD")],
)
def test_money(text, value, unit):
    q = _only(f"It cost {text}.")
    assert q.kind == "money" and q.unit == unit and q.low == pytest.approx(value)


@pytest.mark.parametrize("text", ["45%", "45 percent", "45 per cent"])
def test_percent(text):
    q = _only(f"Turnout was {text}.")
    assert (q.kind, q.unit, q.low) == ("percent", "%", 45)


def test_percent_of_noun():
    assert _only("45% of voters agreed").noun == "voter"


def test_counted_noun_skips_modifiers_and_stops_at_participles():
    assert _only("28,500 US troops stationed in Korea").noun == "troop"
    assert _only("ten new trade deals were signed").noun == "deal"
    assert _only("14 memorandums of understanding").noun == "memorandum"


def test_ordinals_need_an_event_noun():
    q = _only("this is the second summit between Xi and Lee")
    assert (q.kind, q.value, q.noun) == ("ordinal", 2, "summit")
    for text in ["the second-largest economy", "the second most populous city", "wait a second.", "they first met",
                 "in the second half", "a second later"]:
        assert [x for x in extract_quantities(text) if x.kind == "ordinal"] == [], text


@pytest.mark.parametrize(
    "text",
    ["Call 555-123-4567 now", "at 10:30 am", "NY 10118", "Python 3.11", "page 12", "section 4.2", "won 3-1",
     "in 2023", "one of the best", "aged 61", "flight 8021", "the two leaders met", "version 2.3.1"],
)
def test_traps_give_no_quantities(text):
    assert extract_quantities(text) == []


def test_year_followed_by_plural_noun_is_a_count():
    q = _only("1500 soldiers crossed the river")
    assert (q.kind, q.low, q.noun) == ("count", 1500, "soldier")


# --- dates --------------------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("on 4 June 2024", D(2024, 6, 4), D(2024, 6, 4)),
        ("on June 4, 2024", D(2024, 6, 4), D(2024, 6, 4)),
        ("on 2024-06-04", D(2024, 6, 4), D(2024, 6, 4)),
        ("in January 2026", D(2026, 1, 1), D(2026, 1, 31)),
        ("in 2023", D(2023, 1, 1), D(2023, 12, 31)),
        ("in mid-2025", D(2025, 5, 1), D(2025, 8, 31)),
        ("in early 2024", D(2024, 1, 1), D(2024, 4, 30)),
        ("in late 2023", D(2023, 9, 1), D(2023, 12, 31)),
        ("in Q3 2024", D(2024, 7, 1), D(2024, 9, 30)),
        ("in the 1990s", D(1990, 1, 1), D(1999, 12, 31)),
        ("on 13/06/2024", D(2024, 6, 13), D(2024, 6, 13)),
        ("on 04/06/2024", D(2024, 4, 6), D(2024, 6, 4)),  # ambiguous: hull of both readings
    ],
)
def test_absolute_dates(text, start, end):
    (d,) = extract_dates(text)
    assert (d.start, d.end) == (start, end)


def test_ambiguous_numeric_date_is_flagged():
    (d,) = extract_dates("on 04/06/2024")
    assert d.granularity == "ambiguous"


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("last November", D(2025, 11, 1), D(2025, 11, 30)),
        ("next week", D(2026, 1, 5), D(2026, 1, 11)),
        ("two months ago", D(2025, 11, 1), D(2025, 11, 30)),
        ("yesterday", D(2026, 1, 1), D(2026, 1, 1)),
        ("starting Sunday", D(2026, 1, 4), D(2026, 1, 4)),
        ("last year", D(2025, 1, 1), D(2025, 12, 31)),
        ("in November", D(2025, 11, 1), D(2025, 11, 30)),
    ],
)
def test_relative_dates_resolve_against_the_document_date(text, start, end):
    (d,) = extract_dates(text, D(2026, 1, 2))  # a Friday
    assert (d.start, d.end, d.relative) == (start, end, True)


@pytest.mark.parametrize("text", ["last November", "next week", "two months ago", "yesterday", "on Sunday", "in November"])
def test_relative_dates_without_anchor_stay_unresolved(text):
    (d,) = extract_dates(text)
    assert not d.resolved and d.start is None


def test_last_month_name_in_same_month_means_a_year_ago():
    (d,) = extract_dates("last November", D(2025, 11, 20))
    assert d.start == D(2024, 11, 1)


@pytest.mark.parametrize(
    "text, start, end",
    [
        # issue 16: a document dated Wednesday 5 November 2025; the clause's tense picks the year
        ("The bridge reopened in March", D(2025, 3, 1), D(2025, 3, 31)),
        ("The terminal will open in March", D(2026, 3, 1), D(2026, 3, 31)),
        ("The terminal is due to open in March", D(2026, 3, 1), D(2026, 3, 31)),
        ("The council approved a flood plan in June", D(2025, 6, 1), D(2025, 6, 30)),
        ("in June", D(2025, 6, 1), D(2025, 6, 30)),  # no tense: the nearest June, one month only
        ("The fair will return in June", D(2026, 6, 1), D(2026, 6, 30)),
        ("Prices fell in December", D(2024, 12, 1), D(2024, 12, 31)),
        ("The storm struck the coast on Monday", D(2025, 11, 3), D(2025, 11, 3)),
        ("The minister will visit on Monday", D(2025, 11, 10), D(2025, 11, 10)),
        ("The bridge reopened on 3 March", D(2025, 3, 3), D(2025, 3, 3)),
        ("The bridge will reopen on 3 March", D(2026, 3, 3), D(2026, 3, 3)),
        ("It was signed in November", D(2025, 11, 1), D(2025, 11, 30)),
    ],
)
def test_bare_months_and_weekdays_follow_the_clause_tense(text, start, end):
    (d,) = extract_dates(text, D(2025, 11, 5))
    assert (d.start, d.end) == (start, end)
    assert d.granularity in ("day", "month")  # one month of one year, never a 13-month hull


@pytest.mark.parametrize(
    "text", ["The visit began on Sunday, 4 January 2026.", "It began on 4 January 2026 (Sunday).", "on Sunday, January 4"]
)
def test_a_weekday_next_to_a_calendar_date_is_that_date(text):
    dates = extract_dates(text, D(2026, 1, 3))
    assert [(d.start, d.end) for d in dates] == [(D(2026, 1, 4), D(2026, 1, 4))]


def test_tense_is_read_from_the_dates_own_clause():
    from verify.checks.lexicon import clause_tense

    text = "The bridge reopened in March, and the terminal will open in June."
    assert clause_tense(text, text.index("March")) == "past"
    assert clause_tense(text, text.index("June")) == "future"
    assert clause_tense("The market opens in May.", 16) is None


@pytest.mark.parametrize(
    "text, describe, noun",
    [
        ("Storm Alda left about 80,000 homes without power.", "[72,000, 88,000] homes", "home"),
        ("About 80,000 homes lost power.", "[72,000, 88,000] homes", "home"),
        ("winds of up to 140 km/h", "\u2264140 km/h", "km/h"),
        ("gusts of 90 miles per hour", "90 miles per hour", "mph"),
        ("a rise of 5 mg/dL", "5 mg/dL", "mg/dl"),
        ("troops across the border: 300 soldiers across the border", "300 soldiers", "soldier"),
    ],
)
def test_counted_noun_is_the_nearest_head_and_compound_units_stay_whole(text, describe, noun):
    q = extract_quantities(text)[-1]
    assert (q.describe(), q.noun) == (describe, noun)


def test_speed_aliases_share_a_family():
    assert current().noun_family("kph") == current().noun_family("km/h") == current().noun_family("kilometre/hour")


def test_counts_are_not_dates():
    assert extract_dates("1500 soldiers and 2,023 policies") == []


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("in two months", 2 * 30.44 - 15.22, 2 * 30.44 + 15.22),
        ("in a mere two months", 2 * 30.44 - 15.22, 2 * 30.44 + 15.22),
        ("within three weeks", 0, 24.5),
        ("in less than a year", 0, 365.25),
    ],
)
def test_durations(text, low, high):
    (d,) = extract_durations(text)
    assert (d.low_days, d.high_days) == pytest.approx((low, high))


def test_ago_is_a_date_not_a_duration():
    assert extract_durations("two months ago") == []


# --- comparison ---------------------------------------------------------------------------------

def test_relate_intervals():
    more_than_ten = Interval(10, math.inf, False, False)
    assert relate(more_than_ten, Interval(14, 14)) == "consistent"
    assert relate(more_than_ten, Interval(10, 10)) == "inconsistent"
    assert relate(more_than_ten, Interval(0, 5, True, False)) == "inconsistent"
    assert relate(Interval(14, 14), more_than_ten) == "unrelated"
    assert relate(Interval(90, 100, True, False), Interval(100, 100), evidence_slack=5) == "unrelated"


def test_findings_are_records_with_spans_and_explanations():
    claim = "The two nations are finalizing more than ten agreements."
    evidence = "They signed 14 memorandums of understanding."
    (finding,) = check_pair(claim, evidence)
    assert isinstance(finding, CheckFinding)
    assert claim[finding.claim_span[0]:finding.claim_span[1]] == "more than ten"
    assert evidence[finding.evidence_span[0]:finding.evidence_span[1]] == "14"
    assert finding.explanation == "claim: >10 agreements; evidence: 14 memorandums → consistent"
    assert CheckFinding.model_validate_json(finding.model_dump_json()) == finding


def test_unmatched_claim_quantity_is_reported_unrelated():
    (finding,) = check_pair("More than ten agreements were signed.", "The weather was fine.")
    assert finding.relation == "unrelated" and finding.evidence_span is None


def test_summarize():
    def f(relation: str) -> CheckFinding:
        return CheckFinding(kind="numeric", relation=relation, explanation="x")

    assert summarize([]) == "none"
    assert summarize([f("unrelated")]) == "none"
    assert summarize([f("consistent"), f("unrelated")]) == "consistent"
    assert summarize([f("consistent"), f("inconsistent")]) == "inconsistent"


@pytest.mark.parametrize(
    "text, slack",
    [("28,500 troops", 50), ("two million people", 100_000), ("8 agreements", 0), ("45%", 0.5), ("45.3%", 0.05),
     ("about 100 troops", 0)],
)
def test_rounding_slack(text, slack):
    from verify.checks.compare import rounding_slack

    assert rounding_slack(_only(text)) == pytest.approx(slack)


def test_names_at_sentence_start_are_only_possible_names():
    from verify.checks.lexicon import names_in

    sure, every = names_in("Police said Xi met Lee Jae-myung in Seoul.")
    assert {"xi", "lee", "jae", "myung", "korea"} <= sure  # Seoul is aliased to Korea
    assert "police" in every and "police" not in sure
