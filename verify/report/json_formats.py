"""The JSON report (the whole Report: the contract in SCHEMA.md) and JSONL (one verdict a line)."""
from __future__ import annotations

import json

from ..records import Report

# Claim fields copied onto each JSONL verdict line so that a line makes sense on its own.
CLAIM_FIELDS_IN_JSONL = ("text", "type", "source_span", "checkworthy")


def render_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def render_jsonl(report: Report) -> str:
    claims = {claim.id: claim.model_dump(mode="json") for claim in report.claims}
    lines = []
    for verdict in report.verdicts:
        claim = claims.get(verdict.claim_id, {})
        line = {
            "document_id": report.document.id,
            **verdict.model_dump(mode="json"),
            **{field: claim.get(field) for field in CLAIM_FIELDS_IN_JSONL},
        }
        lines.append(json.dumps(line, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
