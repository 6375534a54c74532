"""The JSON Schema of the JSON report, generated from the pydantic model so it cannot drift."""
from __future__ import annotations

import json
from pathlib import Path

from ..io import atomic_write
from ..records import Report

SCHEMA_FILE = Path(__file__).resolve().parent / "report.schema.json"


def report_json_schema() -> dict:
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_json_schema(path: str | Path = SCHEMA_FILE) -> Path:
    return atomic_write(path, json.dumps(report_json_schema(), indent=2, ensure_ascii=False) + "\n")
