"""JUnit XML for CI dashboards: one <testsuite> per claim set, one <testcase> per claim.

Known failures are written as <skipped> (how pytest reports xfail), so dashboards show them
without turning the build red; baseline regressions are named in the failure message.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

from ..io import atomic_write, xml_text
from .baseline import BaselineComparison
from .runner import CaseResult, CIResult


def junit_xml(result: CIResult, comparison: Optional[BaselineComparison] = None) -> str:
    regressions = {(c.set_name, c.key) for c in comparison.regressions} if comparison else set()
    root = ET.Element("testsuites", name="verify ci")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    total_time = 0.0
    for set_result in result.sets:
        failures = sum(c.counts_against_gate for c in set_result.cases)
        skipped = sum(c.known_failure and not c.passed for c in set_result.cases)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=xml_text(set_result.name),
            tests=str(len(set_result.cases)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
            time=f"{set_result.seconds:.3f}",
            file=xml_text(set_result.path),
        )
        for case in set_result.cases:
            _add_case(suite, case, (case.set_name, case.key) in regressions)
        totals["tests"] += len(set_result.cases)
        totals["failures"] += failures
        totals["skipped"] += skipped
        total_time += set_result.seconds
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(result: CIResult, path: str | Path, comparison: Optional[BaselineComparison] = None) -> Path:
    return atomic_write(path, junit_xml(result, comparison))


def _add_case(suite: ET.Element, case: CaseResult, regression: bool) -> None:
    testcase = ET.SubElement(suite, "testcase", classname=xml_text(f"verify.ci.{case.set_name}"), name=xml_text(case.key))
    details = _details(case)
    if case.passed:
        return
    if case.known_failure:
        ET.SubElement(testcase, "skipped", message=xml_text(f"known failure: {case.note or ''} ({case.message})"))
        return
    message = case.message + (" [regression: passed in the baseline]" if regression else "")
    failure = ET.SubElement(testcase, "failure", message=xml_text(message), type="verdict")
    failure.text = xml_text(details)


def _details(case: CaseResult) -> str:
    lines = [f"claim: {case.claim}", f"expected: {case.expected}", f"got: {case.got}"]
    if case.probabilities:
        lines.append("probabilities: " + ", ".join(f"{k}={v:.3f}" for k, v in sorted(case.probabilities.items())))
    if case.evidence:
        lines.append(f"evidence: {case.evidence}")
    return "\n".join(lines)
