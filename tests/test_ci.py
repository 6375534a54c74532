"""The CI gate: claim-set schema and discovery, judging, JUnit, baselines, integration files.

The first half needs no model. Tests marked `pipeline` below run the real Pipeline with the
embedded verifier on small inline sets; the whole committed claim suite is @slow.
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
import yaml

from verify.ci.baseline import compare, load_baseline, write_baseline
from verify.ci.junit import junit_xml
from verify.ci.loader import find_claim_sets, load_claim_set, load_claim_sets
from verify.ci.runner import CIResult, SetResult, judge
from verify.ci.schema import ClaimSpec
from verify.errors import InputError
from verify.records import CitedEvidence, Verdict

REPO = Path(__file__).resolve().parent.parent
CLAIMS = REPO / "claims"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(InputError) as err:
        load_claim_set(path)
    return str(err.value)


INLINE_HEAD = "name: demo\npassages:\n  - id: p1\n    text: Lee Jae-myung took office in June 2025.\nclaims:\n"


# ---------------------------------------------------------------- schema errors: file, line, field


def test_bad_expect_value_names_file_line_and_field(tmp_path):
    path = write(
        tmp_path / "claims.yaml",
        INLINE_HEAD
        + "  - text: Lee took office in 2025.\n    expect: supported\n"
        + "  - text: Lee took office in 2023.\n    expect: wrong\n",
    )
    message = load_error(path)
    assert message.startswith(f"{path}:9: claims[1].expect:")
    assert "'wrong'" in message and "not_enough_info" in message


def test_missing_corpus_is_reported_at_the_top(tmp_path):
    path = write(tmp_path / "claims.yaml", "name: demo\nclaims:\n  - text: x\n    expect: supported\n")
    message = load_error(path)
    assert message.startswith(f"{path}:1: corpus:")
    assert "missing" in message


def test_unknown_key_is_reported_at_the_key(tmp_path):
    path = write(
        tmp_path / "claims.yaml",
        INLINE_HEAD + "  - text: Lee took office in 2025.\n    expect: supported\n    expected: contradicted\n",
    )
    message = load_error(path)
    assert message.startswith(f"{path}:8: claims[0].expected: unknown key")


def test_missing_claim_text_points_at_the_claim(tmp_path):
    path = write(tmp_path / "claims.yaml", INLINE_HEAD + "  - text: A claim.\n    expect: supported\n  - expect: supported\n")
    assert load_error(path).startswith(f"{path}:8: claims[1].text: required field is missing")


def test_known_failure_needs_a_note(tmp_path):
    path = write(
        tmp_path / "claims.yaml",
        INLINE_HEAD + "  - text: A claim.\n    expect: supported\n    tags: [known-failure]\n",
    )
    assert load_error(path).startswith(f"{path}:6: claims[0].note:")


def test_invalid_date_and_invalid_yaml_name_their_line(tmp_path):
    bad_date = write(tmp_path / "a.yaml", "name: demo\ndate: 2026-13-01\n" + INLINE_HEAD.removeprefix("name: demo\n"))
    assert load_error(bad_date).startswith(f"{bad_date}:2: date: invalid date")
    bad_yaml = write(tmp_path / "b.yaml", INLINE_HEAD + "  - text: [unclosed\n")
    assert load_error(bad_yaml).startswith(f"{bad_yaml}:")
    assert "invalid YAML" in load_error(bad_yaml)


def test_duplicate_claim_text_points_at_the_second_copy(tmp_path):
    path = write(
        tmp_path / "claims.yaml",
        INLINE_HEAD + "  - text: Same.\n    expect: supported\n  - text: Same.\n    expect: contradicted\n",
    )
    assert load_error(path).startswith(f"{path}:8: claims[1].text: duplicate of claims[0]")


def test_missing_corpus_folder_and_article_file(tmp_path):
    path = write(tmp_path / "claims.yaml", "name: demo\ncorpus: nowhere\nclaims:\n  - text: x\n    expect: supported\n")
    assert load_error(path).startswith(f"{path}:2: corpus: not found")
    (tmp_path / "docs").mkdir()
    path = write(
        tmp_path / "article.claims.yaml",
        "name: demo\ncorpus: docs\narticle: missing.txt\nexpect:\n  - match: x\n    expect: supported\n",
    )
    assert load_error(path).startswith(f"{path}:3: article: file not found")


def test_article_and_claims_are_exclusive_and_expect_belongs_to_articles(tmp_path):
    write(tmp_path / "a.txt", "Text.")
    both = write(
        tmp_path / "both.yaml",
        INLINE_HEAD + "  - text: x\n    expect: supported\narticle: a.txt\n",
    )
    assert "claims: give either `article` or `claims`" in load_error(both)
    stray = write(
        tmp_path / "stray.yaml",
        INLINE_HEAD + "  - text: x\n    expect: supported\nexpect:\n  - match: x\n    expect: supported\n",
    )
    assert load_error(stray).startswith(f"{stray}:8: expect:")


def test_a_valid_inline_set_loads_with_resolved_corpus(tmp_path):
    path = write(tmp_path / "claims.yaml", INLINE_HEAD + "  - text: Lee took office in 2025.\n    expect: supported\n")
    claim_set = load_claim_set(path)
    corpus = claim_set.corpus()
    assert [d.id for d in corpus] == ["p1"] and "June 2025" in corpus[0].text
    assert claim_set.spec.claims[0].expect == "supported" and not claim_set.is_article_set


# ---------------------------------------------------------------- discovery and committed sets


def test_find_claim_sets_follows_the_naming_rule(tmp_path):
    body = INLINE_HEAD + "  - text: x\n    expect: supported\n"
    write(tmp_path / "a" / "claims.yaml", body)
    write(tmp_path / "b" / "extra.claims.yml", body.replace("demo", "demo2"))
    write(tmp_path / "b" / "notes.yaml", "name: not a claim set\n")
    write(tmp_path / ".hidden" / "claims.yaml", "broken: [")
    found = find_claim_sets([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/claims.yaml", "b/extra.claims.yml"]
    # An explicit file is taken whatever its name (pre-commit passes changed files).
    assert find_claim_sets([tmp_path / "b" / "notes.yaml", tmp_path / "a"]) == [
        tmp_path / "a" / "claims.yaml",
        tmp_path / "b" / "notes.yaml",
    ]
    with pytest.raises(InputError, match="not found"):
        find_claim_sets([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no claim sets"):
        find_claim_sets([tmp_path / "empty"])


def test_two_sets_with_one_name_are_rejected(tmp_path):
    body = INLINE_HEAD + "  - text: x\n    expect: supported\n"
    write(tmp_path / "a" / "claims.yaml", body)
    write(tmp_path / "b" / "claims.yaml", body)
    with pytest.raises(InputError, match="two claim sets are named 'demo'"):
        load_claim_sets([tmp_path])


COMMITTED = find_claim_sets([CLAIMS])


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.parent.name)
def test_every_committed_set_loads_and_its_corpus_reads(path):
    from verify.corpus.loaders import load_corpus

    claim_set = load_claim_set(path)
    corpus = claim_set.corpus()
    docs = load_corpus(corpus) if isinstance(corpus, str) else corpus
    assert len(docs) >= 4
    cases = claim_set.spec.claims or claim_set.spec.expect
    labels = {c.expect for c in cases}
    if not claim_set.is_article_set:  # curated sets mix true, false and unsettled claims
        assert labels == {"supported", "contradicted", "not_enough_info"}
        assert len(cases) >= 8
    for case in cases:
        assert case.tags, f"untagged claim in {path}: {case}"


def test_committed_sets_cover_the_required_domains():
    sets = {s.name: s for s in load_claim_sets([CLAIMS])}
    assert {"seed-summit", "seed-summit-planted", "science-measles", "finance-earnings"} <= set(sets)
    assert len(sets["seed-summit"].spec.claims) >= 25
    assert (CLAIMS / "seed-summit" / "article.txt").read_text(encoding="utf-8").startswith("Beijing Courts Seoul")


def test_seed_corpus_documents_are_short_wire_copy():
    from verify.corpus.loaders import load_corpus

    docs = load_corpus(CLAIMS / "seed-summit" / "corpus")
    assert 8 <= len(docs) <= 12
    for doc in docs:
        assert 80 <= len(doc.text.split()) <= 250, doc.id


def test_planted_article_differs_from_the_seed_only_at_the_planted_errors():
    planted_set = load_claim_set(CLAIMS / "seed-summit-planted" / "claims.yaml")
    original = (CLAIMS / "seed-summit" / "article.txt").read_text(encoding="utf-8")
    planted = planted_set.article_path.read_text(encoding="utf-8")
    planted_errors = [e for e in planted_set.spec.expect if "planted" in e.tags]
    assert 4 <= len(planted_errors) <= 6
    assert planted_set.spec.others == "not_contradicted"
    for expectation in planted_errors:
        assert expectation.expect == "contradicted"
        assert expectation.match in planted and expectation.match not in original
    for expectation in planted_set.spec.expect:  # the rest: unchanged sentences today's model gets wrong
        assert "planted" in expectation.tags or ("known-failure" in expectation.tags and expectation.match in original)
    changed = [(a, b) for a, b in zip(original.splitlines(), planted.splitlines()) if a != b]
    assert len(original.splitlines()) == len(planted.splitlines()) and len(changed) == 2


# ---------------------------------------------------------------- judging, JUnit, baseline (records only)


def verdict(label: str, p: float, evidence: str = "Lee took office on 4 June 2025.") -> Verdict:
    rest = (1 - p) / 2
    probabilities = {name: (p if name == label else rest) for name in ("supported", "contradicted", "not_enough_info")}
    cited = CitedEvidence(passage_id="p1", doc_id="d1", span=(0, len(evidence)), text=evidence, entailment=0.1, contradiction=0.8)
    return Verdict(claim_id="c1", label=label, probabilities=probabilities, evidence=[cited])


def test_judge_compares_label_then_min_probability():
    spec = ClaimSpec(text="Lee took office in 2023.", expect="contradicted", min_probability=0.7)
    assert judge("s", spec.text, spec, spec.text, verdict("contradicted", 0.8)).passed
    low = judge("s", spec.text, spec, spec.text, verdict("contradicted", 0.6))
    assert not low.passed and "p>=0.70" in low.message
    wrong = judge("s", spec.text, spec, spec.text, verdict("supported", 0.81))
    assert wrong.message == "expected contradicted, got supported (p=0.81)"
    assert wrong.evidence == "Lee took office on 4 June 2025."
    missing = judge("s", spec.text, spec, spec.text, None)
    assert not missing.passed and missing.got is None


def test_not_contradicted_passes_any_label_but_contradicted(tmp_path):
    spec = ClaimSpec(text="Xi hosts Lee.", expect="not_contradicted")
    assert judge("s", spec.text, spec, spec.text, verdict("supported", 0.8)).passed
    assert judge("s", spec.text, spec, spec.text, verdict("not_enough_info", 0.8)).passed
    flagged = judge("s", spec.text, spec, spec.text, verdict("contradicted", 0.55))
    assert not flagged.passed and flagged.message == "expected not_contradicted, got contradicted (p=0.55)"
    path = write(tmp_path / "claims.yaml", INLINE_HEAD + "  - text: Lee took office.\n    expect: not_contradicted\n"
                 "    min_probability: 0.6\n")
    assert "min_probability" in load_error(path)  # a bound on p(anything but contradicted) means nothing


def sample_result() -> CIResult:
    """Set a: 1 pass, 1 fail, 1 known failure; set b: 1 pass."""
    ok = ClaimSpec(text="A is true.", expect="supported", tags=["entity"])
    bad = ClaimSpec(text="B is false.", expect="contradicted", tags=["numeric"])
    known = ClaimSpec(text="C is hard.", expect="contradicted", tags=["known-failure"], note="needs arithmetic")
    a = [
        judge("a", ok.text, ok, ok.text, verdict("supported", 0.9)),
        judge("a", bad.text, bad, bad.text, verdict("supported", 0.7)),
        judge("a", known.text, known, known.text, verdict("not_enough_info", 0.6)),
    ]
    b = [judge("b", ok.text, ok, ok.text, verdict("supported", 0.95))]
    return CIResult([SetResult("a", "a/claims.yaml", a, 1.5), SetResult("b", "b/claims.yaml", b, 0.5)])


def test_gate_is_strict_by_default_and_tolerant_with_min_accuracy():
    result = sample_result()
    assert len(result.failures) == 1 and len(result.known_failures) == 1
    assert result.accuracy == pytest.approx(2 / 3)  # the known failure is not gated
    assert not result.gate_passes()
    assert result.gate_passes(min_accuracy=0.6) and not result.gate_passes(min_accuracy=0.7)


def test_junit_xml_has_one_suite_per_set_and_counts_failures():
    root = ET.fromstring(junit_xml(sample_result()))
    assert root.tag == "testsuites" and root.get("tests") == "4" and root.get("failures") == "1"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"a", "b"}
    a = suites["a"]
    assert (a.get("tests"), a.get("failures"), a.get("skipped")) == ("3", "1", "1")
    failures = a.findall("testcase/failure")
    assert len(failures) == 1 and failures[0].get("message") == "expected contradicted, got supported (p=0.70)"
    assert "evidence: Lee took office" in failures[0].text
    assert "needs arithmetic" in a.find("testcase/skipped").get("message")
    assert suites["b"].findall("testcase/failure") == []


def test_baseline_round_trip_reports_regressions_fixes_and_drift(tmp_path):
    before = sample_result()
    path = write_baseline(before, tmp_path / "baseline.json")
    baseline = load_baseline(path)
    assert compare(before, baseline).changes == [] and compare(before, baseline).drifts == []

    # Today: the passing claim in set a now fails, the failing one passes, and b drifts.
    ok = ClaimSpec(text="A is true.", expect="supported")
    bad = ClaimSpec(text="B is false.", expect="contradicted")
    today = CIResult(
        [
            SetResult(
                "a",
                "a/claims.yaml",
                [
                    judge("a", ok.text, ok, ok.text, verdict("contradicted", 0.6)),
                    judge("a", bad.text, bad, bad.text, verdict("contradicted", 0.9)),
                ],
                1.0,
            ),
            SetResult("b", "b/claims.yaml", [judge("b", ok.text, ok, ok.text, verdict("supported", 0.8))], 1.0),
        ]
    )
    comparison = compare(today, baseline, tolerance=0.05)
    assert [(c.key, c.kind) for c in comparison.regressions] == [("A is true.", "regression")]
    assert [c.key for c in comparison.fixes] == ["B is false."]
    assert {(d.set_name, d.label) for d in comparison.drifts} >= {("b", "supported")}
    assert comparison.removed == [("a", "C is hard.")]
    assert compare(today, baseline, tolerance=0.9).drifts == []

    # Re-recording an unfiltered run drops the entry of the claim that is gone; a set not run keeps its entries.
    only_a = CIResult([today.sets[0]])
    rewritten = load_baseline(write_baseline(only_a, path, previous=baseline))
    assert set(rewritten.entries) == {("a", "A is true."), ("a", "B is false."), ("b", "A is true.")}
    assert rewritten.entries[("a", "A is true.")].passed is False


def test_a_corrupt_baseline_is_bad_input(tmp_path):
    path = write(tmp_path / "baseline.json", '{"version": 1, "sets": [')
    with pytest.raises(InputError, match="baseline.json:1"):
        load_baseline(path)
    write(tmp_path / "other.json", '{"hello": 1}')
    with pytest.raises(InputError, match="not a verify baseline"):
        load_baseline(tmp_path / "other.json")


# ---------------------------------------------------------------- integration files


def _ci_click_command():
    from typer.main import get_command

    from verify.ci.command import ci_command

    app = typer.Typer()
    app.command("ci")(ci_command)
    app.command("unused")(lambda: None)  # two commands: get_command returns a group
    return get_command(app).commands["ci"]


def _parses_as_ci(command_line: str) -> None:
    words = shlex.split(command_line)
    assert words[:2] == ["verify", "ci"], command_line
    command = _ci_click_command()
    ctx = command.make_context("verify ci", words[2:])  # raises on an unknown option
    assert ctx.params["paths"] is not None or len(words) == 2


def test_the_verify_cli_registers_ci():
    from typer.main import get_command

    from verify.cli import app

    assert "ci" in get_command(app).commands


def test_github_actions_example_runs_verify_ci_and_uploads_junit():
    workflow = yaml.safe_load((REPO / "examples" / "github-actions" / "verify.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers and "push" in triggers
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    runs = [s["run"] for s in steps if "run" in s]
    assert any("-c constraints.txt" in r and "pip install" in r for r in runs)
    (ci_line,) = [line.strip() for r in runs for line in r.splitlines() if line.strip().startswith("verify ci")]
    _parses_as_ci(ci_line)
    assert "--out verify-junit.xml" in ci_line and "--baseline claims/baseline.json" in ci_line
    assert "--format github" in ci_line and "--out verify.sarif" in ci_line
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "verify-junit.xml" and upload.get("if") == "always()"
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert sarif["with"]["sarif_file"] == "verify.sarif"
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "~/.cache/verify"
    torch_line = next(line for r in runs for line in r.splitlines() if line.strip().endswith(" torch"))
    assert "-c constraints.txt" in torch_line and "/whl/cpu" in torch_line  # CPU torch, the pinned version


def test_pre_commit_hook_runs_verify_ci_on_claim_files():
    import re

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "verify-ci"]
    for key in ("id", "name", "entry", "language", "files"):
        assert key in hook
    assert hook["language"] == "script" and hook["pass_filenames"] is True
    script = (REPO / hook["entry"]).read_text(encoding="utf-8")
    assert (REPO / hook["entry"]).stat().st_mode & 0o111  # pre-commit runs it as a program
    # torch comes in through the constraints file, from the CPU wheel index, before the package
    torch_line = next(line for line in script.splitlines() if line.strip().endswith(" torch"))
    assert '-c "$here/constraints.txt"' in script.splitlines()[script.splitlines().index(torch_line) - 1]
    assert '"$venv/bin/python" -m pip install -q -c "$here/constraints.txt" "$here"' in script
    assert script.rstrip().endswith('exec "$venv/bin/verify" ci "$@"')
    _parses_as_ci("verify ci claims/seed-summit/claims.yaml")
    pattern = re.compile(hook["files"])
    assert pattern.search("claims/seed-summit/claims.yaml") and pattern.search("claims/x/a.yml")
    assert not pattern.search("claims/seed-summit/corpus/apec-gyeongju.md")
    assert not pattern.search("verify/claims.yaml")


# ---------------------------------------------------------------- the command, end to end


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed entry point's code path: verify.cli.main, in a fresh process."""
    code = "import sys; from verify.cli import main; sys.argv[0] = 'verify'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_bad_claim_set_exits_2_with_one_message(tmp_path):
    path = write(tmp_path / "claims.yaml", INLINE_HEAD + "  - text: x\n    expect: maybe\n")
    done = run_cli("ci", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert "claims.yaml:7: claims[0].expect" in done.stderr and "Traceback" not in done.stderr


SMALL_SET = """\
name: small
date: 2026-01-03
passages:
  - id: lee
    text: Lee Jae-myung was sworn in as president of South Korea on 4 June 2025. His predecessor was Yoon Suk Yeol.
  - id: apec
    text: The 2025 APEC summit was held in Gyeongju, South Korea. Xi Jinping and Lee Jae-myung first met there on 1 November 2025.
  - id: football
    text: Jeonbuk Hyundai Motors beat Ulsan HD 3-1 on Sunday in the K League.
claims:
  - text: Lee Jae-myung's predecessor was Yoon Suk Yeol.
    expect: supported
    tags: [entity]
  - text: The 2025 APEC summit was held in Busan.
    expect: contradicted
    tags: [entity]
  - text: Lee Jae-myung will visit Brazil in 2027.
    expect: not_enough_info
    tags: [nei]
"""


@pytest.fixture(scope="module")
def pipeline():
    """One real Pipeline (embedded verifier) shared by the tests below: the model loads once."""
    from verify.pipeline import Pipeline

    return Pipeline()


@pytest.fixture
def ci(pipeline, monkeypatch):
    """Run `verify ci ARGS` in-process through the real CLI app, reusing the shared pipeline."""
    from typer.testing import CliRunner

    import verify.ci.command
    from verify.cli import app

    monkeypatch.setattr(verify.ci.command, "make_pipeline", lambda *args: pipeline)
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, ["ci", *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


def test_run_sets_with_the_real_pipeline_keeps_claim_order(tmp_path, pipeline):
    from verify.ci.runner import run_sets

    claim_set = load_claim_set(write(tmp_path / "claims.yaml", SMALL_SET))
    result = run_sets([claim_set], pipeline, tags={"entity"})
    assert [c.claim for c in result.cases] == [c.text for c in claim_set.spec.claims[:2]]
    for case in result.cases:
        assert case.got in ("supported", "contradicted", "not_enough_info")
        assert sum(case.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        assert case.passed == (case.got == case.expected)
    assert result.model_hash


def test_baseline_flow_end_to_end(tmp_path, ci):
    set_file = write(tmp_path / "claims.yaml", SMALL_SET)
    baseline = tmp_path / "baseline.json"
    junit = tmp_path / "junit.xml"
    first_json = tmp_path / "first.json"

    # 1. Record. Tolerant mode so the recording run exits 0 whatever the model gets right.
    done = ci(
        str(set_file), "--baseline", str(baseline), "--update-baseline", "--min-accuracy", "0",
        "--junit", str(junit), "--json-out", str(first_json),
    )
    assert done.exit_code == 0, done.output
    first = json.loads(first_json.read_text())
    recorded = json.loads(baseline.read_text())
    cases = first["sets"][0]["cases"]
    assert set(recorded["sets"]["small"]) == {c["key"] for c in cases}
    assert recorded["model_hash"] == first["model_hash"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("tests")) == 3 and int(suite.get("failures")) == sum(not c["passed"] for c in cases)

    # 2. Same inputs against the baseline: no verdict changes, same gate as the JSON says.
    done = ci(str(set_file), "--baseline", str(baseline), "--json")
    again = json.loads(done.stdout)
    assert again["baseline"]["changes"] == [] and again["baseline"]["drifts"] == []
    assert done.exit_code == (0 if again["passed"] else 1)

    # 3. Change the expectation of a claim that passed: a regression, exit 1 even when tolerant.
    passing = next((c for c in cases if c["passed"]), None)
    if passing is None:  # nothing passed: make the first claim pass by expecting what it got
        passing = cases[0]
        set_file.write_text(set_file.read_text().replace(
            f"{passing['key']}\n    expect: {passing['expected']}", f"{passing['key']}\n    expect: {passing['got']}"
        ))
        ci(str(set_file), "--baseline", str(baseline), "--update-baseline", "--min-accuracy", "0")
    other = next(label for label in ("supported", "contradicted", "not_enough_info") if label != passing["got"])
    changed = set_file.read_text().replace(
        f"{passing['key']}\n    expect: {passing['got']}", f"{passing['key']}\n    expect: {other}"
    )
    assert changed != set_file.read_text()
    set_file.write_text(changed)
    done = ci(str(set_file), "--baseline", str(baseline), "--min-accuracy", "0", "--json")
    assert done.exit_code == 1
    report = json.loads(done.stdout)
    assert [r["key"] for r in report["baseline"]["regressions"]] == [passing["key"]]
    assert "regression" in done.stderr

    # 4. Re-record: the baseline now holds the failing state, and the tolerant gate passes again.
    before = baseline.read_text()
    done = ci(str(set_file), "--baseline", str(baseline), "--update-baseline", "--min-accuracy", "0")
    assert done.exit_code == 0 and baseline.read_text() != before
    assert json.loads(baseline.read_text())["sets"]["small"][passing["key"]]["passed"] is False
    done = ci(str(set_file), "--baseline", str(baseline), "--min-accuracy", "0")
    assert done.exit_code == 0, done.output

    # 5. A probability that moved more than --tolerance is reported, and does not gate.
    data = json.loads(baseline.read_text())
    entry = data["sets"]["small"][passing["key"]]
    entry["probabilities"][passing["got"]] = max(0.0, entry["probabilities"][passing["got"]] - 0.3)
    baseline.write_text(json.dumps(data))
    done = ci(str(set_file), "--baseline", str(baseline), "--min-accuracy", "0", "--json")
    drifts = json.loads(done.stdout)["baseline"]["drifts"]
    assert done.exit_code == 0 and [(d["key"], d["label"]) for d in drifts] == [(passing["key"], passing["got"])]


@pytest.mark.parametrize(
    "option", [["--min-accuracy", "1.5"], ["--tolerance", "-0.1"], ["--top-k", "0"], ["--update-baseline"], ["--tags", ","]]
)
def test_bad_options_exit_2_before_any_work(tmp_path, option):
    set_file = write(tmp_path / "claims.yaml", SMALL_SET)
    done = run_cli("ci", str(set_file), *option, cwd=tmp_path)
    assert done.returncode == 2 and option[0] in done.stderr and "Traceback" not in done.stderr


def test_missing_baseline_without_update_is_bad_input(tmp_path):
    set_file = write(tmp_path / "claims.yaml", SMALL_SET)
    done = run_cli("ci", str(set_file), "--baseline", str(tmp_path / "none.json"), cwd=tmp_path)
    assert done.returncode == 2 and "--update-baseline" in done.stderr


@pytest.mark.slow
def test_committed_claim_sets_pass_the_gate(tmp_path):
    """The acceptance run: every committed set, strict mode, known failures allowed."""
    junit = tmp_path / "junit.xml"
    done = run_cli("ci", str(CLAIMS), "--junit", str(junit), "--json", cwd=REPO)
    result = json.loads(done.stdout)
    cases = [c for s in result["sets"] for c in s["cases"]]
    failing = [f"{c['claim']}: {c['message']}" for c in cases if c["message"] and not c["known_failure"]]
    assert done.returncode == 0, "\n".join(failing)
    assert {s.get("name") for s in ET.parse(junit).getroot()} == {s.name for s in load_claim_sets([CLAIMS])}


def test_failure_diff_reads_expected_got_and_evidence():
    from verify.ci.render import failure_lines

    (line,) = failure_lines(sample_result().failures[0])
    assert "[a] B is false." in line
    assert "expected contradicted, got supported (p=0.70) — evidence: 'Lee took office on 4 June 2025.'" in line


def test_every_planted_error_matches_a_checkworthy_extracted_claim():
    """The article set is judged on extracted claims: each `match` must find one (real extractor)."""
    from verify.ci.runner import matches
    from verify.extract import extract_claims, load_document

    planted_set = load_claim_set(CLAIMS / "seed-summit-planted" / "claims.yaml")
    document = load_document(planted_set.article_path, planted_set.spec.date)
    claims = [c for c in extract_claims(document) if c.checkworthy]
    for expectation in planted_set.spec.expect:
        assert any(matches(expectation.match, c, document) for c in claims), expectation.match
    assert not any(matches("no such sentence anywhere", c, document) for c in claims)
