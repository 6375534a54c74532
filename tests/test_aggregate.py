"""verify.aggregate: table-driven score images (tests/data/aggregate_cases.yaml) through both
aggregators (pure, deterministic), the learned model's file, and the window-selection bug on the
real model."""
from pathlib import Path

import pytest
import yaml

from verify.aggregate import AGGREGATORS, ClaimRef, Thresholds, load_aggregator, weigh
from verify.aggregate.learned import FEATURES, LearnedAggregator, features
from verify.errors import InputError
from verify.records import CheckFinding, WindowScore

CASES = yaml.safe_load((Path(__file__).parent / "data" / "aggregate_cases.yaml").read_text(encoding="utf-8"))


def image(case) -> tuple[ClaimRef, list[WindowScore], list[CheckFinding]]:
    claim = ClaimRef("c1", case["claim"])
    windows = []
    for rank, w in enumerate(case["windows"], start=1):
        e, c = w["e"], w["c"]
        a, b = w["span"]
        windows.append(WindowScore(claim_id="c1", passage_id=w.get("passage", "p1"), doc_id=w.get("passage", "p1"),
                                   window_span=(a, b), doc_span=(a, b), text="x" * (b - a), entailment=e,
                                   neutral=round(1 - e - c, 6), contradiction=c, relevance=w["relevance"], rank=rank,
                                   overlap=w["relevance"]))
    findings = [CheckFinding(kind=f["kind"], relation=f["relation"], anchor=f.get("anchor"),
                             explanation=f"{f['relation']}", claim_span=tuple(f["claim_span"]),
                             evidence_span=tuple(f["evidence_span"]) if f.get("evidence_span") else None,
                             passage_id=f.get("passage", "p1"))
                for f in case.get("findings", [])]
    return claim, windows, findings


def test_case_table_is_well_formed():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(CASES) >= 15
    assert {c["rules"] for c in CASES} == {"supported", "contradicted", "not_enough_info"}
    assert {c["learned"] for c in CASES if "learned" in c} == {"supported", "contradicted", "not_enough_info"}


@pytest.mark.parametrize("name", AGGREGATORS)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, name):
    if name not in case:
        pytest.skip(f"no {name} expectation for this case")
    claim, windows, findings = image(case)
    verdict = load_aggregator(name)(claim, windows, findings)
    why = f"{verdict.label} {verdict.probabilities} features={verdict.features}"
    assert verdict.label == case[name], why
    assert verdict.aggregator == name
    assert abs(sum(verdict.probabilities.values()) - 1) < 1e-3
    if case.get("cited") and name == "rules":
        assert list(verdict.evidence[0].span) == case["cited"], why
    for pid, relation in case.get("checks", {}).items():
        assert any(f.passage_id == pid and f.relation == relation for f in weigh(claim.text, windows, findings)[1]), why


def test_aggregators_are_deterministic_and_keep_raw_values():
    case = next(c for c in CASES if c["id"].startswith("numeric-mismatch"))
    claim, windows, findings = image(case)
    for name in AGGREGATORS:
        agg = load_aggregator(name)
        first, second = agg(claim, windows, findings), agg(claim, windows, findings)
        assert first == second
        cited = first.evidence[0]
        assert cited.raw_entailment == windows[0].entailment and cited.raw_contradiction == windows[0].contradiction
        assert cited.contradiction >= 0.85 > cited.raw_contradiction  # the adjusted value the verdict used
        assert first.features


def test_weigh_adjusts_only_windows_carrying_a_decision():
    case = next(c for c in CASES if c["id"] == "a-finding-is-carried-by-the-window-holding-its-evidence")
    claim, windows, findings = image(case)
    weighed, _ = weigh(claim.text, windows, findings, Thresholds())
    assert [w.check for w in weighed] == ["none", "inconsistent"]
    assert weighed[0].against == pytest.approx(0.10)  # relevance 0.9 ≥ 0.5: in full, unadjusted
    assert weighed[1].against >= 0.85


def test_learned_features_are_complete_and_pure():
    case = next(c for c in CASES if c["id"] == "mismatch-on-one-slot-outweighs-match-on-another")
    claim, windows, findings = image(case)
    weighed, fs = weigh(claim.text, windows, findings)
    x = features(weighed, fs)
    assert tuple(x) == FEATURES and x == features(weighed, fs)
    assert x["check_inconsistent"] == 1.0 and x["check_slots"] == 1.0


def test_learned_model_file_matches_the_features():
    agg = LearnedAggregator.load()
    assert agg.params["features"] == list(FEATURES)
    assert set(agg.classes) == {"supported", "contradicted", "not_enough_info"}
    assert all(split.split(":")[1] == "train" for split in agg.params["trained_on"])  # never validation/test


def test_a_broken_learned_model_is_refused(tmp_path):
    bad = tmp_path / "learned.json"
    bad.write_text('{"format": "verify-aggregator/1", "features": ["s1"]}')
    with pytest.raises(InputError):
        LearnedAggregator.load(bad)
    with pytest.raises(InputError):
        load_aggregator("nope")


def test_window_selection_bug_on_the_real_model():
    """Two windows in one passage: a topical sentence (which small NLI models entail a claim from)
    and the sentence stating the claim. Before the score image, `_score` kept each passage's window
    by raw max(e, c) and only then scaled by relevance, so a topical window with the higher raw
    entailment displaced the stating one and the claim ended not_enough_info."""
    from verify import Pipeline

    claim = "Active H. pylori urease has a polymeric structure that comprises two subunits, UreA and UreB."
    topical = ("Urease produces NH(3) and CO(2), neutralizing entering protons and thus buffering the periplasm "
               "to a pH of roughly 6.1 even in gastric juice at a pH below 2.0.")
    stating = "Active H. pylori urease has a polymeric structure with two subunits, UreA and UreB."
    for passage in (f"{topical} {stating}", f"{stating} {topical}"):
        for name in AGGREGATORS:
            verdict = Pipeline(aggregator=name).judge([claim], [[passage]])[0]
            assert verdict.label == "supported", (name, passage[:20], verdict)
            assert "UreA" in verdict.evidence[0].text
