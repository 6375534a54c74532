"""`verify bench extraction` / `verify bench checkworthiness` (issue 16): the hand-annotated files
are well formed and the commands score the real extractor through the real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from verify.bench.extraction import (
    CLASSES,
    GoldClaim,
    load_gold,
    load_labels,
    match_claims,
    score_extraction,
    span_iou,
    token_f1,
)
from verify.records import Claim

ROOT = Path(__file__).resolve().parents[1]


def test_gold_file_is_large_varied_and_split():
    articles = load_gold()
    assert len(articles) >= 40
    assert len({a["genre"] for a in articles}) >= 5
    splits = Counter(a["split"] for a in articles)
    assert set(splits) == {"dev", "report"} and min(splits.values()) >= 20
    for article in articles:
        for claim in article["claims"]:
            assert article["text"][claim.span[0]:claim.span[1]].strip()  # every span is in its article


def test_label_file_has_300_sentences_of_every_class():
    documents = load_labels()
    labels = Counter(label for d in documents for label, _, _ in d["items"])
    assert sum(labels.values()) >= 300 and set(labels) == set(CLASSES)
    assert {d["genre"] for d in documents} >= {"news", "press release", "encyclopedic", "scientific abstract"}
    for d in documents:
        for _, (start, end), sentence in d["items"]:
            assert d["text"][start:end] == sentence


def test_matching_needs_overlapping_spans_and_agreeing_texts():
    gold = [GoldClaim("Storm Alda left about 80,000 homes without power.", (10, 50), True)]
    same = Claim(id="c1", text="Storm Alda left about 80,000 homes without power.", source_span=(10, 50),
                 sentence_index=0, type="numeric", checkworthy=True)
    bundled = same.model_copy(update={"text": "Storm Alda struck the coast with winds of 140 km/h, and it left about "
                                              "80,000 homes without power and closed 40 schools.", "source_span": (0, 90)})
    elsewhere = same.model_copy(update={"source_span": (60, 100)})
    assert match_claims([same], gold) == [(0, 0)]
    assert match_claims([bundled], gold) == []  # a compound claim is not the atomic fact
    assert match_claims([elsewhere], gold) == []  # same words, another place in the article
    assert token_f1("The bridge\u2019s repairs cost 55 million euros.", "The bridge's repairs cost 55 million euros") == 1.0
    assert span_iou((0, 10), (5, 15)) == pytest.approx(5 / 15)


def test_score_counts_a_dropped_fact_as_lost():
    article = {"id": "a", "split": "dev", "text": "Share\nAbout 80,000 homes lost power.\n",
               "claims": [GoldClaim("About 80,000 homes lost power.", (6, 36), True)]}
    result = score_extraction([article])
    assert result["splits"]["dev"]["facts_lost"] == 0
    assert result["splits"]["dev"]["checkworthy"]["recall"] == 1.0


@pytest.mark.parametrize("name, stem", [("extraction", "extraction-gold"), ("checkworthiness", "checkworthiness")])
def test_bench_command_writes_results(tmp_path, name, stem):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "verify", "bench", name, "--out", str(tmp_path)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    record = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
    assert set(record["splits"]) == {"dev", "report", "all"}
    assert (tmp_path / f"{stem}.md").read_text(encoding="utf-8").startswith("# ")
    if name == "extraction":
        overall = record["splits"]["all"]
        assert overall["articles"] >= 40 and overall["facts_lost"] == 0  # no fact dropped as page furniture
        assert 0.8 <= overall["checkworthy"]["precision"] <= 1 and 0.7 <= overall["checkworthy"]["recall"] <= 1
    else:
        overall = record["splits"]["all"]
        assert overall["sentences"] >= 300
        assert overall["classes"]["boilerplate"]["precision"] >= 0.9  # page furniture rule never eats facts
        assert overall["confusion"]["factual"]["boilerplate"] == 0
