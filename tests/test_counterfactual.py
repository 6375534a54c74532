"""The counterfactual table (benchmarks/data/counterfactual.yaml) and `verify bench counterfactual`:
the table's structure and balance, every premise verbatim in its held-out source file (when
../shared/data is present), the loader's errors, and the bench command end to end on a slice with
the real embedded model (and the majority baseline, which must fail one half of the table)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from verify.bench.counterfactual import (
    HALVES,
    KINDS,
    SWAP_KINDS,
    kind_scores,
    load_table,
    pair_id,
)
from verify.bench.datasets import part_files
from verify.bench.table import counterfactual_table
from verify.errors import InputError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def entries():
    return load_table()


def test_table_has_200_plus_balanced_pairs_of_every_kind(entries):
    pairs = [(e.premise, getattr(e, label), label, e.kind) for e in entries for label in HALVES]
    assert len(pairs) >= 200
    per_kind = Counter(e.kind for e in entries)
    assert set(per_kind) == set(KINDS)
    swap_counts = [per_kind[k] for k in SWAP_KINDS]
    assert min(swap_counts) >= 25 and max(swap_counts) - min(swap_counts) <= 5, per_kind
    # each premise carries one edit and one paraphrase: the halves are equal per kind by construction
    labels = Counter((kind, label) for _, _, label, kind in pairs)
    assert all(labels[k, "contradiction"] == labels[k, "entailment"] == per_kind[k] for k in KINDS)
    hypotheses = [h for _, h, _, _ in pairs]
    assert len(set(hypotheses)) == len(hypotheses), "a hypothesis is used twice"
    for e in entries:
        assert e.contradiction.strip() and e.entailment.strip() and e.premise.strip()
        assert e.contradiction != e.premise and e.entailment != e.premise and e.contradiction != e.entailment


def test_seed_kind_holds_the_three_misses_of_issue_14(entries):
    seeds = {e.contradiction: e for e in entries if e.kind == "seed"}
    assert "Busan" in " ".join(seeds) and "Gyeongju" in " ".join(e.premise for e in seeds.values())
    assert any("Moon Jae-in" in c and "Yoon Suk Yeol" in e.premise for c, e in seeds.items())
    assert any("early 2024" in c and "4 June 2025" in e.premise for c, e in seeds.items())


def test_every_premise_is_verbatim_a_premise_of_its_held_out_source(entries, shared_data):
    heldout = shared_data / "nli" / "heldout"
    by_source: dict[str, set[str]] = {}
    for e in entries:
        if e.source == "issue-14":
            continue
        if e.source not in by_source:
            files = part_files(heldout, e.source)
            assert files, f"{e.id}: no held-out file for source {e.source!r}"
            by_source[e.source] = {json.loads(line)["premise"] for f in files
                                   for line in f.read_text(encoding="utf-8").splitlines() if line.strip()}
        assert e.premise in by_source[e.source], f"{e.id}: premise not found verbatim in {e.source}"
    assert set(by_source) >= {"fm2", "fever_adversarial", "vitaminc_real_test", "mnli_dev_matched", "snli_test"}


BAD_TABLES = [
    ("pairs: []\n", "non-empty `pairs`"),
    ("[1, 2]\n", "non-empty `pairs`"),
    ("pairs: [{id: a, kind: person_swap, source: fm2, premise: p, contradiction: c}]\n", "entailment"),
    ("pairs: [{id: a, kind: colour_swap, source: fm2, premise: p, contradiction: c, entailment: e}]\n", "kind"),
    ("pairs: [{id: a, kind: seed, source: s, premise: p, contradiction: c, entailment: e, label: x}]\n", "label"),
    ("pairs: [{id: a, kind: seed, source: s, premise: p, contradiction: c, entailment: e},\n"
     "        {id: a, kind: seed, source: s, premise: q, contradiction: d, entailment: f}]\n", "duplicate ids: a"),
    ("pairs: [unclosed\n", "invalid YAML"),
]


@pytest.mark.parametrize("text,message", BAD_TABLES)
def test_a_bad_table_is_one_input_error(tmp_path, text, message):
    path = tmp_path / "table.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_table(path)
    with pytest.raises(InputError, match="not found"):
        load_table(tmp_path / "missing.yaml")


def test_kind_scores_count_each_half_and_premises_with_both_right(entries):
    chosen = [e for e in entries if e.kind == "date_swap"][:3] + [e for e in entries if e.kind == "seed"][:1]
    predicted = {pair_id(e, label): label for e in chosen for label in HALVES}  # all right ...
    predicted[pair_id(chosen[0], "entailment")] = "contradiction"  # ... but one paraphrase called false
    predicted[pair_id(chosen[1], "contradiction")] = "neutral"  # ... and one edit called unverifiable
    scores = kind_scores(chosen, predicted)
    date = scores["per_kind"]["date_swap"]
    assert date["premises"] == 3
    assert date["edit_accuracy"] == pytest.approx(2 / 3) and date["paraphrase_accuracy"] == pytest.approx(2 / 3)
    assert date["both_right"] == pytest.approx(1 / 3)
    assert date["edit_predicted"] == {"entailment": 0, "neutral": 1, "contradiction": 2}
    assert scores["per_kind"]["seed"]["both_right"] == 1.0
    assert scores["swap_kinds"]["premises"] == 3  # seed is kept out of the swap-kind aggregate
    assert scores["all"]["premises"] == 4 and scores["all"]["both_right"] == pytest.approx(2 / 4)


def run_bench(*args: str, out: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([sys.executable, "-m", "verify", "bench", "counterfactual", "--out", str(out),
                           "--quiet", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def test_bench_counterfactual_scores_a_slice_with_the_real_model(tmp_path):
    out = tmp_path / "results"
    done = run_bench("--limit", "14", "--seed", "3", out=out, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "counterfactual-minilm-nli.json").read_text())
    assert (out / "counterfactual-minilm-nli.md").read_text().startswith("# Counterfactual table")
    assert record["premises"] == 14 and record["n"] == 28 and len(record["predictions"]) == 28
    assert record["data"]["sha256"] and record["model"]["hash"] and record["limit"] == 14
    preds = {p["id"]: p for p in record["predictions"]}
    # both halves of every sampled premise were scored, and each row is recomputable from them
    entries = {e.id: e for e in load_table()}
    sampled = sorted({pid.rsplit("-", 1)[0] for pid in preds})
    assert len(sampled) == 14 and all(f"{i}-{half}" in preds for i in sampled for half in ("edit", "paraphrase"))
    for kind, row in record["per_kind"].items():
        ids = [i for i in sampled if entries[i].kind == kind]
        assert row["premises"] == len(ids)
        edit_right = sum(preds[f"{i}-edit"]["pred"] == "contradiction" for i in ids)
        para_right = sum(preds[f"{i}-paraphrase"]["pred"] == "entailment" for i in ids)
        assert row["edit_accuracy"] == pytest.approx(edit_right / len(ids))
        assert row["paraphrase_accuracy"] == pytest.approx(para_right / len(ids))
        assert sum(row["edit_predicted"].values()) == len(ids)
    assert sum(r["premises"] for r in record["per_kind"].values()) == 14
    assert record["all"]["premises"] == 14
    # the real model is not a constant: it calls some pairs contradicted and some entailed
    assert {"contradiction", "entailment"} <= {p["pred"] for p in record["predictions"]}

    # the README table and --compare both read the file
    assert any("minilm-nli" in line for line in counterfactual_table(out))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    compared = subprocess.run([sys.executable, "-m", "verify", "bench", "--compare", str(out / "counterfactual-minilm-nli.json"),
                               str(out / "counterfactual-minilm-nli.json")], capture_output=True, text=True, env=env, cwd=REPO)
    assert compared.returncode == 0 and "date_swap edit" in compared.stdout


def test_a_constant_model_fails_one_half_of_the_table(tmp_path):
    """The majority baseline predicts one label everywhere: whichever it is, one half scores 0
    and no premise has both halves right -- the paraphrase half exists to catch exactly this."""
    out = tmp_path / "results"
    done = run_bench("--model", "majority", out=out, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "counterfactual-majority.json").read_text())
    assert record["premises"] == len(load_table())
    swaps = record["swap_kinds"]
    assert sorted([swaps["edit_accuracy"], swaps["paraphrase_accuracy"]]) == [0.0, 1.0]
    assert swaps["both_right"] == 0.0


def test_retrieval_mode_is_refused_with_exit_code_2(tmp_path):
    done = run_bench("--mode", "retrieval", out=tmp_path / "results", cache=tmp_path / "cache")
    assert done.returncode == 2 and "no corpus" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").glob("*.json"))

