"""One Settings, from a file and the command line: precedence, bad files, every command building its
pipeline from it (a value set only in verify.toml shows in each command's output), the consistent
command line (--version, -o -, deprecated aliases) and the README's command help."""
import json
import re
from pathlib import Path

import pytest
from test_cli import assert_one_clear_line  # the CLI test helpers
from test_cli import run as cli

from verify import Settings
from verify.errors import InputError
from verify.options import settings_from_options

ARTICLE = ("SEOUL, Jan. 3 (Yonhap) -- Lee Jae-myung was sworn in as president of South Korea on 4 June 2025. "
           "The 2025 APEC summit was held in Busan.\n")
PASSAGES = {"lee.txt": "Lee Jae-myung was sworn in as president of South Korea on 4 June 2025. "
                       "His predecessor was Yoon Suk Yeol.",
            "apec.txt": "The 2025 APEC summit was held in Gyeongju, South Korea. Xi Jinping and Lee Jae-myung "
                        "first met there on 1 November 2025.",
            "football.txt": "Jeonbuk Hyundai Motors beat Ulsan HD 3-1 on Sunday in the K League."}
CLAIM_SET = """\
name: small
date: 2026-01-03
passages:
""" + "".join(f"  - id: {name[:-4]}\n    text: {text}\n" for name, text in PASSAGES.items()) + """\
claims:
  - text: Lee Jae-myung's predecessor was Yoon Suk Yeol.
    expect: supported
"""
PROFILE = {"version": 1, "model": "minilm-nli", "model_hash": "x", "temperature": 1.5, "support_threshold": 0.6,
           "contradict_threshold": 0.8, "target_precision": 0.9, "fitted_on": "test", "rows": 10}


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working directory with a small article and corpus, and the user folders inside tmp_path."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in PASSAGES.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    return tmp_path


# ---------------------------------------------------------------- precedence and bad files

def test_defaults_file_profile_and_given_options_in_that_order(work):
    (work / "verify.toml").write_text('top_k = 7\npairs = "all"\nengine = "torch"\n[thresholds]\nsupport = 0.3\n'
                                      "contradict = 0.4\n")
    (work / "p.json").write_text(json.dumps(PROFILE))
    s, _ = settings_from_options({"top_k": None})
    assert (s.top_k, s.pairs, s.engine, s.thresholds.support, s.thresholds.contradict) == (7, None, "torch", 0.3, 0.4)
    s, prof = settings_from_options({"top_k": 2, "contradict_threshold": 0.9}, profile_path=work / "p.json")
    assert prof.temperature == 1.5
    # given options win; the profile beats the file; the file beats the defaults
    assert (s.top_k, s.thresholds.contradict, s.thresholds.support, s.temperature, s.pairs) == (2, 0.9, 0.6, 1.5, None)
    assert Settings.load(overrides={"top_k": 9}).top_k == 9 and Settings.load().engine == "torch"
    assert Settings().top_k == 5  # the library never reads the file by itself


def test_pyproject_tool_table_and_explicit_config(work):
    (work / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.verify]\ntop_k = 4\nindex_dir = "idx"\n')
    s = Settings.load()
    assert s.top_k == 4 and s.index_dir == str(work / "idx")  # relative to the file
    (work / "verify.toml").write_text("top_k = 6\n")  # verify.toml comes first
    assert Settings.load().top_k == 6
    other = work / "sub" / "other.toml"
    other.parent.mkdir()
    other.write_text("top_k = 3\n")
    assert Settings.load(config=other).top_k == 3


@pytest.mark.parametrize("content,words", [
    ("top_k = \n", ("verify.toml", "not valid TOML")),
    ("top_kk = 3\n", ("verify.toml", "top_kk", "unknown setting")),
    ("top_k = 500\n", ("verify.toml", "top_k", "100")),
    ('engine = "gpu"\n', ("verify.toml", "engine", "unknown engine")),
    ("[thresholds]\nsupport = 2\n", ("verify.toml", "thresholds.support")),
    ('pairs = "many"\n', ("verify.toml", "pairs", "'all'")),
    ("x" * (1024 * 1024 + 1), ("verify.toml", "too large")),
])
def test_bad_settings_file_is_one_line_exit_2(work, capsys, monkeypatch, content, words):
    (work / "verify.toml").write_text(content)
    code, out, err = cli(["check", "article.txt", "--corpus", "corpus", "-o", "r.json"], capsys, monkeypatch)
    assert code == 2
    assert_one_clear_line(err, *words)
    assert not (work / "r.json").exists()


@pytest.mark.parametrize("command", [["check", "article.txt", "--corpus", "corpus"], ["ci", "claims.yaml"],
                                     ["run", "data.jsonl", "--corpus", "corpus", "-o", "out"], ["bench", "scifact"],
                                     ["index", "corpus"]])
def test_every_command_reads_config_and_range_checks_top_k(work, capsys, monkeypatch, command):
    missing = cli([*command, "--config", work / "nope.toml"], capsys, monkeypatch)
    assert missing[0] == 2 and "settings file not found" in missing[2]
    if command[0] != "index":
        code, _, err = cli([*command, "--top-k", "0"], capsys, monkeypatch)
        assert code == 2 and "--top-k" in err and "Traceback" not in err


def test_version(capsys, monkeypatch):
    from verify import __version__

    code, out, _ = cli(["--version"], capsys, monkeypatch)
    assert code == 0 and out.strip() == f"verify {__version__}"


def test_run_manifest_of_older_versions_still_reads():
    from verify.distributed.stages import RunSpec

    old = {"model": None, "top_k": 2, "checks": True, "thresholds": {"support": 0.5, "contradict": 0.5, "relevance": 0.5,
           "cite": 2}, "all_claims": False, "batch_size": 32, "trust_remote_code": False, "partition_rows": 10,
           "format": "jsonl", "nli_engine": "torch"}
    assert RunSpec.from_manifest(old) == RunSpec(settings=Settings(top_k=2, engine="torch"), partition_rows=10)


def test_exported_models_are_found_by_name(work):
    from verify.nli.base import resolve_model
    from verify.paths import user_models_dir

    folder = user_models_dir() / "my-nli"
    folder.mkdir(parents=True)
    assert user_models_dir().is_relative_to(work / "data-home")
    assert resolve_model("my-nli") == str(folder) and resolve_model("org/other") == "org/other"


def test_train_needs_a_recipe_and_keeps_config_as_alias(work, capsys, monkeypatch):
    code, _, err = cli(["train"], capsys, monkeypatch)
    assert code == 2 and "--recipe" in err
    code, _, err = cli(["train", "--config", "nope.yaml"], capsys, monkeypatch)
    assert code == 2 and "deprecated" in err and "recipe not found: nope.yaml" in err


def test_bench_data_dir_missing_is_a_clear_error(work, capsys, monkeypatch):
    code, _, err = cli(["bench", "scifact", "--data-dir", work / "nowhere", "-q"], capsys, monkeypatch)
    assert code == 2 and "benchmark data folder not found" in err and "--data-dir" in err


def test_readme_help_blocks_match_the_live_help():
    from verify.docs import main as docs

    assert docs(["--check"]) == 0, "README.md's command help is stale: run python -m verify.docs"


# ---------------------------------------------------------------- every command, the real model

def test_check_json_to_stdout_with_settings_from_the_file(work, capsys, monkeypatch):
    (work / "verify.toml").write_text('top_k = 2\npairs = 3\nengine = "torch"\ncache = false\n'
                                      "[thresholds]\ncontradict = 0.55\n")
    code, out, err = cli(["check", "article.txt", "--corpus", "corpus", "-o", "-", "-o", "r.md"], capsys, monkeypatch)
    assert code == 0, err
    report = json.loads(out)  # stdout holds the JSON report alone
    prov = report["provenance"]
    assert (prov["top_k"], prov["pairs"], prov["engine"], prov["thresholds"]["contradict"]) == (2, 3, "torch", 0.55)
    assert report["verdicts"] and (work / "r.md").read_text().startswith("#")
    # a flag given on the command line beats the file
    code, out, _ = cli(["check", "article.txt", "--corpus", "corpus", "-o", "-", "--top-k", "1"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["provenance"]["top_k"] == 1


def test_ci_records_settings_from_the_file(work, capsys, monkeypatch):
    (work / "verify.toml").write_text('top_k = 2\nengine = "torch"\ncache = false\n')
    (work / "claims.yaml").write_text(CLAIM_SET)
    code, out, err = cli(["ci", "claims.yaml", "--json", "--min-accuracy", "0", "-q"], capsys, monkeypatch)
    assert code == 0, err
    result = json.loads(out)
    assert result["settings"]["top_k"] == 2 and result["settings"]["engine"] == "torch"


def test_run_with_deprecated_engine_alias_and_settings_from_the_file(work, capsys, monkeypatch):
    (work / "verify.toml").write_text('top_k = 1\nengine = "torch"\n')
    (work / "data.jsonl").write_text('{"claim": "The 2025 APEC summit was held in Busan."}\n')
    code, out, err = cli(["run", "data.jsonl", "--corpus", "corpus", "-o", "out", "--engine", "local", "--nli-engine",
                          "torch"], capsys, monkeypatch)
    assert code == 0, err
    assert "--engine local is deprecated" in err and "--backend local" in err and "--nli-engine is deprecated" in err
    spec = json.loads((work / "out" / "run.json").read_text())["settings"]
    assert spec["settings"]["top_k"] == 1 and spec["partition_rows"] == 1000
    assert "backend local" in out
    # resuming with other settings is refused; with the same settings it skips what is done
    code, _, err = cli(["run", "data.jsonl", "--corpus", "corpus", "-o", "out", "--top-k", "2"], capsys, monkeypatch)
    assert code == 2 and "changed: settings" in err
    code, out, _ = cli(["run", "data.jsonl", "--corpus", "corpus", "-o", "out", "--backend", "local"], capsys, monkeypatch)
    assert code == 0 and "1 already done" in out


def test_bench_deprecated_progress_alias_and_settings_from_the_file(work, capsys, monkeypatch):
    (work / "verify.toml").write_text("top_k = 3\nchecks = false\n")
    code, out, err = cli(["bench", "counterfactual", "--limit", "2", "--out", "res", "--no-progress"], capsys, monkeypatch)
    assert code == 0, err
    assert "--no-progress is deprecated" in err or "--progress/--no-progress is deprecated" in err
    record = json.loads((work / "res" / "counterfactual-minilm-nli.json").read_text())
    assert record["settings"]["top_k"] == 3 and record["settings"]["checks"] is False
    assert record["model"]["engine"] == "torch"  # bench's own default engine, under the file


def test_input_error_for_bad_option_values_names_the_flag():
    with pytest.raises(InputError, match="--pairs"):
        settings_from_options({"pairs": "zero"})
    with pytest.raises(InputError, match="--support-threshold"):
        settings_from_options({"support_threshold": 1.5})


def test_verify_claims_console_script(repo):
    import tomllib

    scripts = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["verify-claims"] == scripts["verify"] == "verify.cli:main"


def test_readme_settings_table_states_the_real_defaults():
    """Every default the README's settings table gives as a number or a `name` is the Settings default."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_.]+)` \| [^|]+ \| ([^|]+) \|", readme, re.MULTILINE)
    defaults = Settings().model_dump()
    checked = 0
    for field, cell in rows:
        value = defaults
        for part in field.split("."):
            value = value[part]
        cell = cell.strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", cell):
            assert float(cell) == float(value), (field, cell, value)
            checked += 1
        elif re.fullmatch(r"`[a-z0-9_-]+`", cell):
            assert cell.strip("`") == value, (field, cell, value)
            checked += 1
    assert checked >= 8  # top_k, batch_size, pairs, the four thresholds, engine, aggregator, retriever
