"""Report writers: JSON (the contract, see SCHEMA.md), JSONL, Markdown, HTML, JUnit XML, terminal."""
from .html import render_html
from .json_formats import render_json, render_jsonl
from .junit import render_junit
from .markdown import render_markdown
from .schema import SCHEMA_FILE, report_json_schema, write_json_schema
from .summary import summary_line
from .terminal import render_terminal
from .writer import RENDERERS, write_report

__all__ = [
    "RENDERERS",
    "SCHEMA_FILE",
    "render_html",
    "render_json",
    "render_jsonl",
    "render_junit",
    "render_markdown",
    "render_terminal",
    "report_json_schema",
    "summary_line",
    "write_json_schema",
    "write_report",
]
