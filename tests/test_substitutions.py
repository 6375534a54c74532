"""Issue 14's three one-slot substitutions — a different place, predecessor and year than the evidence
states — through the real CLI with the embedded model: each must come out contradicted."""
import json
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory, repo):
    data = repo / "tests" / "data" / "substitutions"
    tmp = tmp_path_factory.mktemp("subst")
    out = tmp / "report.json"
    r = subprocess.run([sys.executable, "-m", "verify", "check", str(data / "article.txt"), "--corpus", str(data / "corpus"),
                        "--index", str(tmp / "index"), "--date", "2026-01-03", "--out", str(out), "--quiet",
                        "--no-cache"], capture_output=True, text=True, cwd=repo, timeout=600)
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    text = {c["id"]: c["text"] for c in report["claims"]}
    return {text[v["claim_id"]]: v["label"] for v in report["verdicts"]}


@pytest.mark.parametrize("slot", [
    "in Busan",  # evidence: "in Gyeongju" (the matching "November" must not lift it to supported)
    "Moon Jae-in",  # evidence: "His predecessor, Yoon Suk Yeol" (minilm-nli scores it neutral; the role check decides)
    "early 2024",  # evidence: "sworn in ... on 4 June 2025" (the office-taking event family)
])
def test_a_one_slot_substitution_is_contradicted(verdicts, slot):
    hits = [label for claim, label in verdicts.items() if slot in claim]
    assert hits == ["contradicted"], verdicts
