"""The benchmark harness: adapters on the real files (label counts checked against an independent
reading of the raw files), metrics against hand computations, baselines, and `verify bench` end
to end. Tests that read ../shared/data skip when it is absent."""
from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from verify.bench.baselines import LexicalBaseline, MajorityBaseline, sample_training_pairs, training_files
from verify.bench.command import bench_command
from verify.bench.datasets import (
    data_root,
    load_benchmark,
    load_generic,
    load_nli_set,
    parse_verdict_map,
    sample,
)
from verify.bench.metrics import classification_metrics, expected_calibration_error, macro_f1
from verify.bench.runner import to_label_space
from verify.bench.table import END, START, update_readme
from verify.errors import InputError

DATA = data_root()
BENCH = DATA / "bench"
needs_data = pytest.mark.skipif(not (BENCH.is_dir() and (DATA / "nli").is_dir()),
                                reason=f"shared benchmark data not found at {DATA} (set VERIFY_DATA_DIR)")


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def label_counts(examples) -> Counter:
    return Counter(ex.label for ex in examples)


@pytest.fixture()
def cli(tmp_path, monkeypatch):
    """`verify bench` as the lead's CLI registers it, with caches kept inside tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("VERIFY_RESULTS_DIR", str(tmp_path / "results-default"))  # never the repo's committed files
    app = typer.Typer()
    app.command("bench")(bench_command)
    app.command("other")(lambda: None)  # two commands, so `bench` is a subcommand as in verify.cli
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["bench", *args])


# ---------------------------------------------------------------- adapters on the real files

@needs_data
def test_scifact_labels_and_gold_sentences_match_raw_csv():
    rows = list(csv.DictReader(open(BENCH / "scifact" / "claims_validation.csv", encoding="utf-8")))
    first_label = {}
    for r in rows:
        first_label.setdefault(r["id"], r["evidence_label"])
    expected = Counter({"SUPPORT": "supported", "CONTRADICT": "contradicted", "": "not_enough_info"}[v]
                       for v in first_label.values())
    dataset = load_benchmark("scifact", "validation", dedup=False)
    assert label_counts(dataset.examples) == expected
    assert len(dataset.examples) == 300

    # an evidence row's gold text is exactly the indexed abstract sentences
    row = next(r for r in rows if r["evidence_label"] == "SUPPORT")
    corpus = {str(d["doc_id"]): d for part in sorted((BENCH / "scifact").glob("corpus.part*.jsonl")) for d in jsonl(part)}
    indices = [int(i) for i in row["evidence_sentences"].strip("[]").split()]
    gold = " ".join(corpus[str(int(float(row["evidence_doc_id"])))]["abstract"][i].strip() for i in indices)
    example = next(ex for ex in dataset.examples if ex.id == f"scifact-{row['id']}")
    assert gold in example.evidence
    assert str(int(float(row["evidence_doc_id"]))) in example.gold_doc_ids
    assert dataset.train_label_counts and sum(dataset.train_label_counts.values()) == 809
    assert len(dataset.corpus()) == 5183


@needs_data
def test_scifact_test_split_is_refused_it_has_no_labels():
    with pytest.raises(InputError, match="no labels"):
        load_benchmark("scifact", "test")


@needs_data
def test_covid_fact_two_way_labels_and_training_overlap_dropped():
    raw = jsonl(BENCH / "covid-fact" / "COVIDFACT_dataset.jsonl")
    expected = Counter({"SUPPORTED": "supported", "REFUTED": "contradicted"}[r["label"]] for r in raw)
    full = load_benchmark("covid-fact", dedup=False)
    assert label_counts(full.examples) == expected
    assert full.labels == ("supported", "contradicted")

    deduped = load_benchmark("covid-fact")
    assert deduped.dedup["dropped"] > 0
    assert deduped.dedup["dropped"] + len(deduped.examples) == len(raw)
    # independently: no kept claim is a hypothesis the covidfact training pairs contain
    train_claims = {r["hypothesis"].strip().lower() for r in jsonl(DATA / "nli" / "train" / "covidfact_rte_train.jsonl")}
    assert not any(ex.claim.strip().lower() in train_claims for ex in deduped.examples)


@needs_data
def test_covid_fact_train_split_is_exactly_the_claims_the_evaluation_drops():
    train = load_benchmark("covid-fact", "train")  # a train split is not deduplicated: it overlaps by design
    evaluated = load_benchmark("covid-fact")
    from verify.bench.datasets import norm_claim

    train_claims = {norm_claim(r["hypothesis"]) for r in jsonl(DATA / "nli" / "train" / "covidfact_rte_train.jsonl")}
    assert train.examples and all(norm_claim(ex.claim) in train_claims for ex in train.examples)
    assert not {ex.id for ex in train.examples} & {ex.id for ex in evaluated.examples}
    assert len(train.examples) + len(evaluated.examples) == len(jsonl(BENCH / "covid-fact" / "COVIDFACT_dataset.jsonl"))
    with pytest.raises(InputError, match="use all"):
        load_benchmark("covid-fact", "validation")


@needs_data
def test_fever_symmetric_deduplicated_against_fever_training_claims():
    raw = jsonl(BENCH / "fever-symmetric" / "symmetric_v0.2__fever_symmetric_test.jsonl")
    full = load_benchmark("fever-symmetric", "test", dedup=False)
    assert label_counts(full.examples) == Counter(
        {"SUPPORTS": "supported", "REFUTES": "contradicted"}[r["label"]] for r in raw)

    deduped = load_benchmark("fever-symmetric", "test")
    train = [r for part in sorted((DATA / "nli" / "train").glob("fever_rte_dev.part*.jsonl")) for r in jsonl(part)]
    words = lambda s: "".join(ch for ch in s.lower() if ch.isalnum())  # noqa: E731
    train_claims = {words(r["hypothesis"]) for r in train}
    assert deduped.dedup["by_training_set"]["fever_rte_dev"] > 100  # FEVER dev claims do recur
    assert not any(words(ex.claim) in train_claims for ex in deduped.examples)
    assert any("dropped" in note for note in deduped.notes)
    # v0.1 files name the evidence column differently; both load
    assert len(load_benchmark("fever-symmetric", "generated", dedup=False).examples) == 717


@needs_data
def test_sufficient_facts_nei_when_remaining_evidence_is_not_enough():
    expected = Counter()
    for part in ("fever", "hover", "vitaminc"):
        for r in jsonl(BENCH / "sufficient-facts" / f"data__sufficient_facts__{part}_sufficient_facts.jsonl"):
            if r["label_after"] == "NOT ENOUGH":
                expected["not_enough_info"] += 1
            elif r["label_before"] in ("SUPPORTS", "SUPPORTED"):
                expected["supported"] += 1
            else:
                expected["contradicted"] += 1
    dataset = load_benchmark("sufficient-facts", "all")
    assert label_counts(dataset.examples) == expected
    assert dataset.dedup["overlapping"] > 0 and dataset.dedup["dropped"] == 0  # counted, kept by default
    hover = load_benchmark("sufficient-facts", "hover")
    assert "contradicted" not in label_counts(hover.examples)  # HoVer has supported claims only


@needs_data
def test_nli_sets_three_way_and_two_way():
    raw = jsonl(DATA / "nli" / "heldout" / "advglue.jsonl")
    advglue = load_nli_set(DATA, "advglue")
    assert advglue.labels == ("entailment", "not_entailment")
    assert label_counts(advglue.examples) == Counter(
        "entailment" if r["label"] == "entailment" else "not_entailment" for r in raw)

    parts = sorted((DATA / "nli" / "heldout").glob("vitaminc_real_test.part*.jsonl"))
    vitaminc = load_nli_set(DATA, "vitaminc_real_test")  # NAME.partNN files are joined
    assert vitaminc.labels == ("entailment", "neutral", "contradiction")
    assert label_counts(vitaminc.examples) == Counter(r["label"] for p in parts for r in jsonl(p))
    with pytest.raises(InputError, match="not found"):
        load_nli_set(DATA, "no_such_set")


@needs_data
def test_nli_train_sets_become_aggregator_sources_with_their_recorded_meaning():
    from verify.bench.train_aggregator import as_claims, parse_source

    assert parse_source("scifact:train:oracle") == ("scifact", "train", "oracle", None)
    assert parse_source("nli:fever_rte_dev:train:oracle:300") == ("nli:fever_rte_dev", "train", "oracle", 300)
    for bad in ("scifact:validation:oracle", "nli:fever_rte_dev:heldout:oracle", "scifact:train:both",
                "scifact:train:oracle:0", "scifact"):
        with pytest.raises(InputError, match="DATASET:train"):
            parse_source(bad)
    # a 2-way set's not_entailment is read as the set's card says: FEVER dev REFUTES, FEVER NEI claims
    raw = [r for p in sorted((DATA / "nli" / "train").glob("fever_rte_dev.part*.jsonl")) for r in jsonl(p)]
    fever = as_claims(load_benchmark("nli:fever_rte_dev", "train"))
    assert fever.split == "train" and len(fever.examples) == len(raw)
    assert label_counts(fever.examples) == Counter(
        "supported" if r["label"] == "entailment" else "contradicted" for r in raw)
    assert fever.examples[0].evidence == [raw[0]["premise"]] and fever.examples[0].claim == raw[0]["hypothesis"]
    assert set(label_counts(as_claims(load_benchmark("nli:fever_nli_docnli_2way", "train")).examples)) == {"not_enough_info"}
    assert set(label_counts(as_claims(load_benchmark("nli:vitaminc_synthetic", "train")).examples)) == {
        "supported", "contradicted"}
    with pytest.raises(InputError, match="not_entailment"):  # RTE's not_entailment could be either
        as_claims(load_benchmark("nli:rte_train", "train"))
    with pytest.raises(InputError, match="heldout"):
        load_benchmark("nli:fever_rte_dev", "validation")


@needs_data
def test_train_aggregator_fits_on_nli_train_sources_and_writes_its_card(tmp_path, monkeypatch):
    from verify.aggregate.learned import FEATURES, LearnedAggregator
    from verify.cli import app

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "agg.json"
    sources = "nli:vitaminc_synthetic:train:oracle:30,nli:fever_nli_docnli_2way:train:oracle:20"
    result = CliRunner().invoke(app, ["train-aggregator", "--sources", sources, "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    params = json.loads(out.read_text())
    assert params["classes"] == ["contradicted", "not_enough_info", "supported"]
    assert sum(params["trained_on"]["nli:vitaminc_synthetic:train:oracle:30"].values()) == 30
    assert params["trained_on"]["nli:fever_nli_docnli_2way:train:oracle:20"] == {"not_enough_info": 20}
    assert params["command"] == f"verify train-aggregator --sources {sources}"
    assert f"--sources {sources}" in (tmp_path / "LEARNED.md").read_text()
    agg = LearnedAggregator.load(out)  # loads and scores: probabilities over the three labels
    probs = agg.probabilities({f: 0.5 for f in FEATURES})
    assert abs(sum(probs.values()) - 1) < 1e-9


@needs_data
def test_limit_is_a_seeded_sample_not_the_first_rows():
    examples = load_benchmark("fever-symmetric", "test", dedup=False).examples
    first = sample(examples, 30, seed=1)
    assert first == sample(examples, 30, seed=1)
    assert first != examples[:30]
    assert first != sample(examples, 30, seed=2)


def test_generic_adapter_maps_columns_and_reports_missing_ones(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("statement,source_text,verdict\nSky is blue,The sky is blue.,TRUE\n"
                    "Grass is red,Grass is green.,FALSE\n", encoding="utf-8")
    mapping = parse_verdict_map("TRUE=supported, FALSE=contradicted")
    dataset = load_generic(path, "csv", "statement", "source_text", "verdict", mapping)
    assert [ex.label for ex in dataset.examples] == ["supported", "contradicted"]
    assert dataset.examples[1].evidence == ["Grass is green."]
    with pytest.raises(InputError) as err:
        load_generic(path, "csv", "claim", "source_text", "verdict", mapping)
    assert "claim" in str(err.value) and "statement, source_text, verdict" in str(err.value)
    with pytest.raises(InputError, match="not in the label map"):
        load_generic(path, "csv", "statement", "source_text", "verdict", parse_verdict_map("TRUE=supported"))
    with pytest.raises(InputError):
        parse_verdict_map("TRUE=yes")


# ---------------------------------------------------------------- metrics by hand

def test_metrics_match_a_hand_computation():
    gold = ["supported", "supported", "contradicted", "contradicted", "supported"]
    pred = ["supported", "contradicted", "contradicted", "supported", "supported"]
    p_sup = [0.9, 0.4, 0.2, 0.7, 0.6]
    probs = [{"supported": p, "contradicted": 1 - p} for p in p_sup]
    m = classification_metrics(gold, pred, probs, ["supported", "contradicted"], seed=0, positive="supported")

    assert m["accuracy"] == pytest.approx(3 / 5)
    # supported: P = 2/3, R = 2/3 → F1 2/3; contradicted: P = 1/2, R = 1/2 → F1 1/2
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert m["confusion_matrix"]["rows_gold_cols_pred"] == [[2, 1], [1, 1]]
    # AUROC: positives {0.9, 0.4, 0.6} vs negatives {0.2, 0.7}: 4 of the 6 pairs ranked right
    assert m["auroc"] == pytest.approx(4 / 6)
    # ECE: confidences of the predicted class 0.9, 0.6, 0.8, 0.7, 0.6 in 15 bins:
    # (0.8667,0.9333]: {0.9 ✓}; (0.7333,0.8]: {0.8 ✓}; (0.6667,0.7333]: {0.7 ✗}; (0.5333,0.6]: {0.6 ✗, 0.6 ✓}
    ece = (1 * abs(1 - 0.9) + 1 * abs(1 - 0.8) + 1 * abs(0 - 0.7) + 2 * abs(0.5 - 0.6)) / 5
    assert m["ece"] == pytest.approx(ece)
    low, high = m["headline_ci95"]
    assert 0 <= low <= m["macro_f1"] <= high <= 1


def test_ece_is_zero_when_confidence_equals_accuracy_and_macro_f1_ignores_absent_classes():
    assert expected_calibration_error([0.75] * 4, [True, True, True, False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 1.0], [False, False]) == pytest.approx(1.0)
    # neutral never occurs in gold: it does not count as a class with F1 0
    assert macro_f1(["entailment", "contradiction"], ["entailment", "neutral"]) == pytest.approx(0.5)


def test_fast_bootstrap_macro_f1_agrees_with_sklearn():
    import random

    import numpy as np

    from verify.bench.metrics import _macro_f1_codes

    rng = random.Random(0)
    labels = ["entailment", "neutral", "contradiction"]
    gold = [rng.choice(labels[:2]) for _ in range(200)]  # contradiction absent from gold
    pred = [rng.choice(labels) for _ in range(200)]
    code = {c: i for i, c in enumerate(labels)}
    fast = _macro_f1_codes(np.array([code[x] for x in gold]), np.array([code[x] for x in pred]), 3)
    assert fast == pytest.approx(macro_f1(gold, pred))


def test_label_space_conversion():
    raw = {"supported": 0.2, "contradicted": 0.2, "not_enough_info": 0.6}
    assert to_label_space(raw, ["supported", "contradicted"])[1]["supported"] == pytest.approx(0.5)
    assert to_label_space(raw, ["supported", "contradicted", "not_enough_info"], "supported")[0] == "supported"
    pred, probs = to_label_space({"entailment": 0.3, "neutral": 0.5, "contradiction": 0.2}, ["entailment", "not_entailment"])
    assert pred == "not_entailment" and probs["entailment"] == pytest.approx(0.3)


# ---------------------------------------------------------------- baselines

@needs_data
def test_lexical_baseline_fits_on_training_data_and_beats_majority_on_heldout(tmp_path):
    files = training_files(DATA)
    assert all("heldout" not in str(f) for f in files)
    pairs, labels = sample_training_pairs(files, per_set=1000, seed=0)
    model = LexicalBaseline.fit(pairs, labels, seed=0)

    heldout = sample(load_nli_set(DATA, "snli_test").examples, 600, seed=3)
    probs = model.predict([(ex.evidence[0], ex.claim) for ex in heldout])
    lexical_pred = [max(p, key=p.get) for p in probs]
    majority = MajorityBaseline(Counter(labels), ("entailment", "neutral", "contradiction"), "training sample")
    gold = [ex.label for ex in heldout]
    lexical_acc = sum(g == p for g, p in zip(gold, lexical_pred)) / len(gold)
    majority_acc = sum(g == majority.label for g in gold) / len(gold)
    assert lexical_acc > majority_acc + 0.03  # weak but real: ~0.41 vs ~0.35 on SNLI

    # JSON round trip predicts the same numbers (the cache is coefficients, not a pickle)
    model.save(tmp_path / "lexical.json")
    again = LexicalBaseline.load(tmp_path / "lexical.json")
    for a, b in zip(again.predict(pairs[:5]), model.predict(pairs[:5])):
        assert all(math.isclose(a[k], b[k], abs_tol=1e-12) for k in a)


# ---------------------------------------------------------------- end to end

@needs_data
def test_bench_command_writes_results_that_match_their_own_predictions(cli, tmp_path):
    out = tmp_path / "results"
    result = cli("scifact", "--split", "validation", "--model", "lexical", "--limit", "20", "--out", str(out),
                 "--quiet", "--batch-size", "8")
    assert result.exit_code == 0, result.output
    stem = out / "scifact-validation-oracle-lexical"
    for suffix in (".json", ".md", ".confusion.png", ".reliability.png"):
        assert Path(f"{stem}{suffix}").stat().st_size > 0
    assert Path(f"{stem}.confusion.png").read_bytes()[:4] == b"\x89PNG"
    record = json.loads(Path(f"{stem}.json").read_text())
    assert record["n"] == 20 and record["limit"] == 20 and len(record["predictions"]) == 20
    assert len(record["data"]["sha256"]) == 64 and record["model"]["hash"]

    preds = record["predictions"]
    recomputed = classification_metrics([p["gold"] for p in preds], [p["pred"] for p in preds],
                                         [p["probs"] for p in preds], record["labels"], seed=record["seed"])
    for key in ("accuracy", "macro_f1", "balanced_accuracy", "ece"):
        assert record["metrics"][key] == pytest.approx(recomputed[key])
    assert record["metrics"]["confusion_matrix"] == recomputed["confusion_matrix"]
    assert record["metrics"]["accuracy"] == pytest.approx(sum(p["gold"] == p["pred"] for p in preds) / 20)

    # the per-example cache lets a rerun resume without scoring anything again
    again = cli("scifact", "--model", "lexical", "--limit", "20", "--out", str(out), "--quiet",
                "--batch-size", "8", "--resume")
    assert again.exit_code == 0, again.output
    resumed = json.loads(Path(f"{stem}.json").read_text())
    assert resumed["performance"]["resumed_examples"] == 20
    assert resumed["metrics"]["accuracy"] == record["metrics"]["accuracy"]


@needs_data
def test_majority_baseline_uses_the_training_split(cli, tmp_path):
    result = cli("scifact", "--model", "majority", "--limit", "50", "--out", str(tmp_path), "--quiet")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "scifact-validation-oracle-majority.json").read_text())
    assert record["settings"]["majority_source"].startswith("training split")
    assert {p["pred"] for p in record["predictions"]} == {"supported"}  # SciFact train: 332 supported of 809


@needs_data
def test_nli_suite_and_table_and_compare(cli, tmp_path):
    out = tmp_path / "results"
    for model in ("majority", "lexical"):
        result = cli("nli", "--sets", "fm2,advglue", "--model", model, "--limit", "40", "--out", str(out), "--quiet")
        assert result.exit_code == 0, result.output
    record = json.loads((out / "nli-lexical.json").read_text())
    assert set(record["sets"]) == {"fm2", "advglue"}
    assert record["sets"]["advglue"]["scoring"].startswith("2-way") and record["sets"]["advglue"]["auroc"] is not None

    readme = tmp_path / "README.md"
    readme.write_text(f"# Bench\n\n{START}\nstale\n{END}\n\nafter\n", encoding="utf-8")
    update_readme(readme, out)
    text = readme.read_text()
    assert "stale" not in text and "after" in text and "| fm2 |" in text
    assert f"{record['sets']['fm2']['accuracy']:.3f}" in text

    compared = cli("--compare", str(out / "nli-majority.json"), str(out / "nli-lexical.json"))
    assert compared.exit_code == 0 and "fm2 accuracy" in compared.output


@needs_data
def test_bad_input_is_one_clear_error_with_exit_code_2(cli, tmp_path):
    missing = cli("scifact", "--model", "lexical", "--data-dir", str(tmp_path / "nowhere"), "--quiet")
    assert missing.exit_code == 2
    assert "not found" in missing.output and str(tmp_path / "nowhere") in missing.output
    assert "Traceback" not in missing.output

    bad_file = tmp_path / "claims.jsonl"
    bad_file.write_text(json.dumps({"text": "x", "gold": "SUPPORTS"}) + "\n", encoding="utf-8")
    result = cli(str(bad_file), "--verdict-map", "SUPPORTS=supported", "--model", "lexical", "--out", str(tmp_path))
    assert result.exit_code == 2 and "columns found: text, gold" in result.output

    assert cli("scifact", "--mode", "sideways").exit_code == 2
    assert cli("scifact", "--model", "lexical", "--mode", "retrieval", "--out", str(tmp_path)).exit_code == 2


# ---------------------------------------------------------------- the real model, when it is there

def _model_available() -> bool:
    try:
        from verify.nli import load_verifier

        load_verifier(None)
        return True
    except Exception:
        return False


@needs_data
@pytest.mark.slow
@pytest.mark.skipif(not _model_available(), reason="embedded verifier not trained/shipped yet (verify/models/minilm-nli)")
def test_model_oracle_run_beats_majority_on_scifact(cli, tmp_path):
    for model in ("majority", None):
        args = ["scifact", "--limit", "40", "--out", str(tmp_path), "--quiet"]
        result = cli(*args, *(["--model", model] if model else []))
        assert result.exit_code == 0, result.output
    model_run = json.loads((tmp_path / "scifact-validation-oracle-minilm-nli.json").read_text())
    majority_run = json.loads((tmp_path / "scifact-validation-oracle-majority.json").read_text())
    assert model_run["metrics"]["macro_f1"] > majority_run["metrics"]["macro_f1"]
    assert model_run["performance"]["pairs_per_second"] > 0


def test_bench_corpus_index_reuses_embeddings_when_the_corpus_changes(tmp_path):
    from verify.bench.examples import BenchDataset, BenchExample, CorpusDoc
    from verify.bench.runner import corpus_index

    docs = [CorpusDoc(id=f"d{i}", text=f"Document {i} says the bridge opened in {1900 + i}.") for i in range(6)]

    def dataset(corpus):
        return BenchDataset(name="tiny", split="test", kind="claims", labels=("supported", "contradicted"),
                            examples=[BenchExample(id="1", claim="The bridge opened in 1901.", evidence=[],
                                                   gold_doc_ids=["d1"], label="supported")],
                            files=[], corpus_loader=lambda: corpus)

    first, _, _ = corpus_index(dataset(docs), tmp_path, progress=False)
    assert first.manifest.get("reused_embeddings", 0) == 0
    grown, _, n = corpus_index(dataset(docs + [CorpusDoc(id="d9", text="A new ferry started in 2020.")]), tmp_path,
                               progress=False)
    assert n == 7 and grown.manifest["reused_embeddings"] == len(first)  # only the new passage was encoded
    assert grown.search(["ferry 2020"], k=1)[0][0].passage.doc_id == "d9"


def test_another_split_of_the_same_corpus_lends_its_embeddings(tmp_path):
    """SciFact train and validation share one 5,183-abstract corpus: the second index encodes nothing."""
    from verify.bench.examples import BenchDataset, BenchExample, CorpusDoc
    from verify.bench.runner import corpus_index

    docs = [CorpusDoc(id=f"d{i}", text=f"Document {i} says the bridge opened in {1900 + i}.") for i in range(4)]

    def dataset(split):
        return BenchDataset(name="tiny", split=split, kind="claims", labels=("supported", "contradicted"),
                            examples=[BenchExample(id="1", claim="The bridge opened in 1901.", evidence=[],
                                                   gold_doc_ids=["d1"], label="supported")],
                            files=[], corpus_loader=lambda: docs)

    first, _, _ = corpus_index(dataset("validation"), tmp_path, progress=False)
    other, _, _ = corpus_index(dataset("train"), tmp_path, progress=False)
    assert other.path != first.path and other.manifest["reused_embeddings"] == len(first)


def test_pair_budget_and_aggregator_name_the_results_files():
    from verify.bench.results import result_stem
    from verify.settings import PAIRS, SETTLE, Settings

    def stem(**settings):
        return result_stem({"dataset": "scifact", "split": "validation", "mode": "retrieval",
                            "model": {"label": "minilm-nli"}, "settings": {"checks": True, **settings}})

    assert stem(pairs=PAIRS, aggregator="rules") == "scifact-validation-retrieval-minilm-nli"
    assert stem(pairs=8, aggregator="learned") == "scifact-validation-retrieval-minilm-nli-p8-learned"
    assert stem(pairs=None, aggregator="rules") == "scifact-validation-retrieval-minilm-nli-pall"
    assert stem(pairs=PAIRS, settle=SETTLE, aggregator="learned") == "scifact-validation-retrieval-minilm-nli-learned"
    assert stem(pairs=PAIRS, settle=None, aggregator="rules") == "scifact-validation-retrieval-minilm-nli-settleoff"
    assert stem(pairs=8, settle=0.8, aggregator="rules") == "scifact-validation-retrieval-minilm-nli-p8-settle0.8"
    assert stem() == "scifact-validation-retrieval-minilm-nli"  # baselines and older files carry neither
    assert Settings().pairs == PAIRS and Settings.make(pairs="all").pairs is None and Settings.make(pairs="6").pairs == 6
    for bad in ("0", "-3", "six"):
        with pytest.raises(InputError):
            Settings.make(pairs=bad)


def test_bad_pairs_or_aggregator_exit_2(cli, tmp_path):
    assert cli("scifact", "--pairs", "0", "--out", str(tmp_path)).exit_code == 2
    assert cli("scifact", "--aggregator", "vote", "--out", str(tmp_path)).exit_code == 2
