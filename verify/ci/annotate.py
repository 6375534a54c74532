"""`verify ci --format github` / `--out ci.sarif`: each case pinned where a reviewer fixes it — a
listed claim at its `text:` line in the claim-set YAML, an article set's claim at its span in the
article (a case that matched no claim: at its `match:` line)."""
from __future__ import annotations

from typing import Optional

from ..report.annotations import Annotation, Level, span_annotation
from ..report.markdown import md_cell
from .loader import ClaimSet
from .runner import CaseResult, CIResult


def _level(case: CaseResult) -> tuple[Level, str]:
    if case.passed:
        return "notice", "passed"
    return ("warning", "known-failure") if case.known_failure else ("error", "wrong-verdict")


def _message(case: CaseResult) -> str:
    text = f"{case.claim}: " + (case.message or f"{case.got} as expected")
    if case.evidence:
        text += f"\nevidence: {case.evidence}"
    if case.known_failure and case.note:
        text += f"\nnote: {case.note}"
    return text


def _yaml_location(claim_set: ClaimSet, case: CaseResult) -> tuple[int, str]:
    """The line of the case's entry in the YAML file, and that line's text (to find the column)."""
    spec = claim_set.spec
    loc: tuple = ("others",)
    for i, c in enumerate(spec.claims):
        if c.text == case.key:
            loc = ("claims", i, "text")
    for i, e in enumerate(spec.expect):
        if e.match == case.key:
            loc = ("expect", i, "match")
    from .loader import line_of

    line = line_of(claim_set.lines, loc)
    text = claim_set.path.read_text(encoding="utf-8", errors="replace").splitlines()
    return line, text[line - 1] if 0 < line <= len(text) else ""


def case_annotation(claim_set: ClaimSet, case: CaseResult, article: Optional[str]) -> Annotation:
    level, rule = _level(case)
    title = f"verify ci [{case.set_name}]: " + ("pass" if case.passed else "known failure" if case.known_failure
                                                 else f"expected {case.expected}, got {case.got or 'no verdict'}")
    if case.span is not None and article is not None:
        return span_annotation(level, rule, str(claim_set.article_path), article, case.span, title, _message(case))
    line, text = _yaml_location(claim_set, case)
    col = max(text.find(case.key[:20]), 0) + 1 if case.key else 1
    return Annotation(level, rule, str(claim_set.path), line, col, line, max(len(text), col) + 1, title, _message(case))


def ci_annotations(result: CIResult, sets: list[ClaimSet], failures_only: bool = False) -> list[Annotation]:
    from ..extract import load_document

    by_name = {s.name: s for s in sets}
    out = []
    for set_result in result.sets:
        claim_set = by_name[set_result.name]
        article = load_document(str(claim_set.article_path)).text if claim_set.is_article_set else None
        for case in set_result.cases:
            if failures_only and not case.counts_against_gate:
                continue
            out.append(case_annotation(claim_set, case, article))
    return out


def ci_summary_markdown(result: CIResult, gate_passed: bool, failures_only: bool = False) -> str:
    """The job summary: the gate, the counts, and a table of the failing (or all) cases."""
    cases = result.failures if failures_only else result.cases
    lines = [f"## verify ci: {'pass' if gate_passed else 'FAIL'}", "",
             f"{len(result.passed)}/{len(result.cases)} claims pass; {len(result.failures)} failing; "
             f"{len(result.known_failures)} known failure(s)", ""]
    if cases:
        lines += ["| set | claim | expected | got | p | result |", "| --- | --- | --- | --- | --- | --- |"]
        for c in cases:
            status = ("pass" if c.passed else "known failure" if c.known_failure else "**FAIL**")
            p = f"{c.probability:.2f}" if c.probability is not None else "-"
            lines.append(f"| {md_cell(c.set_name)} | {md_cell(c.claim)} | {c.expected} | {c.got or '-'} | {p} | {status} |")
    return "\n".join(lines) + "\n"
