"""verify.score and `verify score`: (context, answer) pairs to a claims table, with the real embedded model."""
import io
import json
import math

import pandas as pd
import pytest

import verify
from verify.corpus import SourceDoc
from test_cli import run  # the CLI test helper
from verify.errors import InputError

CONTEXTS = ["The museum opened in 1998 and has 40 rooms. It is closed on Mondays.",
            "Paris is the capital of France."]
ANSWERS = ["The museum opened in 1998. It has 52 rooms.",
           "Paris is the capital of Germany. I think it is lovely."]


@pytest.fixture(scope="module")
def pipe():
    return verify.Pipeline(engine="torch")


def test_score_rows_spans_labels_and_faithfulness(pipe):
    frame = verify.score(CONTEXTS, ANSWERS, ids=["museum", "paris"], pipeline=pipe)
    assert list(frame["answer_id"]) == ["museum", "museum", "paris", "paris"]
    spans = [(ANSWERS[0] if r.answer_id == "museum" else ANSWERS[1])[r.start:r.end] for r in frame.itertuples()]
    assert spans == ["The museum opened in 1998.", "It has 52 rooms.", "Paris is the capital of Germany.",
                     "I think it is lovely."]  # source text in the answer; `claim` is decontextualised
    assert frame.loc[1, "claim"] == "The museum has 52 rooms."
    rooms = frame[frame["claim"].str.contains("52 rooms")].iloc[0]
    assert rooms["label"] == "contradicted" and "inconsistent" in rooms["checks"]
    assert CONTEXTS[0][rooms["evidence_start"]:rooms["evidence_end"]] == rooms["evidence"]
    assert rooms[["p_supported", "p_contradicted", "p_not_enough_info"]].sum() == pytest.approx(1, abs=1e-3)
    opinion = frame[frame["claim"].str.startswith("I think")].iloc[0]
    assert not opinion["checkworthy"] and pd.isna(opinion["label"])  # listed, not verified
    answers = verify.answers_frame(frame).set_index("answer_id")
    assert answers.loc["museum", "faithfulness"] == pytest.approx(answers.loc["museum", "supported"] / 2)
    assert answers.loc["paris", "checkworthy"] == 1 and answers.loc["paris", "faithfulness"] == 0.0


def test_score_with_given_claims_and_several_contexts(pipe):
    frame = verify.score([["Paris is in France.", "The Seine flows through Paris."]], ["x Paris is in France."],
                         claims=[["Paris is in France.", "Rome is in Spain."]], pipeline=pipe)
    assert frame.loc[0, "start"] == 2 and pd.isna(frame.loc[1, "start"])  # the second claim is not in the answer
    assert frame.loc[0, "label"] == "supported" and frame.loc[0, "evidence_doc"] == "evidence-1"
    assert math.isclose(verify.answers_frame(frame).loc[0, "faithfulness"], frame["label"].eq("supported").mean())


def test_score_rejects_misaligned_input(pipe):
    with pytest.raises(InputError, match="2 answers for 1 contexts"):
        verify.score(["a"], ["b", "c"], pipeline=pipe)
    with pytest.raises(InputError, match="unique"):
        verify.score(["a", "b"], ["c", "d"], ids=["x", "x"], pipeline=pipe)


def test_report_results_align_with_every_claim(pipe, repo):
    report = pipe.check(verify.Document(text="The summit is in Seoul. I think it will be great."),
                        [SourceDoc(id="d", text="The summit takes place in Seoul in 2025.")])
    pairs = report.results()
    assert [c.id for c, _ in pairs] == [c.id for c in report.claims]
    assert [v.claim_id for _, v in pairs if v is not None] == [v.claim_id for v in report.verdicts]
    assert any(v is None for c, v in pairs if not c.checkworthy)
    frame = report.to_pandas()
    assert list(frame["claim_id"]) == [c.id for c in report.claims]
    assert frame["label"].notna().sum() == len(report.verdicts)


def test_score_command_csv_to_jsonl_and_stdout(tmp_path, capsys, monkeypatch):
    data = tmp_path / "pairs.csv"
    pd.DataFrame({"qid": ["a", "b"], "ctx": CONTEXTS, "reply": ANSWERS}).to_csv(data, index=False)
    out = tmp_path / "claims.jsonl"
    base = [data, "--context-col", "ctx", "--answer-col", "reply", "--id-col", "qid", "--engine", "torch", "--no-cache"]
    code, _, err = run(["score", *base, "-o", out], capsys, monkeypatch)
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["answer_id"] for r in rows] == ["a", "a", "b", "b"] and "mean faithfulness" in err
    code, stdout, _ = run(["score", *base, "-q", "-o", "-"], capsys, monkeypatch)
    assert code == 0 and pd.read_csv(io.StringIO(stdout))["claim"].tolist() == [r["claim"] for r in rows]


def test_score_command_bad_input_is_one_line(tmp_path, capsys, monkeypatch):
    data = tmp_path / "pairs.jsonl"
    data.write_text(json.dumps({"context": "x", "answer": "y"}) + "\n")
    code, _, err = run(["score", data, "--answer-col", "reply", "-o", tmp_path / "o.csv"], capsys, monkeypatch)
    assert code == 2 and "no column 'reply'" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["score", data, "-o", tmp_path / "o.xlsx"], capsys, monkeypatch)
    assert code == 2 and "unknown table format" in err
    assert not (tmp_path / "o.csv").exists()
