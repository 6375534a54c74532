"""The whole pipeline on the seed article and its curated corpus, with the embedded model."""
import datetime as dt

import pytest

from verify import Document, Pipeline
from verify.corpus import load_corpus
from verify.extract import load_document

SEED = "claims/seed-summit"


@pytest.fixture(scope="module")
def pipe():
    return Pipeline()


@pytest.fixture(scope="module")
def seed_report(pipe, repo, tmp_path_factory):
    corpus = tmp_path_factory.mktemp("c") / "corpus"
    import shutil

    shutil.copytree(repo / SEED / "corpus", corpus, ignore=shutil.ignore_patterns(".verify-index"))
    doc = load_document(repo / SEED / "article.txt", date=dt.date(2026, 1, 3))
    return doc, corpus, pipe.check(doc, corpus)


def test_report_contract(seed_report):
    doc, _, report = seed_report
    worthy = [c for c in report.claims if c.checkworthy]
    assert len(worthy) >= 15
    assert [v.claim_id for v in report.verdicts] == [c.id for c in worthy]
    for c in report.claims:
        a, b = c.source_span
        assert doc.text[a:b].strip() == doc.text[a:b] and b > a
    for v in report.verdicts:
        assert set(v.probabilities) == {"supported", "contradicted", "not_enough_info"}
        assert abs(sum(v.probabilities.values()) - 1) < 1e-3
        assert v.label in v.probabilities
    assert report.summary["checkworthy"] == len(worthy)
    # the score image: raw probabilities for every scored window, at most the pair budget per claim
    # (plus one window per passage whose checks decide something), and the verdict's features
    by_claim = {}
    for w in report.window_scores:
        by_claim.setdefault(w.claim_id, []).append(w)
        assert abs(w.entailment + w.neutral + w.contradiction - 1) < 1e-3 and doc.text  # raw: a distribution
    for v in report.verdicts:
        windows = by_claim.get(v.claim_id, [])
        decided = {f.passage_id for f in report.findings.get(v.claim_id, []) if f.relation != "unrelated"}
        assert len(windows) <= report.provenance["pairs"] + len(decided)
        assert v.aggregator == "rules" and set(v.features) == {"S", "C"}
        for cited in v.evidence:
            raw = next(w for w in windows if w.doc_span == cited.span and w.passage_id == cited.passage_id)
            assert cited.raw_entailment == round(raw.entailment, 4)
    assert report.provenance["model_hash"] and report.provenance["index_hash"]
    assert {"extract", "index", "retrieve", "score", "aggregate"} <= set(report.timings)


def test_cited_spans_point_into_the_corpus_documents(seed_report):
    _, corpus, report = seed_report
    docs = {d.id: d.text for d in load_corpus(corpus)}
    cited = [e for v in report.verdicts for e in v.evidence]
    assert cited
    for e in cited:
        a, b = e.span
        assert docs[e.doc_id][a:b] == e.text


def test_seed_verdicts_mostly_supported(seed_report):
    """The article agrees with its background corpus: few of its claims may come out contradicted."""
    _, _, report = seed_report
    labels = [v.label for v in report.verdicts]
    assert labels.count("supported") >= len(labels) // 3, labels
    assert labels.count("contradicted") <= len(labels) // 4, labels


def test_true_and_false_variants(pipe, seed_report):
    _, corpus, _ = seed_report
    report = pipe.check_claims([
        "Lee Jae-myung took office in mid-2025.",
        "Lee Jae-myung took office in 2023.",
        "The two countries prepared more than ten agreements.",
        "The two countries prepared fewer than five agreements.",
        "Lee Jae-myung will meet the Japanese emperor in March.",
    ], corpus, date=dt.date(2026, 1, 3))
    got = [v.label for v in report.verdicts]
    assert got[0] == "supported" and got[1] == "contradicted", got
    assert got[2] == "supported" and got[3] == "contradicted", got
    assert got[4] != "supported", got
    assert any("agreement" in f.explanation for f in report.verdicts[3].checks)


def test_checks_switch_changes_a_numeric_verdict(seed_report):
    _, corpus, _ = seed_report
    claim = ["China and South Korea signed more than twenty agreements during Lee's state visit."]  # the corpus says 14
    with_checks = Pipeline(checks=True).check_claims(claim, corpus)
    without = Pipeline(checks=False).check_claims(claim, corpus)
    assert with_checks.verdicts[0].label == "contradicted"
    assert without.verdicts[0].label != "contradicted"  # the NLI model alone misses "more than twenty" vs 14
    assert any(f.relation == "inconsistent" for f in with_checks.verdicts[0].checks) and not without.verdicts[0].checks


def test_oracle_judge_and_inline_corpus(pipe):
    from verify.corpus import SourceDoc

    verdicts = pipe.judge(["The museum has 12 galleries.", "The museum has 30 galleries."],
                          [["The museum has 30 galleries on three floors."]] * 2)
    assert [v.label for v in verdicts] == ["contradicted", "supported"]
    report = pipe.check(Document(text="The Louvre is in Paris. It opened in 1793."),
                        [SourceDoc(id="louvre", text="The Louvre museum in Paris opened to the public in 1793."),
                         SourceDoc(id="other", text="Football is played with a round ball.")])
    assert report.verdicts and report.verdicts[0].evidence[0].doc_id == "louvre"


def test_a_topical_window_does_not_support_a_claim(pipe):
    """The model entails a claim from an abstract sentence that shares one word with it (p≈0.9 on
    the shipped model); relevance weighting keeps that from becoming `supported`. (The same two
    sentences in ONE passage: tests/test_aggregate.py::test_window_selection_bug_on_the_real_model.)"""
    claim = "Active H. pylori urease has a polymeric structure that comprises two subunits, UreA and UreB."
    topical = ("Urease produces NH(3) and CO(2), neutralizing entering protons and thus buffering the periplasm "
               "to a pH of roughly 6.1 even in gastric juice at a pH below 2.0.")
    stating = "Active H. pylori urease has a polymeric structure with two subunits, UreA and UreB."
    off, on = pipe.judge([claim, claim], [[topical], [stating]])
    assert off.label == "not_enough_info", off
    assert on.label == "supported", on


@pytest.mark.slow
def test_readme_python_example_runs(repo, monkeypatch):
    """The README's Python API example, executed as written."""
    readme = (repo / "README.md").read_text()
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(repo)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["report"].verdicts and namespace["probs"][0]["contradiction"] > 0.5


def test_early_exit_scores_the_rest_of_the_budget_only_for_unsettled_claims(repo):
    import yaml

    from verify.aggregate import ClaimRef
    from verify.pipeline import given_evidence

    data = yaml.safe_load((repo / "claims" / "finance-earnings" / "claims.yaml").read_text(encoding="utf-8"))
    passages = [p["text"] for p in data["passages"]]
    claims = [ClaimRef(f"c{i}", c["text"]) for i, c in enumerate(data["claims"])]
    evidence = given_evidence([passages] * len(claims))
    full = Pipeline(cache=False, pairs=4, settle="off")
    early = Pipeline(cache=False, pairs=4)  # the early exit is on by default (settle 0.6)
    assert early.settle == 0.6 and full.settle is None
    all_scores, _ = full.score(claims, evidence, dt.date(2025, 10, 24))
    some_scores, findings = early.score(claims, evidence, dt.date(2025, 10, 24))
    windows = {cid: [(w.passage_id, w.window_span) for w in ws] for cid, ws in all_scores.items()}
    stopped = 0
    for claim in claims:
        got = [(w.passage_id, w.window_span) for w in some_scores[claim.id]]
        assert got == [x for x in windows[claim.id] if x in got]  # a prefix of the budget, in rank order (+ deciding windows)
        if got != windows[claim.id]:  # stopped early: because its first windows settled it
            stopped += 1
            verdict = early.aggregator(claim, some_scores[claim.id], findings[claim.id])
            assert verdict.label != "not_enough_info" and verdict.probabilities[verdict.label] >= 0.6
    assert 0 < stopped < len(claims)
    assert sum(map(len, some_scores.values())) < sum(map(len, all_scores.values()))
    from verify.errors import InputError
    from verify.settings import Settings

    for bad in ("0", "1.5", "soon"):
        with pytest.raises(InputError):
            Settings.make(settle=bad)
    assert Settings.make(settle="OFF").settle is None and Settings.make(settle="0.7").settle == 0.7
