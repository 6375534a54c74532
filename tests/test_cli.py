"""The command line on real files: bad input gives one line and exit 2, never a traceback or a file."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from verify.cli import main

SEED = "claims/seed-summit"


def run(argv, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["verify", *map(str, argv)])
    with pytest.raises(SystemExit) as exc:
        main()
    cap = capsys.readouterr()
    return exc.value.code, cap.out, cap.err


@pytest.fixture
def corpus(tmp_path, repo):
    target = tmp_path / "corpus"
    shutil.copytree(repo / SEED / "corpus", target, ignore=shutil.ignore_patterns(".verify-index"))
    return target


def assert_one_clear_line(err: str, *words: str):
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], lines[0]


@pytest.mark.parametrize("content,words", [
    (b"", ("empty",)),
    (b"   \n\t\n", ("empty",)),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ("binary",)),
])
def test_bad_article_exits_2_without_output(tmp_path, corpus, capsys, monkeypatch, content, words):
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    out = tmp_path / "report.json"
    code, _, err = run(["check", article, "--corpus", corpus, "--out", out], capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, *words)
    assert not out.exists() and not list(tmp_path.glob(".report.json*"))


def test_missing_files_and_bad_options(tmp_path, corpus, capsys, monkeypatch, repo):
    article = repo / SEED / "article.txt"
    cases = [
        (["check", tmp_path / "nope.txt", "--corpus", corpus], ("not found",)),
        (["check", article, "--corpus", tmp_path / "no-corpus"], ("not found",)),
        (["check", article, "--corpus", corpus, "--out", tmp_path / "missing-dir" / "r.json"], ("does not exist",)),
        (["check", article, "--corpus", corpus, "--out", tmp_path / "r.pdf"], ("unknown report format",)),
        (["check", article, "--corpus", corpus, "--date", "04/01/2026"], ("YYYY-MM-DD",)),
        (["extract", tmp_path], ("directory",)),
        (["check", article, "--corpus", corpus, "--pairs", "0"], ("--pairs",)),
        (["check", article, "--corpus", corpus, "--pairs", "many"], ("--pairs",)),
        (["check", article, "--corpus", corpus, "--aggregator", "vote"], ("unknown aggregator",)),
        # the message is printed as written (":train:" is no emoji code to the console)
        (["train-aggregator", "--sources", "scifact:validation:oracle"], ("DATASET:train:oracle",)),
        (["train-aggregator", "--sources", "scifact:train:oracle:0"], ("DATASET:train:oracle",)),
        (["train-aggregator", "--sources", " , "], ("no source",)),
    ]
    for argv, words in cases:
        code, _, err = run(argv, capsys, monkeypatch)
        assert code == 2, (argv, err)
        assert_one_clear_line(err, *words)


def test_empty_corpus_and_missing_column(tmp_path, capsys, monkeypatch, repo):
    article = repo / SEED / "article.txt"
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["check", article, "--corpus", empty], capsys, monkeypatch)
    assert code == 2 and "empty" in err and "Traceback" not in err
    table = tmp_path / "corpus.jsonl"
    table.write_text(json.dumps({"id": "a", "body_text": "Lee took office in 2025."}) + "\n")
    code, _, err = run(["check", article, "--corpus", table], capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, "column")


def test_model_without_weights(tmp_path, corpus, capsys, monkeypatch, repo):
    bad = tmp_path / "model"
    bad.mkdir()
    (bad / "config.json").write_text("{}")
    out = tmp_path / "r.json"
    code, _, err = run(["check", repo / SEED / "article.txt", "--corpus", corpus, "--model", bad, "--out", out],
                       capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, "no weights")
    assert not out.exists()


def test_non_utf8_article_is_decoded(tmp_path, capsys, monkeypatch):
    article = tmp_path / "latin1.txt"
    article.write_bytes("Der Präsident traf am Montag in München 14 Minister.".encode("latin-1"))
    code, out, err = run(["extract", article, "--json"], capsys, monkeypatch)
    assert code == 0, err
    claims = [json.loads(line) for line in out.splitlines()]
    assert claims and "München" in claims[0]["text"]


def test_article_without_checkworthy_claims_is_an_empty_report(tmp_path, corpus, capsys, monkeypatch):
    article = tmp_path / "opinion.txt"
    article.write_text("What a wonderful day it could be!\nIsn't it lovely?\n", encoding="utf-8")
    out = tmp_path / "r.json"
    code, _, err = run(["check", article, "--corpus", corpus, "--out", out, "--quiet"], capsys, monkeypatch)
    assert code == 0, err
    report = json.loads(out.read_text())
    assert report["verdicts"] == [] and report["summary"]["checkworthy"] == 0


def test_usage_error_exits_2(capsys, monkeypatch):
    code, _, err = run(["check"], capsys, monkeypatch)
    assert code == 2 and "Missing argument" in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare to cut the network")
def test_main_job_runs_with_no_network(tmp_path, corpus, repo):
    """The README's main job, in a network namespace with no interfaces, offline env vars set."""
    out_json, out_html = tmp_path / "report.json", tmp_path / "report.html"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    prefix = ["unshare", "-n"] if probe.returncode == 0 else []
    cmd = [*prefix, sys.executable, "-c", "from verify.cli import main; main()", "check",
           str(repo / SEED / "article.txt"), "--corpus", str(corpus), "--out", str(out_json), "--out", str(out_html)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out_json.read_text())
    assert report["schema_version"] and report["provenance"]["model"]
    assert len(report["verdicts"]) == report["summary"]["checkworthy"] >= 15
    assert {v["label"] for v in report["verdicts"]} <= {"supported", "contradicted", "not_enough_info"}
    assert "<html" in out_html.read_text().lower()
    from verify.corpus import default_index_dir

    assert (default_index_dir(corpus) / "manifest.json").exists()  # the index was persisted for reuse, in the cache
    assert not (corpus / ".verify-index").exists()  # never in the corpus folder
