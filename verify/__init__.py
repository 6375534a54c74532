"""verify — check the facts in a text against a reference corpus, offline.

    from verify import Pipeline
    report = Pipeline().check(Document(text=article, date=...), "claims/seed-summit/corpus")

    frame = verify.score(contexts, answers)    # faithfulness of answers to their own contexts
"""
from .version import __version__  # noqa: E402  (a constant: no heavy import)

# Everything loads on first use: `import verify` (and so the pytest plugin, for every pytest run in
# an environment that has verify installed) costs nothing until a name is used.
_LAZY = {
    "Pipeline": "pipeline", "Settings": "settings", "load_verifier": "nli", "extract_claims": "extract", "score": "scoring",
    "answers_frame": "scoring", "load_corpus": "corpus", "open_index": "corpus", "Index": "corpus",
    **{name: "records" for name in ("Claim", "Document", "Evidence", "Passage", "Report", "Verdict", "WindowScore")},
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


__all__ = ["Pipeline", "Settings", "score", "answers_frame", "load_verifier", "extract_claims", "load_corpus", "open_index", "Index",
           "Claim", "Document", "Evidence", "Passage", "Report", "Verdict", "WindowScore", "__version__"]
