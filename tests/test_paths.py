"""verify/paths.py decides every folder verify uses on its own; verify/bars.py is the one drawer of
the `Progress` callback that library code reports through."""
from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from verify import paths
from verify.bars import Bars


def test_cache_config_and_data_folders_follow_verify_and_xdg_variables(tmp_path, monkeypatch):
    for var in ("VERIFY_CACHE_DIR", "VERIFY_RESULTS_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    home = tmp_path / "home"
    assert (paths.cache_dir(), paths.config_dir(), paths.user_data_dir()) == (
        home / ".cache" / "verify", home / ".config" / "verify", home / ".local" / "share" / "verify")
    assert paths.bench_results_dir() == home / ".local" / "share" / "verify" / "bench-results"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xf"))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # the XDG spec ignores relative paths
    assert paths.cache_dir() == tmp_path / "xc" / "verify" and paths.config_dir() == tmp_path / "xf" / "verify"
    assert paths.user_data_dir() == home / ".local" / "share" / "verify"

    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("VERIFY_RESULTS_DIR", str(tmp_path / "results"))
    assert paths.cache_dir() == tmp_path / "mine" and paths.bench_results_dir() == tmp_path / "results"
    assert not (tmp_path / "mine").exists()  # nothing here creates a folder


def test_every_cache_lives_under_cache_dir(tmp_path, monkeypatch):
    from verify.bench.runner import RunSettings
    from verify.corpus import default_index_dir
    from verify.nli.cache import default_path

    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "cache"
    assert default_path() == root / "scores.sqlite"
    assert default_index_dir(tmp_path / "corpus").parent == root / "indexes"
    assert RunSettings().cache_dir == root / "bench"  # it used to ignore VERIFY_CACHE_DIR
    assert paths.MODELS_DIR == Path(paths.__file__).parent / "models" and (paths.minilm_path() / "config.json").is_file()


def test_bars_draw_one_bar_per_stage_and_drop_it_when_done():
    sink = io.StringIO()
    with Bars(Console(file=sink, force_terminal=True, width=100)) as bars:
        bars("embedding passages", 3, 10)
        bars("BM25: building the score matrix", 0, None)
        assert [t.description for t in bars._bars.tasks] == ["embedding passages", "BM25: building the score matrix"]
        bars("embedding passages", 10, 10)
        assert [t.description for t in bars._bars.tasks] == ["BM25: building the score matrix"]
        bars("BM25: building the score matrix", 1, 1)
        assert bars._bars.tasks == []
    assert "embedding passages" in sink.getvalue()
    quiet = io.StringIO()
    with Bars(Console(file=quiet, force_terminal=True), enabled=False) as off:
        off("stage", 1, 2)
    assert quiet.getvalue() == ""
