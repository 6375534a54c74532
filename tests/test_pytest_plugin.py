"""The pytest plugin, run by pytest inside pytest (`pytester`) with the real embedded model."""
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from verify import pytest_plugin

from importlib.metadata import entry_points

# An installed verify registers the plugin through its `pytest11` entry point (as `pip install` does,
# and CI); from a bare source tree it is named with -p. Naming it twice would register it twice.
INSTALLED = any(ep.value == "verify.pytest_plugin" for ep in entry_points(group="pytest11"))
PLUGIN = ((() if INSTALLED else ("-p", "verify.pytest_plugin")) + ("-p", "no:cacheprovider", "--verify-engine", "torch",
          "-W", "ignore::pytest.PytestAssertRewriteWarning"))  # imported by this module first, on purpose

CLAIM_SET = """\
name: museum
passages:
  - id: guide
    text: The city museum opened in 1998 and has 40 rooms. It is closed on Mondays.
claims:
  - text: The city museum has 40 rooms.
    expect: supported
  - text: The city museum has 52 rooms.
    expect: supported
    tags: [known-failure]
    note: wrong on purpose, to show an xfail
  - text: The city museum opened in 2004.
    expect: supported
"""


@pytest.fixture(scope="module", autouse=True)
def warm():
    """pytester's in-process runs drop the modules they import (numpy cannot load twice): load the
    pipeline's modules and model here first, so the inner runs share them (and the model) instead."""
    pytest_plugin._current["options"] = {"engine": "torch"}
    from verify.corpus import SourceDoc

    pytest_plugin.pipeline_for().check_claims(["A museum has 40 rooms."], [SourceDoc(id="d", text="The museum has 40 rooms.")])
    import verify.ci.runner  # noqa: F401


def test_helpers_marker_and_failure_message(pytester):
    pytester.makepyfile(test_answers=textwrap.dedent('''
        import pytest
        from verify.pytest_plugin import assert_not_contradicted, assert_supported

        CONTEXT = "The city museum opened in 1998 and has 40 rooms. It is closed on Mondays."

        def test_grounded(verify_pipeline):
            verdict = assert_supported("The city museum has 40 rooms.", context=CONTEXT)
            assert verdict.label == "supported"

        def test_wrong_number():
            assert_supported("The city museum has 52 rooms.", context=CONTEXT)

        def test_unsettled_is_not_contradicted():
            assert_not_contradicted("The museum was designed by a famous architect.", context=[CONTEXT])

        @pytest.mark.verify(support_threshold=0.999)
        def test_strict_threshold():
            assert_supported("The city museum has 40 rooms.", context=CONTEXT)
    '''))
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*claim 'The city museum has 52 rooms.': expected supported, got contradicted (supported *",
        "*evidence evidence-1 [[]0:*[]]*The city museum opened in 1998 and has 40 rooms.*",
        "*check: claim: 52 rooms; evidence: 40 rooms*inconsistent*",
    ])
    assert "test_strict_threshold" in result.stdout.str().split("short test summary")[1]


def test_claim_sets_become_items_with_xfail_and_junit(pytester):
    folder = pytester.mkdir("claims")
    (folder / "museum.claims.yaml").write_text(CLAIM_SET)
    junit = pytester.path / "out.xml"
    result = pytester.runpytest(*PLUGIN, "claims", f"--junitxml={junit}", "-rxX")
    result.assert_outcomes(passed=1, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*'The city museum opened in 2004.': expected supported, got contradicted*"])
    cases = ET.parse(junit).getroot().iter("testcase")
    assert sorted(c.get("name") for c in cases) == sorted(
        ["The city museum has 40 rooms.", "The city museum has 52 rooms.", "The city museum opened in 2004."])


def test_claim_sets_are_not_collected_unless_asked(pytester):
    (pytester.mkdir("claims") / "claims.yaml").write_text(CLAIM_SET)
    pytester.mkdir("tests")
    pytester.makepyfile(**{"tests/test_ok": "def test_ok():\n    pass\n"})
    pytester.makeini("[pytest]\ntestpaths = tests\n")
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)  # testpaths: claims/ stays out
    pytester.runpytest(*PLUGIN, "--collect-only", "-q", "tests").assert_outcomes()
    assert "museum" not in pytester.runpytest(*PLUGIN, "--collect-only", "-q", ".").stdout.str()
    collected = pytester.runpytest(*PLUGIN, "--collect-only", "-q", "--verify-claims", ".").stdout.str()
    assert "claims.yaml::The city museum has 40 rooms." in collected


def test_bad_claim_set_is_a_collection_error_naming_the_line(pytester):
    (pytester.mkdir("claims") / "claims.yaml").write_text(CLAIM_SET.replace("expect: supported", "expect: maybe", 1))
    result = pytester.runpytest(*PLUGIN, "claims")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*claims.yaml:7: claims[[]0[]].expect: must be one of*"])


def test_plugin_import_is_light():
    code = ("import sys, verify.pytest_plugin; heavy = [m for m in ('torch', 'transformers', 'pandas', 'pydantic', "
            "'verify.pipeline', 'yaml') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
