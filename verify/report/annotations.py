"""Findings pinned to a file, line and column, for code review: GitHub workflow commands
(`::error file=…,line=…,col=…::message`, shown on the pull request's diff), a Markdown job summary
(appended to `$GITHUB_STEP_SUMMARY`) and SARIF 2.1.0 (code-scanning uploads, IDE viewers).

`verify check` pins each claim at its span in the article; `verify ci` (verify/ci/annotate.py) pins
each case at its claim in the claim-set YAML, or, in article sets, at the claim in the article.
Levels: a failure is an error, a doubtful result a warning, a pass a notice (SARIF: note).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal, Optional, Sequence

from ..errors import InputError
from ..records import Report

Level = Literal["error", "warning", "notice"]
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}
FORMATS = ("table", "github")  # --format of check and ci


def check_format(value: str) -> str:
    if value not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Annotation:
    level: Level
    rule: str  # e.g. "contradicted", "wrong-verdict"
    file: str  # as given on the command line (relative to the repository root in CI)
    line: int  # 1-based
    col: int  # 1-based
    end_line: int
    end_col: int  # 1-based column just past the span (SARIF's endColumn)
    title: str
    message: str


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset (columns count characters)."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def span_annotation(level: Level, rule: str, file: str, text: str, span: tuple[int, int], title: str,
                    message: str) -> Annotation:
    line, col = line_col(text, span[0])
    end_line, end_col = line_col(text, max(span[1], span[0]))
    return Annotation(level, rule, file, line, col, end_line, end_col, title, message)


# -- GitHub workflow commands and job summary -------------------------------------------------------

def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github_commands(annotations: Iterable[Annotation]) -> str:
    """One `::error|warning|notice file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message` line each."""
    lines = []
    for a in annotations:
        props = (f"file={_prop(a.file)},line={a.line},col={a.col},endLine={a.end_line},endColumn={a.end_col},"
                 f"title={_prop(a.title)}")
        lines.append(f"::{a.level} {props}::{_data(a.message)}")
    return "".join(line + "\n" for line in lines)


def append_step_summary(markdown: str) -> Optional[Path]:
    """Append to the job summary file GitHub Actions names in $GITHUB_STEP_SUMMARY (no-op elsewhere)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    with open(target, "a", encoding="utf-8") as f:
        f.write(markdown.rstrip("\n") + "\n\n")
    return Path(target)


# -- SARIF 2.1.0 -------------------------------------------------------------------------------------

RULES = {
    "contradicted": "The evidence contradicts the claim.",
    "not-enough-info": "The evidence neither supports nor contradicts the claim.",
    "supported": "The evidence supports the claim.",
    "wrong-verdict": "A claim-set case did not get the verdict it expects.",
    "known-failure": "A claim-set case tagged known-failure still fails (not gating).",
    "passed": "A claim-set case got the verdict it expects.",
}


def _uri(file: str) -> str:
    path = Path(file)
    return path.resolve().as_uri() if path.is_absolute() else path.as_posix()


def sarif_log(annotations: Sequence[Annotation], tool_version: str) -> dict:
    """A SARIF 2.1.0 log with one run of the `verify` tool (validated against the schema in the tests)."""
    used = list(dict.fromkeys(a.rule for a in annotations))
    results = [{
        "ruleId": a.rule, "ruleIndex": used.index(a.rule), "level": SARIF_LEVEL[a.level],
        "message": {"text": f"{a.title}: {a.message}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(a.file)},
            "region": {"startLine": a.line, "startColumn": a.col, "endLine": a.end_line, "endColumn": a.end_col},
        }}],
    } for a in annotations]
    rules = [{"id": r, "shortDescription": {"text": RULES.get(r, r)}} for r in used]
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "verify", "version": tool_version, "informationUri":
                                      "https://pypi.org/project/verify-claims/", "rules": rules}},
                  "columnKind": "unicodeCodePoints", "results": results}],
    }


def sarif_text(annotations: Sequence[Annotation], tool_version: str) -> str:
    return json.dumps(sarif_log(annotations, tool_version), indent=1, ensure_ascii=False) + "\n"


# -- verify check ------------------------------------------------------------------------------------

CHECK_LEVELS: dict[str, tuple[Level, str]] = {
    "contradicted": ("error", "contradicted"), "not_enough_info": ("warning", "not-enough-info"),
    "supported": ("notice", "supported"),
}


def only_failures(report: Report) -> Report:
    """The report with only its contradicted claims (and their verdicts); the summary counts stay whole."""
    failing = {v.claim_id for v in report.verdicts if v.label == "contradicted"}
    return report.model_copy(update={"claims": [c for c in report.claims if c.id in failing],
                                     "verdicts": [v for v in report.verdicts if v.claim_id in failing]})


def report_annotations(report: Report) -> list[Annotation]:
    """One annotation per verified claim at its span in the article (`report.document.source`)."""
    file = report.document.source or report.document.id
    out = []
    for claim, verdict in report.results():
        if verdict is None:
            continue
        level, rule = CHECK_LEVELS[verdict.label]
        p = verdict.probabilities.get(verdict.label, 0.0)
        message = f"{claim.text} ({verdict.label}, p={p:.2f})"
        if verdict.evidence:
            e = verdict.evidence[0]
            message += f"\nevidence {e.doc_id} [{e.span[0]}:{e.span[1]}]: {' '.join(e.text.split())[:300]}"
        message += "".join(f"\ncheck: {f.explanation}" for f in verdict.checks if f.relation == "inconsistent")
        out.append(span_annotation(level, rule, file, report.document.text, claim.source_span,
                                   f"verify: {verdict.label.replace('_', ' ')}", message))
    return out


def render_sarif(report: Report) -> str:
    from ..version import __version__

    return sarif_text(report_annotations(report), __version__)
