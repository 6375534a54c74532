"""The approximate dense index (faiss IVF) at small scale: recall against exact search, persistence,
incremental growth. The threshold is lowered so a few thousand synthetic passages take that path."""
from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faiss")

from verify.corpus import Index
from verify.corpus import dense as dense_module
from verify.corpus.dense import ExactDense, IvfDense
from verify.errors import InputError

_spec = importlib.util.spec_from_file_location("perf_index", Path(__file__).parents[1] / "benchmarks" / "perf_index.py")
perf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(perf)

N = 4_000


@pytest.fixture(scope="module")
def synthetic():
    passages = perf.synthetic_passages(N + 300)
    return passages, perf.WordVectorEncoder(), perf.synthetic_queries(passages[:N], 100)


@pytest.fixture(scope="module")
def ann_index(synthetic):
    passages, encoder, _ = synthetic
    return Index.build(passages[:N], encoder=encoder, progress=False, ann_threshold=0)


def _recall(approx, exact, k=10):
    return float(np.mean([len(set(a[:k].tolist()) & set(e[:k].tolist())) / k for a, e in zip(approx, exact)]))


def test_ann_recall_at_10_against_exact_search(ann_index, synthetic):
    _, encoder, queries = synthetic
    assert isinstance(ann_index.dense, IvfDense)
    assert ann_index.dense.settings()["nlist"] < N // 50  # probing nprobe lists is a real approximation
    vectors = encoder.encode(queries)
    exact = ExactDense(ann_index.embeddings).top(vectors, 10)
    assert _recall(ann_index.dense.top(vectors, 10), exact) >= 0.9
    # Candidates come back rescored exactly: best first by true inner product.
    for vector, rows in zip(vectors[:5], ann_index.dense.top(vectors[:5], 10)):
        scores = ann_index.embeddings[rows] @ vector
        assert np.all(np.diff(scores) <= 1e-6)


@pytest.mark.parametrize("mmap", [True, False])
def test_ann_index_save_load_round_trip(ann_index, synthetic, tmp_path, mmap):
    _, encoder, queries = synthetic
    folder = ann_index.save(tmp_path / "idx")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dense"]["kind"] == "ivf-sq8" and (folder / "dense.faiss").is_file()
    loaded = Index.load(folder, mmap=mmap, encoder=encoder)
    assert isinstance(loaded.dense, IvfDense)
    assert loaded.search(queries[:20], k=10) == ann_index.search(queries[:20], k=10)


def test_without_faiss_an_ann_index_is_searched_exactly(ann_index, synthetic, tmp_path, monkeypatch, caplog):
    _, encoder, queries = synthetic
    folder = ann_index.save(tmp_path / "idx")
    monkeypatch.setattr(dense_module, "_faiss", lambda: None)
    monkeypatch.setattr(dense_module, "_warned_no_faiss", False)
    with caplog.at_level(logging.WARNING):
        loaded = Index.load(folder, encoder=encoder)
    assert isinstance(loaded.dense, ExactDense)
    assert any("faiss is not installed" in r.getMessage() for r in caplog.records)
    exact = Index(ann_index.passages, ann_index.embeddings, ann_index.bm25, ann_index.text_hashes, encoder=encoder)
    assert loaded.search(queries[:10], k=10) == exact.search(queries[:10], k=10)


def test_damaged_ann_file_is_an_input_error(ann_index, tmp_path):
    folder = ann_index.save(tmp_path / "idx")
    (folder / "dense.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(InputError, match=r"is damaged \(dense.faiss"):
        Index.load(folder)


def test_appended_passages_extend_the_ivf_index_without_retraining(ann_index, synthetic, tmp_path):
    passages, encoder, _ = synthetic
    reuse = Index.load(ann_index.save(tmp_path / "idx"), encoder=encoder)  # memory-mapped, read-only faiss
    grown = Index.build(passages, encoder=encoder, progress=False, reuse=reuse, ann_threshold=0)
    assert grown.manifest["appended_passages"] == 300 and grown.manifest["reused_embeddings"] == N
    assert isinstance(grown.dense, IvfDense) and grown.dense.index.ntotal == N + 300
    assert grown.dense.trained_on == N  # extended, not retrained
    np.testing.assert_array_equal(faiss_centroids(grown.dense), faiss_centroids(reuse.dense))
    # Each new passage is its own nearest neighbour through the extended index.
    new_rows = np.arange(N, N + 300)
    found = grown.dense.top(np.asarray(grown.embeddings[new_rows]), 1)
    assert np.mean([f[0] == row for f, row in zip(found, new_rows)]) >= 0.95
    assert reuse.dense.index.ntotal == N  # the loaded index was not modified in place


def test_growing_past_twice_the_training_set_retrains(synthetic):
    passages, encoder, _ = synthetic
    small = Index.build(passages[:1_000], encoder=encoder, progress=False, ann_threshold=0)
    grown = Index.build(passages[:2_500], encoder=encoder, progress=False, reuse=small, ann_threshold=0)
    assert grown.manifest["appended_passages"] == 1_500 and grown.dense.trained_on == 2_500


def test_below_the_threshold_search_stays_exact(synthetic):
    passages, encoder, _ = synthetic
    index = Index.build(passages[:500], encoder=encoder, progress=False, ann_threshold=501)
    assert isinstance(index.dense, ExactDense) and index.manifest.get("dense") is None


def faiss_centroids(ivf):
    import faiss

    quantizer = faiss.downcast_index(ivf.index.quantizer)
    return faiss.rev_swig_ptr(quantizer.get_xb(), quantizer.ntotal * quantizer.d).copy()
