"""`verify run` / verify.distributed on real files and the real embedded model: the local engine gives
the answers `verify check` gives, the Ray engine gives the local engine's answers, reruns resume,
bad input exits 2 with one line and no partition files."""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from verify import Settings
from verify.distributed import run
from verify.extract import extract_claims, load_document, split_sentences

from test_cli import assert_one_clear_line, run as cli  # the CLI test helpers

SEED = "claims/seed-summit"
DATE = "2026-01-03"


def verdict_lines(folder: Path) -> list[dict]:
    lines = [json.loads(line) for f in sorted(folder.glob("part-*.jsonl")) for line in f.open(encoding="utf-8")]
    return sorted(lines, key=lambda x: (x["row"], x["source_span"]))


def assert_same_verdicts(got: list[dict], want: list[dict]):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert (a["claim_id"], a["text"], a["label"]) == (b["claim_id"], b["text"], b["label"])
        assert a["probabilities"] == pytest.approx(b["probabilities"], abs=1e-3)
        assert [e["passage_id"] for e in a["evidence"]] == [e["passage_id"] for e in b["evidence"]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, repo) -> Path:
    """The seed corpus, one document per sentence: every passage is one NLI window, so a few
    hundred claims stay quick on two cores."""
    docs = []
    for f in sorted((repo / SEED / "corpus").glob("*.md")):
        for i, s in enumerate(split_sentences(f.read_text(encoding="utf-8"))):
            if len(s.text.split()) > 4 and not s.text.startswith("#"):
                docs.append({"id": f"{f.stem}-{i}", "title": f.stem, "text": s.text})
    path = tmp_path_factory.mktemp("corpus") / "sentences.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def claim_texts(repo, corpus) -> list[str]:
    """~300 claims: the curated set, the article's claims, the corpus sentences and altered copies."""
    texts = [c["text"] for c in yaml.safe_load((repo / SEED / "claims.yaml").read_text())["claims"]]
    texts += [c.text for c in extract_claims(load_document(repo / SEED / "article.txt"))]
    sentences = [json.loads(line)["text"] for line in corpus.open()]
    texts += sentences
    texts += [s.replace("Lee", "Yoon").replace("two", "three").replace("14", "40") for s in sentences]
    texts += [f"It is not true that {s[0].lower()}{s[1:]}" for s in sentences]
    return texts


def write_claims(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"id": f"q{i}", "claim": t, "date": DATE}) + "\n" for i, t in enumerate(texts)),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, corpus, claim_texts):
    """24 claims, 3 partitions, local engine."""
    root = tmp_path_factory.mktemp("small")
    data = write_claims(root / "claims.jsonl", claim_texts[:24])
    result = run(data, root / "out", corpus=corpus, settings=Settings(top_k=2, engine="torch"), partition_rows=10)  # fp32: bf16 varies with batch-mates
    return data, root / "out", result


def test_local_engine_gives_the_answers_of_check_claims(small_run, corpus, claim_texts):
    import datetime as dt

    from verify import Pipeline

    _, out, result = small_run
    assert (result.partitions, result.written, result.skipped, result.claims) == (3, 3, 0, 24)
    assert sorted(p.name for p in out.iterdir()) == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl", "run.json"]
    report = Pipeline(top_k=2, engine="torch").check_claims(claim_texts[:24], corpus, date=dt.date.fromisoformat(DATE))
    got = verdict_lines(out)
    assert [x["row"] for x in got] == list(range(24))
    want = [{**v.model_dump(mode="json"), "claim_id": f"q{i}", "text": claim_texts[i]} for i, v in enumerate(report.verdicts)]
    assert_same_verdicts(got, want)


def test_articles_get_the_verdicts_of_verify_check(tmp_path, corpus, repo):
    from verify import Pipeline

    import datetime as dt

    # Two articles in one partition, one dated by its row (relative dates in the checks use it), one undated.
    seed = load_document(repo / SEED / "article.txt")
    planted = load_document(repo / "claims/seed-summit-planted/article.txt")
    data = tmp_path / "articles.jsonl"
    data.write_text(json.dumps({"id": "seed", "text": seed.text, "date": DATE}) + "\n"
                    + json.dumps({"id": "planted", "text": planted.text}) + "\n", encoding="utf-8")
    result = run(data, tmp_path / "out", corpus=corpus, settings=Settings(top_k=1))
    got = verdict_lines(tmp_path / "out")
    pipe = Pipeline(top_k=1)
    want = []
    for doc_id, doc in (("seed", seed.model_copy(update={"date": dt.date.fromisoformat(DATE)})), ("planted", planted)):
        report = pipe.check(doc, corpus)
        texts = {c.id: c.text for c in report.claims}
        want += [{**v.model_dump(mode="json"), "text": texts[v.claim_id], "doc": doc_id} for v in report.verdicts]
    assert result.claims == len(want) > 10
    assert [x["document_id"] for x in got] == [x["doc"] for x in want]
    assert_same_verdicts(got, want)


def test_rerun_skips_written_partitions_and_redoes_a_missing_one(small_run, tmp_path, corpus):
    data, out, _ = small_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in copy.glob("part-*")}
    (copy / "part-00001.jsonl").unlink()
    result = run(data, copy, corpus=corpus, settings=Settings(top_k=2, engine="torch"), partition_rows=10)
    assert (result.written, result.skipped, result.claims) == (1, 2, 10)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in copy.glob("part-*")}
    assert after["part-00000.jsonl"] == before["part-00000.jsonl"] and after["part-00002.jsonl"] == before["part-00002.jsonl"]
    assert verdict_lines(copy) == verdict_lines(out)
    again = run(data, copy, corpus=corpus, settings=Settings(top_k=2, engine="torch"), partition_rows=10)
    assert (again.written, again.skipped) == (0, 3)


def test_a_different_run_is_refused_in_the_same_folder(small_run, capsys, monkeypatch, corpus):
    data, out, _ = small_run
    names = sorted(p.name for p in out.iterdir())
    code, _, err = cli(["run", data, "--corpus", corpus, "--out", out, "--top-k", 3, "--partition-rows", 10],
                       capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, "different run", "settings")
    assert sorted(p.name for p in out.iterdir()) == names


def test_parquet_in_and_out(small_run, tmp_path, corpus):
    import pandas as pd

    data, out, _ = small_run
    rows = [json.loads(line) for line in data.open()][:10]
    pd.DataFrame(rows).to_parquet(tmp_path / "claims.parquet")
    result = run(tmp_path / "claims.parquet", tmp_path / "out", corpus=corpus,
                 settings=Settings(top_k=2, engine="torch"), partition_rows=10, format="parquet")
    assert (result.written, result.claims) == (1, 10)
    table = pd.read_parquet(tmp_path / "out" / "part-00000.parquet")
    want = verdict_lines(out)[:10]
    assert table["label"].tolist() == [x["label"] for x in want]
    assert table["p_supported"].tolist() == pytest.approx([x["probabilities"]["supported"] for x in want], abs=1e-3)
    assert [json.loads(e)[0]["passage_id"] for e in table["evidence"]] == [x["evidence"][0]["passage_id"] for x in want]


def test_cli_runs_and_reports(small_run, tmp_path, capsys, monkeypatch, corpus):
    data, out, _ = small_run
    lines = data.read_text().splitlines()[:3]
    (tmp_path / "three.jsonl").write_text("\n".join(lines) + "\n")
    code, stdout, err = cli(["run", tmp_path / "three.jsonl", "--corpus", corpus, "--out", tmp_path / "o", "--top-k", 2,
                             "--engine", "torch"],
                            capsys, monkeypatch)
    assert code == 0, err
    assert "1 partitions written (3 verdicts from 3 rows" in stdout
    assert [x["label"] for x in verdict_lines(tmp_path / "o")] == [x["label"] for x in verdict_lines(out)[:3]]


@pytest.mark.parametrize("content,words", [
    ('{"claim": "Lee took office in 2025."}\n{"claim": "Xi met Lee." \n', ("malformed JSON", "line 2")),
    ('{"body": "Lee took office in 2025."}\n', ("no 'claim' or 'text' field", "body")),
    ('{"claim": "Lee took office in 2025.", "date": "04/01/2026"}\n', ("line 1", "YYYY-MM-DD")),
    ('{"claim": "Lee took office in 2025.", "date": "9999-12-31"}\n', ("line 1", "out of range")),
    ('{"claim": "Lee took office in 2025."}\n\n{"claim": 42}\n', ("line 3", "'claim' must be a string", "int 42")),
    ('{"claim": "Lee took office in 2025."}\n{"claim": null}\n', ("line 2", "'claim' must be a string", "null")),
    ('{"text": ["an", "article"]}\n', ("line 1", "'text' must be a string", "list")),
    ('\n\n', ("empty",)),
    ('[1, 2]\n', ("not a JSON object",)),
])
def test_bad_input_exits_2_with_one_line_and_no_partitions(tmp_path, corpus, capsys, monkeypatch, content, words):
    data = tmp_path / "claims.jsonl"
    data.write_text(content, encoding="utf-8")
    code, _, err = cli(["run", data, "--corpus", corpus, "--out", tmp_path / "out"], capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, *words)
    assert not (tmp_path / "out").exists()


def test_missing_files_and_bad_options_exit_2(tmp_path, corpus, capsys, monkeypatch, small_run):
    data, _, _ = small_run
    (tmp_path / "file").write_text("x")
    cases = [
        (["run", tmp_path / "nope.jsonl", "--corpus", corpus, "--out", tmp_path / "o"], ("input not found",)),
        (["run", data, "--corpus", tmp_path / "no-corpus", "--out", tmp_path / "o"], ("not found",)),
        (["run", data, "--corpus", corpus, "--out", tmp_path / "file"], ("is a file",)),
        (["run", data, "--corpus", corpus, "--out", tmp_path / "no" / "o"], ("does not exist",)),
        (["run", data, "--corpus", corpus, "--out", tmp_path / "o", "--engine", "spark"], ("engine",)),
        (["run", data, "--corpus", corpus, "--out", tmp_path / "o", "--format", "csv"], ("format",)),
        (["run", data, "--out", tmp_path / "o"], ("--corpus or --index",)),
        (["run", tmp_path / "file", "--corpus", corpus, "--out", tmp_path / "o"], (".jsonl",)),
    ]
    for argv, words in cases:
        code, _, err = cli(argv, capsys, monkeypatch)
        assert code == 2, (argv, err)
        assert_one_clear_line(err, *words)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_bad_model_exits_2_before_any_partition(tmp_path, corpus, capsys, monkeypatch, small_run, engine):
    if engine == "ray":
        pytest.importorskip("ray.data")
    data, _, _ = small_run
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    code, _, err = cli(["run", data, "--corpus", corpus, "--out", tmp_path / "o", "--model", tmp_path / "model",
                        "--backend", engine], capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, "no weights")
    assert not (tmp_path / "o").exists()


def test_missing_ray_is_one_line_with_the_install_command(tmp_path, corpus, capsys, monkeypatch, small_run):
    data, _, _ = small_run
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    code, _, err = cli(["run", data, "--corpus", corpus, "--out", tmp_path / "o", "--backend", "ray"], capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, 'pip install "verify-claims[ray]"')
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- Ray


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def many_claims(tmp_path_factory, claim_texts, corpus):
    root = tmp_path_factory.mktemp("many")
    data = write_claims(root / "claims.jsonl", claim_texts)
    local = run(data, root / "local", corpus=corpus, settings=Settings(top_k=2, engine="torch"), partition_rows=50)
    assert local.claims == len(claim_texts) >= 250
    return data, root


@pytest.mark.slow
def test_ray_gives_the_local_engines_answers_and_resumes(ray_cluster, many_claims, corpus):
    data, root = many_claims
    settings = Settings(top_k=2, engine="torch")
    result = run(data, root / "ray", corpus=corpus, backend="ray", settings=settings, partition_rows=50, workers=1)
    assert (result.backend, result.written, result.skipped) == ("ray", result.partitions, 0)
    local, distributed = verdict_lines(root / "local"), verdict_lines(root / "ray")
    assert [x["row"] for x in distributed] == list(range(len(local)))
    assert_same_verdicts(distributed, local)
    assert {x["label"] for x in local} == {"supported", "contradicted", "not_enough_info"}

    stamps = {p.name: p.stat().st_mtime_ns for p in (root / "ray").iterdir()}
    again = run(data, root / "ray", corpus=corpus, backend="ray", settings=settings, partition_rows=50, workers=1)
    assert (again.written, again.skipped) == (0, result.partitions)
    assert {p.name: p.stat().st_mtime_ns for p in (root / "ray").iterdir()} == stamps


class DiesOnce:
    """A scorer whose first call kills its worker process (once: it leaves a marker file)."""

    marker = ""  # set by the test; travels with the class, which is pickled by value

    def __init__(self, settings, threads=None):
        from verify.distributed.stages import Score

        self.score = Score(settings, threads)

    def __call__(self, row):
        marker = Path(self.marker)
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            os._exit(1)
        return self.score(row)


@pytest.mark.slow
def test_a_worker_that_dies_is_retried_without_losing_or_duplicating_rows(ray_cluster, many_claims, corpus,
                                                                           tmp_path, monkeypatch):
    from ray import cloudpickle  # Ray's own copy pickles what it ships

    from verify.distributed import runner

    data, root = many_claims
    rows = data.read_text().splitlines()[:20]
    (tmp_path / "claims.jsonl").write_text("\n".join(rows) + "\n")
    marker = tmp_path / "died"
    monkeypatch.setattr(DiesOnce, "marker", str(marker))
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # tests/ is not importable on workers
    try:
        monkeypatch.setattr(runner, "Score", DiesOnce)
        result = run(tmp_path / "claims.jsonl", tmp_path / "out", corpus=corpus, backend="ray",
                     settings=Settings(top_k=2, engine="torch"), partition_rows=10, workers=1)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists()  # a worker did die
    assert (result.written, result.claims) == (2, 20)
    got = verdict_lines(tmp_path / "out")
    assert [x["row"] for x in got] == list(range(20))
    assert_same_verdicts(got, verdict_lines(root / "local")[:20])
