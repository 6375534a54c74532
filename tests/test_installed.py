"""Issue 18's "done when", as a user does it: the package built as a wheel, installed into a fresh
virtualenv outside the repository, used from a folder holding no repository file.

The fresh venv is cheap: `pip --python VENV install --no-deps` puts only our wheel into it, and a
.pth file lets it see this environment's site-packages for the dependencies (torch, transformers,
pytest...). That folder is added as a plain path, so its own .pth files — the editable install's
finder that maps `verify` to the source checkout — are not run: `verify` resolves to the wheel.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CLAIM_SET = """\
name: museum
passages:
  - id: guide
    text: The city museum opened in 1998 and has 40 rooms. It is closed on Mondays.
claims:
  - text: The city museum has 40 rooms.
    expect: supported
  - text: The city museum has 52 rooms.
    expect: contradicted
  - text: The city museum opened in 2004.
    expect: supported
    tags: [known-failure]
    note: wrong on purpose, to show an xfail
"""

PLUGIN_TEST = '''
from verify.pytest_plugin import assert_not_contradicted, assert_supported

CONTEXT = "The city museum opened in 1998 and has 40 rooms. It is closed on Mondays."

def test_grounded(verify_pipeline):
    assert_supported("The city museum has 40 rooms.", context=CONTEXT)

def test_not_contradicted():
    assert_not_contradicted("The museum was designed by a famous architect.", context=CONTEXT)
'''

SCORE_CSV = '''
import pandas as pd
import verify

rows = pd.read_csv("pairs.csv")
frame = verify.score(rows["context"].tolist(), rows["answer"].tolist(), engine="torch")
print(verify.__file__)
print(frame[["answer_id", "claim", "label"]].to_json(orient="records"))
print(verify.answers_frame(frame)["faithfulness"].tolist())
'''


@pytest.fixture(scope="module")
def installed(repo, tmp_path_factory):
    """(python, verify command, a work folder, env) of a fresh venv holding only our wheel."""
    root = tmp_path_factory.mktemp("installed")
    src = root / "src"  # build from a copy: the build writes build/ and *.egg-info beside the sources
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, src / name)
    shutil.copytree(repo / "verify", src / "verify", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(src)], check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = dist.glob("verify_claims-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=600)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "outer-site-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = root / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               VERIFY_CACHE_DIR=str(root / "cache"), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return python, venv / "bin" / "verify", work, env


def sh(args, installed, ok=(0,)):
    python, _, work, env = installed
    done = subprocess.run([str(a) for a in args], cwd=work, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode in ok, (done.returncode, done.stdout[-3000:], done.stderr[-3000:])
    return done


def test_score_a_csv_to_a_dataframe(installed):
    python, verify, work, _ = installed
    import pandas as pd

    pd.DataFrame({"context": ["The city museum opened in 1998 and has 40 rooms."],
                  "answer": ["The city museum opened in 1998. It has 52 rooms."]}).to_csv(work / "pairs.csv", index=False)
    (work / "score_csv.py").write_text(SCORE_CSV)
    out = sh([python, "score_csv.py"], installed).stdout.splitlines()
    assert "site-packages" in out[0] and str(installed[0].parent.parent) in out[0]  # the wheel, not the checkout
    rows = json.loads(out[1])
    assert [r["label"] for r in rows] == ["supported", "contradicted"] and json.loads(out[2]) == [0.5]
    sh([verify, "score", "pairs.csv", "-o", "claims.parquet", "--engine", "torch", "-q"], installed)
    assert pd.read_parquet(work / "claims.parquet")["label"].tolist() == ["supported", "contradicted"]


def test_pytest_plugin_on_a_test_file_and_a_claim_set_folder(installed):
    python, _, work, _ = installed
    (work / "test_answers.py").write_text(textwrap.dedent(PLUGIN_TEST))
    done = sh([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--verify-engine", "torch", "test_answers.py"],
              installed)
    assert "2 passed" in done.stdout
    (work / "claims" / "museum").mkdir(parents=True)
    (work / "claims" / "museum" / "claims.yaml").write_text(CLAIM_SET)
    done = sh([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--verify-engine", "torch", "claims",
               "--junitxml=claims.xml"], installed)
    assert "2 passed, 1 xfailed" in done.stdout and (work / "claims.xml").is_file()


def test_ci_github_annotations_and_sarif(installed):
    _, verify, work, _ = installed
    (work / "sets" / "museum").mkdir(parents=True, exist_ok=True)
    (work / "sets" / "museum" / "claims.yaml").write_text(CLAIM_SET.replace("expect: contradicted", "expect: supported"))
    done = sh([verify, "ci", "sets", "--format", "github", "--out", "ci.sarif", "--engine", "torch", "--no-cache"],
              installed, ok=(1,))
    assert "::error file=sets/museum/claims.yaml,line=8,col=11," in done.stdout
    log = json.loads((work / "ci.sarif").read_text())
    assert log["version"] == "2.1.0" and {r["level"] for r in log["runs"][0]["results"]} == {"error", "note", "warning"}


def test_a_locally_saved_two_label_model_through_label_map(installed):
    python, verify, work, _ = installed
    save = textwrap.dedent('''
        from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
        from verify.nli.base import resolve_model
        tok = AutoTokenizer.from_pretrained(resolve_model(None))
        config = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                            intermediate_size=64, num_labels=2)
        BertForSequenceClassification(config).save_pretrained("two-label")
        tok.save_pretrained("two-label")
    ''')
    sh([python, "-c", save], installed)
    (work / "pairs.jsonl").write_text('{"context": "The shop opens at 9.", "answer": "The shop opens at 9 am."}\n')
    base = [verify, "score", "pairs.jsonl", "-o", "-", "--model", "two-label", "--engine", "torch", "--no-cache", "-q"]
    assert "--label-map" in sh(base, installed, ok=(2,)).stderr
    done = sh(base + ["--label-map", "LABEL_1=entailment,LABEL_0=not_entailment"], installed)
    assert done.stdout.splitlines()[0].startswith("answer_id,claim_id,claim,")
    assert "contradicted" not in done.stdout.splitlines()[1]  # a supported-vs-not head never contradicts alone
