import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]  # tests/test_pytest_plugin.py runs pytest inside pytest

# Prove offline operation: nothing in the suite may reach a model or dataset hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
# The ONNX export and score cache of test runs live in the repo (git-ignored), never in ~/.cache;
# tests that count cache hits use their own SQLite file.
os.environ.setdefault("VERIFY_CACHE_DIR", str(REPO / ".cache" / "verify-tests"))
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not present at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def verifier():
    from verify.nli import load_verifier

    return load_verifier(engine="torch")  # the fp32 reference (the default engine is bf16 where native)
