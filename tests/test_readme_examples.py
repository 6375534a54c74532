"""The README's examples for scoring, the pytest plugin, label maps and CI annotations, run as written."""
import shlex

import pandas as pd
import pytest

from test_cli import run  # the CLI test helper
from test_heads import save_tiny
from test_pytest_plugin import PLUGIN, warm  # noqa: F401  (warm: the inner pytest runs share the loaded model)


def section(readme: str, heading: str) -> str:
    body = readme.split(f"\n## {heading}", 1)[1]
    return body.split("\n## ", 1)[0]


def blocks(text: str, lang: str) -> list[str]:
    return [part.split("```", 1)[0] for part in text.split(f"```{lang}\n")[1:]]


@pytest.fixture(scope="module")
def readme(repo):
    return (repo / "README.md").read_text(encoding="utf-8")


def test_score_example(readme, tmp_path, capsys, monkeypatch):
    text = section(readme, "Faithfulness of answers to their contexts")
    namespace: dict = {}
    exec(compile(blocks(text, "python")[0], "README.md", "exec"), namespace)
    frame = namespace["frame"]
    assert frame["label"].tolist() == ["supported", "contradicted"]
    import verify

    assert verify.answers_frame(frame)["faithfulness"].tolist() == [0.5]  # as the comment says
    (command,) = blocks(text, "bash")
    pd.DataFrame({"id": ["q1"], "context": namespace["contexts"], "answer": namespace["answers"]}).to_csv(
        tmp_path / "pairs.csv", index=False)
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command.split("#")[0])
    assert words[:2] == ["verify", "score"]
    code, _, err = run(words[1:] + ["--engine", "torch", "--no-cache"], capsys, monkeypatch)
    assert code == 0, err
    assert pd.read_parquet(tmp_path / "claims.parquet")["answer_id"].tolist() == ["q1", "q1"]


def test_pytest_plugin_example(readme, pytester):
    text = section(readme, "pytest: ")
    pytester.makepyfile(test_readme=blocks(text, "python")[0])
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)
    (command,) = blocks(text, "bash")
    assert shlex.split(command.split("#")[0]) == ["pytest", "claims/", "--junitxml=claims.xml"]
    (pytester.mkdir("claims") / "claims.yaml").write_text(
        "name: s\npassages:\n  - id: p\n    text: The museum has 40 rooms.\n"
        "claims:\n  - text: The museum has 40 rooms.\n    expect: supported\n")
    pytester.runpytest(*PLUGIN, *shlex.split(command.split("#")[0])[1:]).assert_outcomes(passed=1)
    assert (pytester.path / "claims.xml").is_file()


def test_label_map_example(readme, tmp_path, capsys, monkeypatch):
    text = section(readme, "Any checker")
    (command,) = blocks(text, "bash")
    words = shlex.split(command)
    save_tiny(tmp_path / "my-2way-checker", {0: "LABEL_0", 1: "LABEL_1"})
    (tmp_path / "pairs.csv").write_text("context,answer\nThe shop opens at 9.,The shop opens at 9 am.\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(words[1:] + ["--engine", "torch", "--no-cache", "-q"], capsys, monkeypatch)
    assert code == 0, err
    assert out.splitlines()[0].startswith("answer_id,claim_id,claim,")


def test_ci_annotation_examples_parse(readme):
    from test_ci import _parses_as_ci

    (command,) = blocks(section(readme, "The CI gate"), "bash")[1:]
    _parses_as_ci(command.split("#")[0].strip())
    assert "--format github" in command and "--only-failures" in command and "--out verify.sarif" in command
