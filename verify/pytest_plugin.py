"""verify's pytest plugin (entry point `pytest11`: loaded by pytest wherever verify-claims is installed).

    from verify.pytest_plugin import assert_supported, assert_not_contradicted

    def test_answer_is_grounded():
        assert_supported("The museum has 40 rooms.", context="The museum opened in 1998 and has 40 rooms.")

    @pytest.mark.verify(model="my-nli-folder", support_threshold=0.7)   # any Settings field
    def test_against_a_corpus(verify_pipeline):
        assert_not_contradicted("The summit was held in Seoul.", corpus="claims/seed-summit/corpus")

- `verify_pipeline`: a session-scoped `Pipeline` (the model loads once per session and settings).
- `assert_supported(claim, corpus=... | context=...)`, `assert_not_contradicted(...)`: the verdict
  on success; on failure an AssertionError showing the verdict, its probabilities and cited evidence.
- `@pytest.mark.verify(**settings)`: the settings (model, support_threshold, contradict_threshold,
  engine, pairs, ...) the helpers use inside that test.
- Claim sets (`claims.yaml` / `*.claims.yaml`, the `verify ci` format) become test items, one per
  claim, when pytest is pointed at them (`pytest claims/`, not `pytest` or `pytest .`; or
  `--verify-claims` to collect them wherever pytest looks); `known-failure` claims are xfail. Options: --verify-model, --verify-engine.

Nothing heavy is imported until a fixture, helper or claim set is used: projects that do not use
the plugin pay nothing at pytest start-up.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence, Union

import pytest

_PIPELINES: dict[str, Any] = {}  # settings (as JSON) -> Pipeline, for the whole session
_current: dict[str, Any] = {}  # settings overrides for the running test (its `verify` marker) and options


# -- hooks ------------------------------------------------------------------------------------------

def pytest_addoption(parser):
    group = parser.getgroup("verify", "verify (fact checking)")
    group.addoption("--verify-model", default=None, help="Verifier model for verify's fixtures, helpers and claim sets.")
    group.addoption("--verify-engine", default=None, help="Inference engine: auto, torch, bf16 or onnx.")
    group.addoption("--verify-claims", action="store_true", default=False,
                    help="Collect claim-set YAML files (claims.yaml, *.claims.yaml) wherever pytest looks, "
                         "not only under paths given on the command line.")


def pytest_configure(config):
    config.addinivalue_line("markers", "verify(**settings): verify settings (model, support_threshold, "
                                       "contradict_threshold, engine, ...) for the test's verify helpers")
    _current.clear()
    _current["options"] = {k: v for k, v in (("model", config.getoption("verify_model", None)),
                                             ("engine", config.getoption("verify_engine", None))) if v is not None}


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("verify")
    _current["marker"] = dict(marker.kwargs) if marker is not None else {}


def pytest_runtest_teardown(item):
    _current.pop("marker", None)


def pytest_collect_file(file_path: Path, parent):
    if not file_path.name.lower().endswith((".yaml", ".yml")) or not _collects_claims(parent.config, file_path):
        return None
    from .ci.loader import is_claim_set_filename

    if is_claim_set_filename(file_path):
        return ClaimSetFile.from_parent(parent, path=file_path)
    return None


def _collects_claims(config, file_path: Path) -> bool:
    """Only when asked: --verify-claims, or the file lies under a path given on the command line other
    than the project's root (`pytest claims/` collects; `pytest`, `pytest .` and testpaths never run a
    repository's claim sets by accident)."""
    if config.getoption("verify_claims", False):
        return True
    if getattr(config, "args_source", None) != pytest.Config.ArgsSource.ARGS:
        return False
    here = Path(config.invocation_params.dir).resolve()
    roots = {here, Path(config.rootpath).resolve()}
    target = file_path.resolve()
    for arg in config.args:
        given = (here / str(arg).split("::", 1)[0]).resolve()
        if given not in roots and (target == given or given in target.parents):
            return True
    return False


# -- pipelines, fixtures and helpers ----------------------------------------------------------------

def pipeline_for(**overrides):
    """The session's Pipeline for these settings overrides (the command-line options, then the running
    test's `verify` marker, then `overrides`): built once, reused."""
    from .pipeline import Pipeline
    from .settings import Settings

    values = {**_current.get("options", {}), **_current.get("marker", {}), **overrides}
    support, contradict = values.pop("support_threshold", None), values.pop("contradict_threshold", None)
    if support is not None or contradict is not None:  # the command line's names for Settings.thresholds
        from .aggregate import Thresholds

        base = values.get("thresholds") or Thresholds()
        values["thresholds"] = base.model_copy(update={k: v for k, v in (("support", support), ("contradict", contradict))
                                                       if v is not None})
    settings = Settings.make(**values)
    key = settings.model_dump_json()
    if key not in _PIPELINES:
        _PIPELINES[key] = Pipeline(settings)
    return _PIPELINES[key]


@pytest.fixture(scope="session")
def verify_pipeline():
    """A Pipeline with the command line's --verify-model/--verify-engine (model loaded once per session)."""
    return pipeline_for()


def verdict_for(claim: str, *, corpus: Any = None, context: Union[str, Sequence[str], None] = None,
                date=None, pipeline=None):
    """The verdict on one claim against a corpus (folder, file, index or SourceDocs) or a context
    (a text or a list of texts, scored directly: no index)."""
    if (corpus is None) == (context is None):
        raise TypeError("give either corpus= or context=")
    pipe = pipeline or pipeline_for()
    if context is not None:
        return pipe.judge([claim], [[context] if isinstance(context, str) else list(context)], date)[0]
    return pipe.check_claims([claim], corpus, date=date).verdicts[0]


def assert_supported(claim: str, *, corpus: Any = None, context: Union[str, Sequence[str], None] = None,
                     date=None, pipeline=None):
    """Fail unless the claim is supported; return the verdict."""
    verdict = verdict_for(claim, corpus=corpus, context=context, date=date, pipeline=pipeline)
    if verdict.label != "supported":
        raise AssertionError(failure_message(claim, "supported", verdict))
    return verdict


def assert_not_contradicted(claim: str, *, corpus: Any = None, context: Union[str, Sequence[str], None] = None,
                            date=None, pipeline=None):
    """Fail when the claim is contradicted (supported and not_enough_info pass); return the verdict."""
    verdict = verdict_for(claim, corpus=corpus, context=context, date=date, pipeline=pipeline)
    if verdict.label == "contradicted":
        raise AssertionError(failure_message(claim, "not contradicted", verdict))
    return verdict


def failure_message(claim: str, wanted: str, verdict) -> str:
    probs = ", ".join(f"{k} {v:.2f}" for k, v in verdict.probabilities.items())
    lines = [f"claim {claim!r}: expected {wanted}, got {verdict.label} ({probs})"]
    for e in verdict.evidence[:2]:
        lines.append(f"  evidence {e.doc_id} [{e.span[0]}:{e.span[1]}] (entailment {e.entailment:.2f}, "
                     f"contradiction {e.contradiction:.2f}): {' '.join(e.text.split())[:300]!r}")
    lines += [f"  check: {f.explanation}" for f in verdict.checks if f.relation != "unrelated"][:3]
    if verdict.explanation:
        lines.append(f"  why: {verdict.explanation}")
    return "\n".join(lines)


# -- claim sets as test items -----------------------------------------------------------------------

class ClaimSetFile(pytest.File):
    """One claim-set YAML file: one item per claim (or article expectation); the set runs once."""

    def collect(self):
        from .ci.loader import load_claim_set
        from .errors import InputError

        try:
            self.claim_set = load_claim_set(self.path)
        except InputError as e:
            raise self.CollectError(str(e)) from None
        spec = self.claim_set.spec
        self._result: Optional[dict] = None
        for case in list(spec.claims) + list(spec.expect):
            key = getattr(case, "text", None) or case.match
            item = ClaimItem.from_parent(self, name=key, key=key)
            if case.known_failure:
                item.add_marker(pytest.mark.xfail(reason=f"known-failure: {case.note}", strict=False))
            yield item
        if spec.others == "not_contradicted":
            yield ClaimItem.from_parent(self, name="others: not contradicted", key=None)

    def cases(self) -> dict:
        """key -> CaseResult for the whole set, computed on first use ("others" cases under None)."""
        if self._result is None:
            from .ci.runner import run_sets

            result = run_sets([self.claim_set], pipeline_for())
            listed = {getattr(c, "text", None) or c.match for c in list(self.claim_set.spec.claims) + list(self.claim_set.spec.expect)}
            self._result = {c.key: c for c in result.cases if c.key in listed}
            self._result[None] = [c for c in result.cases if c.key not in listed]
        return self._result


class ClaimFailed(Exception):
    pass


class ClaimItem(pytest.Item):
    def __init__(self, *, key: Optional[str], **kwargs):
        super().__init__(**kwargs)
        self.key = key

    def runtest(self):
        found = self.parent.cases()[self.key]
        cases = found if isinstance(found, list) else [found]
        failed = [c for c in cases if not c.passed]
        if failed:
            raise ClaimFailed("\n".join(
                f"{c.claim!r}: {c.message}" + (f"\n  evidence: {c.evidence!r}" if c.evidence else "") for c in failed))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.parent.claim_set.name}: {self.name}"
