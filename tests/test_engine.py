"""The inference engine: score cache, ONNX int8 backend, window selection — on the real model."""
import sys

import pytest

from verify.errors import ModelError
from verify.nli import load_verifier
from verify.nli.cache import CachedVerifier, ScoreCache
from verify.nli.windows import candidate_windows, term_weights, windows

PAIRS = [
    ("The two leaders signed 14 agreements in Beijing on Monday.", "The two leaders signed agreements."),
    ("A man is playing a guitar on stage.", "A man is performing music."),
    ("The company's profit rose sharply in 2024.", "The company's profit did not rise in 2024."),
    ("A woman is reading a book in the park.", "A man is sleeping in his car."),
    ("Lee visited Shanghai in January.", "Lee enjoys playing tennis with his brother."),
    ("The vaccine was approved in 2021 after a trial of 30,000 people.", "The vaccine was approved after a large trial."),
    ("Nobody attended the meeting on Friday.", "Several people attended the Friday meeting."),
    ("The river flooded the town twice last year.", "The town was flooded last year."),
]


def label_of(p: dict) -> str:
    return max(p, key=p.get)


def test_cache_returns_the_same_scores_without_rescoring(tmp_path, verifier):
    path = tmp_path / "scores.sqlite"
    first = CachedVerifier(verifier, ScoreCache(path))
    fresh = first.predict(PAIRS)
    assert (first.hits, first.misses) == (0, len(PAIRS))
    assert fresh == verifier.predict(PAIRS)

    # a new connection, as in the next run: every pair comes from the file, scores identical
    again = CachedVerifier(verifier, ScoreCache(path))
    assert again.predict(PAIRS + PAIRS[:2]) == fresh + fresh[:2]
    assert (again.hits, again.misses) == (len(PAIRS), 0)
    assert len(ScoreCache(path)) == len(PAIRS)


def test_cache_never_serves_another_models_scores(tmp_path, verifier):
    path = tmp_path / "scores.sqlite"
    CachedVerifier(verifier, ScoreCache(path)).predict(PAIRS)
    truncated = load_verifier(max_length=16)  # other truncation → other scores → other key
    assert truncated.cache_key != verifier.cache_key
    other = CachedVerifier(truncated, ScoreCache(path))
    assert other.predict(PAIRS) == truncated.predict(PAIRS)
    assert other.misses == len(PAIRS)


def test_unwritable_cache_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    from verify.errors import InputError

    with pytest.raises(InputError, match="score cache"):
        ScoreCache(blocker / "scores.sqlite")


@pytest.fixture(scope="module")
def onnx_verifier():
    pytest.importorskip("onnxruntime")
    return load_verifier(engine="onnx")


def test_onnx_int8_engine_agrees_with_torch(onnx_verifier, verifier):
    assert onnx_verifier.onnx_path.exists() and onnx_verifier.onnx_path.stat().st_size < 40e6
    assert onnx_verifier.cache_key != verifier.cache_key
    exact, quantised = verifier.predict(PAIRS), onnx_verifier.predict(PAIRS)
    for a, b in zip(exact, quantised):
        assert abs(sum(b.values()) - 1) < 1e-5
        assert label_of(a) == label_of(b), (a, b)
        assert max(abs(a[k] - b[k]) for k in a) < 0.15


def test_onnx_engine_batches_like_one_by_one(onnx_verifier):
    # dynamic int8 picks one activation scale per batch, so a pair's scores move slightly with its
    # batch-mates (documented); the label must not
    together = onnx_verifier.predict(PAIRS, batch_size=4)
    alone = [onnx_verifier.predict([p])[0] for p in PAIRS]
    for a, b in zip(together, alone):
        assert label_of(a) == label_of(b)
        assert max(abs(a[k] - b[k]) for k in a) < 0.1  # 0.08 seen on minilm-nli 7512a0ad


def test_missing_onnxruntime_is_a_model_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    from verify.nli.onnx import OnnxVerifier

    with pytest.raises(ModelError, match=r"pip install \"verify-claims\[onnx\]\""):
        OnnxVerifier()


def test_unknown_engine_is_a_model_error():
    with pytest.raises(ModelError, match="unknown engine 'tpu'"):
        load_verifier(engine="tpu")


PASSAGE = ("The summit opened in Beijing on Monday. Officials discussed trade and tourism. "
           "The weather was cold and grey. Lee and Xi signed 14 agreements on supply chains. "
           "Dinner was served at the Great Hall. Both sides praised the talks.")


def test_windows_keep_the_whole_passage_and_the_closest_sentences():
    words = term_weights("Lee and Xi signed more than ten agreements.", [PASSAGE])
    chosen = windows(PASSAGE, words, keep=2)
    texts = [PASSAGE[a:b] for a, b in chosen]
    assert texts[0] == PASSAGE  # short enough to be scored whole
    assert len(chosen) == 3
    assert all("14 agreements" in t for t in texts)
    assert windows(PASSAGE, words, keep=None) == candidate_windows(PASSAGE)
    assert len(candidate_windows(PASSAGE)) > 8


def test_windows_fall_back_to_one_window_when_nothing_overlaps():
    long_text = " ".join(f"Sentence number {i} talks about weather and rain." for i in range(40))
    chosen = windows(long_text, term_weights("The treaty was ratified.", [long_text]), keep=2)
    assert len(chosen) == 1 and chosen[0] != (0, len(long_text))  # too long to score whole


def test_window_choice_does_not_depend_on_hash_seed(repo):
    # near-equal window scores must not be ordered by set iteration order (PYTHONHASHSEED)
    import subprocess

    code = ("from verify.nli.windows import term_weights, windows; import json, sys; "
            f"p = {PASSAGE!r}; c = 'The summit in Beijing signed agreements on trade and supply chains.'; "
            "print(json.dumps(windows(p, term_weights(c, [p]), keep=2)))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout for seed in range(6)}
    assert len(runs) == 1, runs


def test_default_cache_in_an_unwritable_place_only_warns(tmp_path, monkeypatch, capsys, verifier):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(blocker / "cache"))
    v = load_verifier(engine="torch", cache=True)
    assert not isinstance(v, CachedVerifier) and v.predict(PAIRS[:1]) == verifier.predict(PAIRS[:1])
    assert "continuing without it" in capsys.readouterr().err
    with pytest.raises(Exception, match="score cache"):
        load_verifier(cache=blocker / "scores.sqlite")


def test_auto_engine_is_bf16_exactly_where_it_is_native():
    from verify.nli.verifier import bf16_native, resolve_engine

    assert resolve_engine("auto") == ("bf16" if bf16_native() else "torch")
    assert resolve_engine("onnx") == "onnx" and resolve_engine("torch") == "torch"
    assert load_verifier().cache_key == load_verifier(engine=resolve_engine("auto")).cache_key


def test_bf16_engine_agrees_with_fp32(verifier):
    fast = load_verifier(engine="bf16")
    assert fast.cache_key != verifier.cache_key
    for a, b in zip(verifier.predict(PAIRS), fast.predict(PAIRS)):
        assert label_of(a) == label_of(b) and max(abs(a[k] - b[k]) for k in a) < 0.1
