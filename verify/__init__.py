"""verify — check the facts in a text against a reference corpus, offline.

    from verify import Pipeline
    report = Pipeline().check(Document(text=article, date=...), "claims/seed-summit/corpus")
"""
from .records import Claim, Document, Evidence, Passage, Report, Verdict, WindowScore  # noqa: E402
from .version import __version__  # noqa: E402


def __getattr__(name):  # heavy modules (torch, transformers) load on first use only
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    if name == "load_verifier":
        from .nli import load_verifier

        return load_verifier
    if name == "extract_claims":
        from .extract import extract_claims

        return extract_claims
    if name in ("load_corpus", "open_index", "Index"):
        from . import corpus

        return getattr(corpus, name)
    raise AttributeError(name)


__all__ = ["Pipeline", "load_verifier", "extract_claims", "load_corpus", "open_index", "Index",
           "Claim", "Document", "Evidence", "Passage", "Report", "Verdict", "WindowScore", "__version__"]
