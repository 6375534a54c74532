"""JUnit XML so CI systems show one test per check-worthy claim: contradicted fails,
not_enough_info is skipped, supported passes."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..io import xml_text
from ..records import Report
from .view import ClaimRow, claim_rows, shorten

NAME_CHARS = 120


def _evidence_lines(row: ClaimRow) -> list[str]:
    if row.verdict is None:
        return []
    lines = [
        f"evidence {cited.doc_id} [{cited.span[0]}:{cited.span[1]}] "
        f"(entailment {cited.entailment:.2f}, contradiction {cited.contradiction:.2f}): {cited.text}"
        for cited in row.verdict.evidence
    ]
    lines += [f"check {c.kind} {c.relation}: {c.explanation}" for c in row.verdict.checks]
    if row.verdict.explanation:
        lines.append(f"explanation: {row.verdict.explanation}")
    return lines


def _outcome_message(row: ClaimRow) -> str:
    message = f"{row.status_text} (P={row.probability:.2f})" if row.verdict else "no verdict in the report"
    cited = row.top_evidence
    if cited is not None:
        message += f"; evidence {cited.doc_id} [{cited.span[0]}:{cited.span[1]}]: {shorten(cited.text, 300)}"
    return message


def _testcase(suite: ET.Element, row: ClaimRow, classname: str) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        name=xml_text(f"{row.claim.id}: {shorten(row.claim.text, NAME_CHARS)}"),
        classname=classname,
        time="0",
    )
    details = "\n".join([f"claim: {row.claim.text}", *_evidence_lines(row)])
    if row.status == "contradicted":
        failure = ET.SubElement(case, "failure", message=xml_text(_outcome_message(row)), type="contradicted")
        failure.text = xml_text(details)
    elif row.status in ("not_enough_info", "unverified"):
        ET.SubElement(case, "skipped", message=xml_text(_outcome_message(row)))
    system_out = ET.SubElement(case, "system-out")
    system_out.text = xml_text(details)


def render_junit(report: Report) -> str:
    rows = [row for row in claim_rows(report) if row.claim.checkworthy]
    failures = sum(row.status == "contradicted" for row in rows)
    skipped = sum(row.status in ("not_enough_info", "unverified") for row in rows)
    doc_id = xml_text(report.document.id)
    attrs = {"tests": str(len(rows)), "failures": str(failures), "errors": "0", "skipped": str(skipped),
             "time": f"{sum(report.timings.values()):.3f}"}
    root = ET.Element("testsuites", name="verify", **attrs)
    suite = ET.SubElement(root, "testsuite", name=doc_id, **attrs)
    for row in rows:
        _testcase(suite, row, classname=f"verify.{doc_id}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
