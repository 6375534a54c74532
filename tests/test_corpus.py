"""Corpus loading, chunking and hybrid retrieval on real files and the real MiniLM encoder."""
from __future__ import annotations

import json
import logging
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.corpus import Encoder, Index, SourceDoc, chunk, load_corpus, open_index, sentence_spans
from verify.corpus import store
from verify.text.words import index_tokens as tokenize
from verify.errors import InputError

# ---------------------------------------------------------------- loaders


@pytest.fixture
def folder_corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("Plain text about rivers.\nSecond line.", encoding="utf-8")
    (root / "notes.md").write_text("# Field Notes\n\nBirds migrate south in autumn.", encoding="utf-8")
    (root / "sub" / "page.html").write_text(
        "<html><head><title>Tea &amp; History</title><style>p {color: red}</style></head>"
        "<body><script>var hidden = 'secret';</script><h1>Tea</h1>"
        "<p>Tea came to Europe in the <b>17th</b> century &mdash; via Dutch traders.</p></body></html>",
        encoding="utf-8",
    )
    (root / "sub" / "deeper" / "latin1.txt").write_bytes("Café society in Zürich grew quickly.".encode("latin-1"))
    (root / "data.json").write_text('{"ignored": true}', encoding="utf-8")
    (root / ".hidden.txt").write_text("should not load", encoding="utf-8")
    (root / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    return root


def test_folder_loads_text_markdown_and_html_recursively(folder_corpus, caplog):
    with caplog.at_level(logging.WARNING):
        docs = load_corpus(folder_corpus)
    by_id = {d.id: d for d in docs}
    assert sorted(by_id) == ["a.txt", "notes.md", "sub/deeper/latin1.txt", "sub/page.html"]
    assert by_id["notes.md"].title == "Field Notes"
    page = by_id["sub/page.html"]
    assert page.title == "Tea & History"
    assert "17th century — via Dutch traders." in page.text
    assert "secret" not in page.text and "color" not in page.text
    assert by_id["sub/deeper/latin1.txt"].text == "Café society in Zürich grew quickly."
    assert by_id["a.txt"].source == str(folder_corpus / "a.txt")
    # The binary file is skipped, not fatal, and the user is told which one.
    assert any("blob.txt" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_single_text_file(tmp_path):
    file = tmp_path / "article.txt"
    file.write_text("One document only.", encoding="utf-8")
    docs = load_corpus(file)
    assert [(d.id, d.text) for d in docs] == [("article.txt", "One document only.")]


def test_jsonl_with_default_columns(tmp_path):
    file = tmp_path / "c.jsonl"
    rows = [{"id": "d1", "text": "First.", "title": "T1"}, {"id": 2, "text": "Second."}]
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    docs = load_corpus(file)
    assert [(d.id, d.text, d.title) for d in docs] == [("d1", "First.", "T1"), ("2", "Second.", None)]


def test_jsonl_scifact_style_columns_and_sentence_lists(tmp_path):
    file = tmp_path / "corpus.jsonl"
    row = {"doc_id": 4983, "title": "White matter", "abstract": ["Sentence one.", "Sentence two."], "structured": False}
    file.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (doc,) = load_corpus(file)
    assert (doc.id, doc.title, doc.text) == ("4983", "White matter", "Sentence one. Sentence two.")


def test_csv_with_alternative_column_names(tmp_path):
    file = tmp_path / "c.csv"
    pd.DataFrame({"doc_id": ["x", "y"], "content": ["Alpha text.", "Beta, with a comma."]}).to_csv(file, index=False)
    docs = load_corpus(file)
    assert [(d.id, d.text) for d in docs] == [("x", "Alpha text."), ("y", "Beta, with a comma.")]


def test_parquet_with_named_columns_and_list_text(tmp_path):
    file = tmp_path / "c.parquet"
    frame = pd.DataFrame({"key": [10, 11], "body_sents": [["A one.", "A two."], ["B one."]], "title": ["TA", "TB"]})
    frame.to_parquet(file)
    docs = load_corpus(file, id_column="key", text_column="body_sents")
    assert [(d.id, d.text, d.title) for d in docs] == [("10", "A one. A two.", "TA"), ("11", "B one.", "TB")]


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="corpus not found") as err:
        load_corpus(tmp_path / "nope")
    assert err.value.exit_code == 2


def test_empty_folder_and_folder_without_supported_files(tmp_path):
    with pytest.raises(InputError, match=f"corpus is empty: {tmp_path}"):
        load_corpus(tmp_path)
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    (tmp_path / "blank.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="corpus is empty"):
        load_corpus(tmp_path)


def test_missing_text_column_names_file_and_columns(tmp_path):
    file = tmp_path / "c.csv"
    pd.DataFrame({"id": ["a"], "summary": ["no text column"]}).to_csv(file, index=False)
    with pytest.raises(InputError) as err:
        load_corpus(file)
    message = str(err.value)
    assert str(file) in message and "id, summary" in message and "text" in message
    assert "\n" not in message


def test_explicit_column_is_not_guessed(tmp_path):
    file = tmp_path / "c.jsonl"
    file.write_text(json.dumps({"id": "a", "text": "t"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no id column 'uid'"):
        load_corpus(file, id_column="uid")


def test_malformed_jsonl_names_line(tmp_path):
    file = tmp_path / "c.jsonl"
    file.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "text": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2 of .*c\.jsonl"):
        load_corpus(file)


def test_duplicate_ids_are_rejected(tmp_path):
    file = tmp_path / "c.jsonl"
    file.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="duplicate document id 'a'"):
        load_corpus(file)


# ---------------------------------------------------------------- chunking


def test_sentences_respect_abbreviations_and_paragraphs():
    text = "Dr. Smith met J. Doe in the U.S. capital. They talked!\n\nA heading without a stop\nNext (it rained.) End"
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Dr. Smith met J. Doe in the U.S. capital.",
        "They talked!",
        "A heading without a stop",  # a line without final punctuation is a headline
        "Next (it rained.)",
        "End",
    ]


def test_chunks_pack_sentences_with_overlap():
    sentences = [f"Sentence number {i} has five." for i in range(10)]  # 5 words each
    doc = SourceDoc(id="d", text=" ".join(sentences), title="T")
    passages = chunk([doc], max_words=15, overlap_sentences=1)
    assert [p.id for p in passages] == [f"d#{i}" for i in range(len(passages))]
    assert passages[0].text == " ".join(sentences[:3])
    assert passages[1].text.startswith(sentences[2])  # the overlap sentence is repeated
    assert passages[-1].text.endswith(sentences[-1])
    assert all(p.title == "T" and p.doc_id == "d" for p in passages)


def test_overlong_sentence_is_split_into_word_windows():
    doc = SourceDoc(id="d", text=" ".join(f"w{i}" for i in range(25)))
    passages = chunk([doc], max_words=10, overlap_sentences=0)
    assert [len(p.text.split()) for p in passages] == [10, 10, 5]


def test_chunk_rejects_bad_settings():
    with pytest.raises(InputError, match="max_words"):
        chunk([SourceDoc(id="d", text="x")], max_words=0)


_pieces = st.one_of(
    st.text(alphabet="abcXYZ éü0123", min_size=1, max_size=12),
    st.sampled_from([". ", "! ", "? ", ".\" ", "\n\n", "\n", "  ", " Dr. ", " e.g. ", "...", ". A"]),
)


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(_pieces, max_size=60).map("".join),
    max_words=st.integers(1, 30),
    overlap=st.integers(0, 3),
)
def test_passage_spans_slice_the_document_exactly(text, max_words, overlap):
    doc = SourceDoc(id="doc", text=text)
    passages = chunk([doc], max_words=max_words, overlap_sentences=overlap)
    covered = bytearray(len(text))
    for p in passages:
        start, end = p.span
        assert text[start:end] == p.text and p.text.strip() == p.text and p.text
        assert len(p.text.split()) <= max_words
        covered[start:end] = b"\x01" * (end - start)
    # Every visible character lands in some passage: chunking loses nothing.
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


# ---------------------------------------------------------------- retrieval

TOPICS = {
    "volcano.txt": "Mount Etna erupted on Tuesday, sending lava flows down its slopes and ash over Catania.",
    "bread.txt": "Sourdough bread rises thanks to wild yeast and lactic acid bacteria in the starter.",
    "chess.txt": "Magnus Carlsen defended his chess title after a tense rapid tiebreak in Dubai.",
    "bees.txt": "Honeybee colonies collapse when varroa mites spread viruses through the hive.",
    "moon.txt": "The Apollo 11 crew landed on the Moon in July 1969 and collected lunar samples.",
    "tax.txt": "The parliament approved a carbon tax of 40 euros per tonne starting next year.",
    "piano.txt": "Chopin composed his nocturnes for solo piano in Paris during the 1830s.",
    "whale.txt": "Blue whales communicate with low-frequency songs that travel hundreds of kilometres.",
    "ticket.txt": "Support ticket QZ-7781 reports that the invoice export crashes on empty fields.",
    "marathon.txt": "Eliud Kipchoge ran the Berlin marathon in two hours and one minute, a world record.",
}


@pytest.fixture(scope="module")
def encoder():
    return Encoder()


@pytest.fixture(scope="module")
def topic_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("topics")
    for name, text in TOPICS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def topic_index(topic_dir, encoder):
    return Index.build(chunk(load_corpus(topic_dir)), encoder=encoder, progress=False)


def test_encoder_rows_are_unit_length_and_order_preserved(encoder):
    texts = ["a much longer sentence about volcanoes and lava and ash", "short", "medium length text"]
    together = encoder.encode(texts, batch_size=2)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert together.dtype == np.float32 and together.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, alone, atol=1e-5)  # length sorting does not reorder output


@pytest.mark.parametrize(
    "query, doc_id",
    [
        ("Etna eruption lava", "volcano.txt"),
        ("sourdough starter yeast", "bread.txt"),
        ("carbon tax per tonne approved by parliament", "tax.txt"),
        ("Who won the world chess championship?", "chess.txt"),
        ("Kipchoge marathon world record", "marathon.txt"),
    ],
)
def test_topic_query_ranks_its_document_first(topic_index, query, doc_id):
    (hits,) = topic_index.search([query], k=3)
    assert hits[0].passage.doc_id == doc_id
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_paraphrase_without_shared_words_is_found_by_the_dense_side(topic_index):
    query = "insects dying because parasites infect them"
    assert not set(tokenize(query)) & set(tokenize(TOPICS["bees.txt"]))
    (hits,) = topic_index.search([query], k=3)
    assert hits[0].passage.doc_id == "bees.txt"
    assert all(h.bm25 == 0.0 for h in hits)
    assert hits[0].score == pytest.approx(1 / 61)  # dense rank 1 alone


def test_exact_term_query_uses_both_retrievers(topic_index):
    (hits,) = topic_index.search(["QZ-7781"], k=2)
    top = hits[0]
    assert top.passage.doc_id == "ticket.txt" and top.bm25 > 0
    # Only BM25 ranks ticket.txt among its hits; fusion adds the dense rank on top of that.
    assert top.score > 1 / 61 and top.dense is not None


def test_rrf_constant_is_configurable(topic_index):
    (default,) = topic_index.search(["Etna lava"], k=1)
    (sharp,) = topic_index.search(["Etna lava"], k=1, rrf_k=0)
    assert default[0].score == pytest.approx(2 / 61) and sharp[0].score == pytest.approx(2.0)


def test_search_rejects_bad_arguments(topic_index):
    with pytest.raises(InputError, match="list of queries"):
        topic_index.search("a string", k=1)
    with pytest.raises(InputError, match="k must be"):
        topic_index.search(["x"], k=0)
    assert len(topic_index.search(["x"], k=50)[0]) == len(TOPICS)


def _all_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("mmap", [True, False])
def test_save_load_round_trip_gives_identical_results(topic_index, encoder, tmp_path, mmap):
    folder = topic_index.save(tmp_path / "idx")
    loaded = Index.load(folder, mmap=mmap, encoder=encoder)
    assert isinstance(loaded.embeddings, np.memmap) == mmap
    queries = ["lunar landing 1969", "QZ-7781 invoice", "whale song frequency", "piano nocturnes"]
    assert loaded.search(queries, k=4) == topic_index.search(queries, k=4)
    names = {p.name for p in _all_files(folder)}
    assert {"manifest.json", "passages.jsonl", "embeddings.npy"} <= names
    assert not [n for n in names if n.endswith((".pkl", ".pickle"))]
    # Every .npy loads without pickle, so no object arrays slipped in.
    for npy in folder.rglob("*.npy"):
        np.load(npy, allow_pickle=False)


def test_load_rejects_a_folder_that_is_not_an_index(tmp_path):
    with pytest.raises(InputError, match="not an index"):
        Index.load(tmp_path)


def test_open_index_reuses_then_rebuilds_when_a_file_changes(tmp_path, encoder, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "cache"))
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name in ("volcano.txt", "bread.txt", "moon.txt"):
        (corpus / name).write_text(TOPICS[name], encoding="utf-8")

    first = open_index(corpus, encoder=encoder, progress=False)
    folder = first.path
    # In verify's cache, keyed by the corpus path; the corpus folder itself is never written.
    assert folder.parent == tmp_path / "cache" / "indexes" and folder.name.startswith("docs-")
    assert sorted(p.name for p in corpus.iterdir()) == ["bread.txt", "moon.txt", "volcano.txt"]
    assert first.manifest["documents"] == 3
    stamp = (folder / "embeddings.npy").stat().st_mtime_ns

    again = open_index(corpus, encoder=encoder, progress=False)
    assert again.manifest["corpus_hash"] == first.manifest["corpus_hash"]
    assert (folder / "embeddings.npy").stat().st_mtime_ns == stamp  # reused, not rewritten
    assert isinstance(again.embeddings, np.memmap)

    (corpus / "bread.txt").write_text(TOPICS["chess.txt"], encoding="utf-8")
    (corpus / "whale.txt").write_text(TOPICS["whale.txt"], encoding="utf-8")
    changed = open_index(corpus, encoder=encoder, progress=False)
    assert changed.manifest["corpus_hash"] != first.manifest["corpus_hash"]
    assert changed.manifest["documents"] == 4
    assert changed.manifest["reused_embeddings"] == 2  # volcano + moon were not re-encoded
    (hits,) = changed.search(["chess tiebreak Carlsen"], k=1)
    assert hits[0].passage.doc_id == "bread.txt"
    assert not [p for p in _all_files(folder) if p.suffix in (".pkl", ".pickle")]

    rebuilt = open_index(corpus, encoder=encoder, progress=False, rebuild=True)
    assert rebuilt.manifest["reused_embeddings"] == 4
    assert rebuilt.manifest["built_at"] >= changed.manifest["built_at"]


def test_open_index_for_a_file_and_for_a_prebuilt_index(tmp_path, encoder, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "cache"))
    file = tmp_path / "c.jsonl"
    file.write_text("\n".join(json.dumps({"id": k, "text": v}) for k, v in TOPICS.items()), encoding="utf-8")
    built = open_index(file, encoder=encoder, progress=False)
    assert built.path == store.default_index_dir(file) and built.path.name.startswith("c.jsonl-")
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == ["c.jsonl"]

    # The index folder alone is enough, as the corpus path or as index_dir with the corpus gone.
    by_path = open_index(built.path, encoder=encoder)
    file.unlink()
    by_dir = open_index(file, index_dir=built.path, encoder=encoder)
    query = ["Apollo crew on the Moon"]
    assert by_path.search(query, k=2) == by_dir.search(query, k=2) == built.search(query, k=2)
    assert by_dir.search(query, k=1)[0][0].passage.doc_id == "moon.txt"
    with pytest.raises(InputError, match="no corpus given"):
        open_index(None, index_dir=built.path, rebuild=True)


def test_open_index_with_explicit_dir_and_read_only_corpus(tmp_path, encoder, monkeypatch):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TOPICS["piano.txt"], encoding="utf-8")
    explicit = open_index(corpus, index_dir=tmp_path / "out" / "idx", encoder=encoder, progress=False)
    assert explicit.path == tmp_path / "out" / "idx" and list(corpus.iterdir()) == [corpus / "a.txt"]

    # XDG_CACHE_HOME is honoured when VERIFY_CACHE_DIR is not set; a read-only corpus is fine.
    monkeypatch.delenv("VERIFY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    corpus.chmod(0o555)
    try:
        cached = open_index(corpus, encoder=encoder, progress=False)
        assert cached.path.parent == tmp_path / "xdg" / "verify" / "indexes"
        assert open_index(corpus, encoder=encoder).manifest["built_at"] == cached.manifest["built_at"]
        assert list(corpus.iterdir()) == [corpus / "a.txt"]
    finally:
        corpus.chmod(0o755)


def test_an_index_from_an_older_version_beside_the_corpus_is_read_never_written(tmp_path, encoder, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "cache"))
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TOPICS["piano.txt"], encoding="utf-8")
    legacy = open_index(corpus, index_dir=corpus / ".verify-index", encoder=encoder, progress=False)
    stamp = (legacy.path / "manifest.json").stat().st_mtime_ns
    assert open_index(corpus, encoder=encoder).path == legacy.path  # matches: reused as it is
    (corpus / "b.txt").write_text(TOPICS["moon.txt"], encoding="utf-8")
    changed = open_index(corpus, encoder=encoder, progress=False)
    assert changed.path == store.default_index_dir(corpus) and changed.manifest["reused_embeddings"] == 1
    assert (legacy.path / "manifest.json").stat().st_mtime_ns == stamp


def test_open_index_errors(tmp_path):
    with pytest.raises(InputError, match="corpus not found"):
        open_index(tmp_path / "missing")
    with pytest.raises(InputError, match="no corpus given"):
        open_index(None, index_dir=tmp_path)


def test_latin1_csv_is_decoded_and_corrupt_parquet_is_an_input_error(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_bytes("id,text\nz,Zürich café prices rose sharply last winter.\n".encode("latin-1"))
    assert load_corpus(csv)[0].text == "Zürich café prices rose sharply last winter."
    bad = tmp_path / "c.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=f"cannot read corpus table {bad}"):
        load_corpus(bad)


class CountingEncoder:
    """The real encoder, recording every batch of texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.name, self.calls = inner, inner.name, []

    def encode(self, texts, batch_size=64, progress=None):
        self.calls.append(list(texts))
        return self.inner.encode(texts, batch_size=batch_size, progress=progress)


def test_adding_a_file_appends_and_encodes_only_the_new_passage(tmp_path, encoder):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name in ("volcano.txt", "moon.txt", "tax.txt"):
        (corpus / name).write_text(TOPICS[name], encoding="utf-8")
    counting = CountingEncoder(encoder)
    first = open_index(corpus, encoder=counting, progress=False)
    old_ids = [p.id for p in first.passages]
    old_rows = np.array(first.embeddings)

    # "bees" sorts before the old files: appending must not depend on where the new file lands.
    (corpus / "bees.txt").write_text(TOPICS["bees.txt"], encoding="utf-8")
    counting.calls.clear()
    grown = open_index(corpus, encoder=counting, progress=False)
    assert counting.calls == [[TOPICS["bees.txt"]]]  # one call, the new passage only
    assert grown.manifest["appended_passages"] == 1 and grown.manifest["reused_embeddings"] == 3
    assert [p.id for p in grown.passages] == old_ids + ["bees.txt#0"]
    np.testing.assert_array_equal(np.asarray(grown.embeddings[:3]), old_rows)

    reopened = open_index(corpus, encoder=counting, progress=False)
    assert reopened.manifest["corpus_hash"] == grown.manifest["corpus_hash"]
    (hits,) = reopened.search(["varroa mites in honeybee hives"], k=1)
    assert hits[0].passage.doc_id == "bees.txt"

    # A changed file is not an addition: everything is rebuilt in corpus order (embeddings still reused).
    (corpus / "tax.txt").write_text(TOPICS["piano.txt"], encoding="utf-8")
    changed = open_index(corpus, encoder=counting, progress=False)
    assert changed.manifest["appended_passages"] is None
    assert [p.doc_id for p in changed.passages] == ["bees.txt", "moon.txt", "tax.txt", "volcano.txt"]


def test_an_older_index_format_is_rebuilt_or_refused_with_a_message(tmp_path, encoder, caplog):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "moon.txt").write_text(TOPICS["moon.txt"], encoding="utf-8")
    built = open_index(corpus, encoder=encoder, progress=False)
    manifest = json.loads((built.path / "manifest.json").read_text(encoding="utf-8"))
    (built.path / "manifest.json").write_text(json.dumps({**manifest, "format": "verify-index/1"}), encoding="utf-8")

    with pytest.raises(InputError, match=r"has format verify-index/1, this version reads verify-index/2; rebuild it"):
        Index.load(built.path)
    with pytest.raises(InputError, match="verify-index/1"):
        open_index(built.path, encoder=encoder)  # the folder alone, with no corpus to rebuild from
    counting = CountingEncoder(encoder)
    with caplog.at_level(logging.WARNING):
        rebuilt = open_index(corpus, encoder=counting, progress=False)
    assert rebuilt.manifest["format"] == "verify-index/2" and rebuilt.manifest["reused_embeddings"] == 1
    assert counting.calls == [] and any("older format" in r.getMessage() for r in caplog.records)


def test_index_build_reports_each_stage_through_the_progress_callback(topic_dir, encoder):
    """Library code reports (stage, done, total) and draws nothing; each stage ends at done == total."""
    pytest.importorskip("faiss")
    calls: list[tuple] = []
    passages = chunk(load_corpus(topic_dir))
    Index.build(passages, encoder=encoder, progress=lambda *a: calls.append(a), ann_threshold=0)
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages[:3] == ["embedding passages", "BM25: tokenizing passages", "BM25: building the score matrix"]
    assert stages[3].startswith("training ") and stages[4] == "adding vectors to the IVF index"
    for stage in stages:
        done, total = [c[1:] for c in calls if c[0] == stage][-1]
        assert done == total and total is not None
    assert ("BM25: building the score matrix", 0, None) in calls  # a stage without a known total pulses
    assert ("embedding passages", len(passages), len(passages)) in calls
