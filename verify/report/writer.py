"""write_report: pick the format from the file extension and write it atomically."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import InputError
from ..io import atomic_write
from ..records import Report
from .annotations import render_sarif
from .html import render_html
from .json_formats import render_json, render_jsonl
from .junit import render_junit
from .markdown import render_markdown

RENDERERS: dict[str, Callable[[Report], str]] = {
    ".json": render_json,
    ".jsonl": render_jsonl,
    ".md": render_markdown,
    ".html": render_html,
    ".xml": render_junit,  # JUnit XML, for CI
    ".sarif": render_sarif,  # SARIF 2.1.0: each verified claim at its line and column in the article
}


def write_report(report: Report, path: str | Path) -> Path:
    """Write `report` to `path` in the format its extension names (.json .jsonl .md .html .xml .sarif)."""
    path = Path(path)
    renderer = RENDERERS.get(path.suffix.lower())
    if renderer is None:
        allowed = ", ".join(RENDERERS)
        raise InputError(f"unknown report format '{path.suffix or path.name}' for {path}: use one of {allowed}")
    if path.is_dir():
        raise InputError(f"report path is a directory, expected a file: {path}")
    content = renderer(report)
    try:
        return atomic_write(path, content)
    except OSError as err:  # e.g. a read-only target or a full disk; atomic_write left no temp file
        raise InputError(f"cannot write report {path}: {err.strerror or err}") from err
