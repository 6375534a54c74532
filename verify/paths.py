"""Where verify keeps its own files outside the package (never a folder the user gave as input).

Minimal for now (the "plug" helper owns this module and may grow it): the user data folder and the
models folder under it, which `verify train --export NAME` writes and `--model NAME` reads.
"""
from __future__ import annotations

import os
from pathlib import Path


def user_data_dir() -> Path:
    """$XDG_DATA_HOME/verify, else ~/.local/share/verify."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share").expanduser() / "verify"


def user_models_dir() -> Path:
    """Models you exported (`verify train --export NAME`); `--model NAME` finds them here."""
    return user_data_dir() / "models"
