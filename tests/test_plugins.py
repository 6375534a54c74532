"""Stage plugins (verify/registry.py): a package registers a verifier through the `verify.verifiers`
entry point and `verify check --model plugin:NAME` uses it; Pipeline composes any objects that fit
the stage protocols. The toy plugin in tests/plugins/ is made visible as `pip install` would make
it: a dist-info folder (METADATA + entry_points.txt, written from its pyproject.toml) on the path."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.errors import InputError, PluginError
from verify.records import Document, Evidence, Passage
from verify.registry import AGGREGATORS, RETRIEVERS, VERIFIERS

REPO = Path(__file__).resolve().parent.parent
TOY = REPO / "tests" / "plugins" / "verify_toy_plugin"
SEED = REPO / "claims" / "seed-summit"


def dist_info(site: Path, name: str, version: str, entry_points: dict[str, dict[str, str]]) -> None:
    """What an installer writes for a package's entry points (the part importlib.metadata reads)."""
    folder = site / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    (folder / "entry_points.txt").write_text(
        "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n" for group, eps in entry_points.items()),
        encoding="utf-8")


@pytest.fixture()
def toy_site(tmp_path, monkeypatch) -> Path:
    """The toy plugin installed: its dist-info in a site folder, its package importable."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((TOY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site = tmp_path / "site"
    dist_info(site, project["name"], project["version"], project["entry-points"])
    dist_info(site, "verify-broken-plugin", "0.1.0", {"verify.verifiers": {"broken": "verify_broken_plugin.missing:make"}})
    for folder in (TOY, site):
        monkeypatch.syspath_prepend(str(folder))
    return site


def test_the_toy_verifier_is_registered_and_loaded_by_name(toy_site):
    from verify.nli import load_verifier
    from verify_toy_plugin import toy_probs

    assert "toy" in VERIFIERS and VERIFIERS.names()[:3] == ["torch", "bf16", "onnx"] and "toy" in VERIFIERS.names()
    verifier = load_verifier("plugin:toy")
    pairs = [("Lee and Xi signed 14 agreements.", "Lee and Xi signed agreements."), ("It was cold.", "Trade grew.")]
    calls = []
    assert verifier.predict(pairs, progress=lambda *a: calls.append(a)) == [toy_probs(*p) for p in pairs]
    assert calls == [("toy scoring", 2, 2)] and verifier.name == "toy-overlap"


def test_a_broken_or_unknown_plugin_is_one_clear_error(toy_site):
    from verify.nli import load_verifier

    with pytest.raises(PluginError, match=r"verifier plugin 'broken' \(verify_broken_plugin.missing:make, package "
                                          r"verify-broken-plugin\) cannot be loaded: ModuleNotFoundError"):
        load_verifier("plugin:broken")
    with pytest.raises(Exception, match=r"unknown verifier 'nope' \(choose from: torch, bf16, onnx, broken, toy\)"):
        load_verifier("plugin:nope")
    VERIFIERS.register("half", lambda **_: object())  # builds something that is no verifier
    try:
        with pytest.raises(PluginError, match="built a object without name, hash, predict"):
            load_verifier("plugin:half")
    finally:
        VERIFIERS._added.pop("half")
    with pytest.raises(PluginError, match="'rules' is built in"):
        AGGREGATORS.register("rules", lambda **_: None)


class WordRetriever:
    """A retriever that is not the Index: passages ranked by shared words (fits registry.Retriever)."""

    name, hash = "words", "words-1"

    def __init__(self, texts: list[str]):
        self.passages = [Passage(id=f"p{i}", doc_id=f"d{i}", text=t, span=(0, len(t))) for i, t in enumerate(texts)]

    def search(self, queries, k=10):
        def shared(q, p):
            return len(set(q.lower().split()) & set(p.text.lower().split()))

        out = []
        for q in queries:
            ranked = sorted(self.passages, key=lambda p: -shared(q, p))[:k]
            out.append([Evidence(passage=p, rank=r, score=float(shared(q, p))) for r, p in enumerate(ranked, start=1)])
        return out


def test_pipeline_composes_any_objects_that_fit_the_protocols(toy_site):
    from verify.aggregate import load_aggregator
    from verify.pipeline import Pipeline
    from verify_toy_plugin import make_verifier, toy_probs

    seen = []
    pipe = Pipeline(verifier=make_verifier(), retriever=WordRetriever(["The museum opened in 1990.", "Rain fell all week."]),
                    aggregator=load_aggregator("rules"), progress=lambda *a: seen.append(a))
    report = pipe.check_claims(["The museum opened in 1990."])
    assert report.provenance["model"] == "toy-overlap" and report.provenance["index_hash"] == "words-1"
    assert report.provenance["retriever"] == "words" and report.evidence["c1"][0].passage.id == "p0"
    assert all(w.entailment == toy_probs(w.text, "The museum opened in 1990.")["entailment"] for w in report.window_scores)
    assert report.verdicts[0].label == "supported"
    assert ("verifying claims", 1, 1) in seen and ("toy scoring", 2, 2) in seen
    assert list(RETRIEVERS) == ["hybrid"]

    seen.clear()
    text = "The museum opened in 1990. It rained all week in the city."
    article = pipe.check(Document(text=text))  # the retriever given: no corpus needed
    assert article.verdicts and ("extracting claims", len(text), len(text)) in seen
    assert [s for s, _, _ in seen].index("extracting claims") < [s for s, _, _ in seen].index("verifying claims")
    with pytest.raises(InputError, match="no corpus given"):
        Pipeline(verifier=make_verifier()).check(Document(text=text))


def test_verify_check_model_plugin_end_to_end(toy_site, tmp_path):
    """The real CLI in a fresh process, the plugin found only through its installed entry point."""
    from verify_toy_plugin import toy_probs

    out = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toy_site), str(TOY), str(REPO)]),
           "VERIFY_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "verify", "check", str(SEED / "article.txt"), "--corpus", str(SEED / "corpus"),
                           "--model", "plugin:toy", "--out", str(out), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert (report["provenance"]["model"], report["provenance"]["model_hash"]) == ("toy-overlap", "toy-overlap-1")
    claims = {c["id"]: c["text"] for c in report["claims"]}
    assert report["window_scores"]
    for w in report["window_scores"]:  # every score in the report is the plugin's
        assert {k: w[k] for k in ("entailment", "neutral", "contradiction")} == toy_probs(w["text"], claims[w["claim_id"]])
    assert {v["label"] for v in report["verdicts"]} >= {"supported"}

    broken = subprocess.run([sys.executable, "-m", "verify", "check", str(SEED / "article.txt"), "--corpus", str(SEED / "corpus"),
                             "--model", "plugin:broken", "--quiet"], capture_output=True, text=True, env=env, timeout=600)
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1
    assert "error: verifier plugin 'broken'" in broken.stderr and "cannot be loaded" in broken.stderr
