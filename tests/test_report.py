"""Report writers on a hand-built report of the seed article: every format written to disk and
read back with a real parser."""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from verify.errors import InputError
from verify.records import (
    CheckFinding,
    CitedEvidence,
    Claim,
    Document,
    Evidence,
    Passage,
    Report,
    Verdict,
    verdict_counts,
)
from verify.report import (
    SCHEMA_FILE,
    render_terminal,
    report_json_schema,
    summary_line,
    write_json_schema,
    write_report,
)
from verify.report.view import mark_cited_window

ARTICLE = (Path(__file__).resolve().parent / "data" / "seed_article.txt").read_text(encoding="utf-8")

# A small reference corpus, as the corpus stage would hold it: doc id → full text.
CORPUS = {
    "yonhap-2025-11-01": (
        "GYEONGJU, Nov. 1 (Yonhap) -- President Lee Jae-myung held his first summit with Chinese "
        "President Xi Jinping on Saturday on the sidelines of the APEC summit in Gyeongju. The two "
        "leaders agreed to keep up high-level exchanges."
    ),
    "xinhua-2026-01-05": (
        "BEIJING, Jan. 5 (Xinhua) -- Xi Jinping held talks with Lee Jae-myung in Beijing on Monday, "
        "two months after the two leaders met in Gyeongju. After the talks the two sides signed six "
        "memorandums of understanding on trade, technology and the environment."
    ),
}


def span_of(text: str, snippet: str) -> tuple[int, int]:
    start = text.find(snippet)
    assert start >= 0, f"snippet not found: {snippet!r}"
    return start, start + len(snippet)


def passage(doc_id: str, text: str, corpus: dict[str, str] = CORPUS) -> Passage:
    return Passage(id=f"{doc_id}#{span_of(corpus[doc_id], text)[0]}", doc_id=doc_id, text=text,
                   span=span_of(corpus[doc_id], text))


def cite(p: Passage, window: str, entailment: float, contradiction: float) -> CitedEvidence:
    """The cited window in corpus-document coordinates, as the aggregator reports it."""
    offset = span_of(p.text, window)
    return CitedEvidence(passage_id=p.id, doc_id=p.doc_id, span=(p.span[0] + offset[0], p.span[0] + offset[1]),
                         text=window, entailment=entailment, contradiction=contradiction)


def claim(cid: str, text: str, source: str, ctype: str, checkworthy: bool = True, reason: str | None = None,
          article: str = ARTICLE) -> Claim:
    return Claim(id=cid, text=text, source_span=span_of(article, source), sentence_index=0, type=ctype,
                 checkworthy=checkworthy, reason=reason)


def make_report() -> Report:
    sentence = (
        "This visit is particularly significant due to its timing; it marks the second face-to-face meeting "
        "between Xi and Lee in a mere two months, following their discussion on the sidelines of the APEC "
        "summit in Gyeongju last November."
    )
    claims = [
        # c1 covers the whole sentence and c2 a clause inside it: nested spans share one region.
        claim("c1", "The January 2026 meeting is the second face-to-face meeting between Xi and Lee in two months.",
              sentence, "temporal"),
        claim("c2", "Xi and Lee met on the sidelines of the APEC summit in Gyeongju in November 2025.",
              "following their discussion on the sidelines of the APEC summit in Gyeongju last November", "entity"),
        claim("c3", "China and South Korea are finalizing more than ten agreements.",
              "The two nations are reportedly finalizing more than ten agreements", "numeric"),
        claim("c4", "Such a compressed schedule for top-level summits is nearly unprecedented in the region.",
              "Such a compressed schedule for top-level summits is nearly unprecedented in the region", "entity"),
        claim("c5", "President Xi is making a calculated move to prioritize South Korean relations.",
              "President Xi is making a calculated move to prioritize South Korean relations", "opinion",
              checkworthy=False, reason="speculation"),
    ]
    p_apec = passage("yonhap-2025-11-01", CORPUS["yonhap-2025-11-01"])
    p_talks = passage("xinhua-2026-01-05", CORPUS["xinhua-2026-01-05"][CORPUS["xinhua-2026-01-05"].index("Xi Jinping"):])
    mou_check = CheckFinding(kind="numeric", relation="inconsistent",
                             explanation="claim: >10 agreements; evidence: 6 memorandums → inconsistent",
                             claim_span=span_of(claims[2].text, "more than ten"),
                             evidence_span=span_of(p_talks.text, "six memorandums"))
    verdicts = [
        Verdict(claim_id="c1", label="supported",
                probabilities={"supported": 0.81, "contradicted": 0.04, "not_enough_info": 0.15},
                evidence=[cite(p_talks, "two months after the two leaders met in Gyeongju", 0.81, 0.04)],
                explanation="entailed by xinhua-2026-01-05"),
        Verdict(claim_id="c2", label="supported",
                probabilities={"supported": 0.93, "contradicted": 0.01, "not_enough_info": 0.06},
                evidence=[cite(p_apec, "held his first summit with Chinese President Xi Jinping on Saturday on "
                                       "the sidelines of the APEC summit in Gyeongju", 0.93, 0.01)],
                explanation="entailed by yonhap-2025-11-01"),
        Verdict(claim_id="c3", label="contradicted",
                probabilities={"supported": 0.05, "contradicted": 0.87, "not_enough_info": 0.08},
                evidence=[cite(p_talks, "the two sides signed six memorandums of understanding", 0.05, 0.87)],
                checks=[mou_check], explanation="numeric check: 6 is not more than ten"),
        Verdict(claim_id="c4", label="not_enough_info",
                probabilities={"supported": 0.12, "contradicted": 0.08, "not_enough_info": 0.80},
                explanation="no passage speaks to it"),
    ]
    evidence = {
        "c1": [Evidence(passage=p_talks, rank=1, score=0.032, bm25=7.1, dense=0.61),
               Evidence(passage=p_apec, rank=2, score=0.030, bm25=5.2, dense=0.58)],
        "c2": [Evidence(passage=p_apec, rank=1, score=0.033, bm25=9.4, dense=0.72)],
        "c3": [Evidence(passage=p_talks, rank=1, score=0.031, bm25=4.4, dense=0.49)],
        "c4": [],
    }
    return Report(
        document=Document(id="seed-article", text=ARTICLE, date="2026-01-04", source="tests/data/seed_article.txt"),
        claims=claims, evidence=evidence, verdicts=verdicts,
        summary=verdict_counts(claims, verdicts),
        provenance={"model": "minilm-nli", "model_sha256": "0f3a9c", "version": "0.1.0", "top_k": 5},
        timings={"extract": 0.02, "retrieve": 0.11, "score": 0.9},
    )


@pytest.fixture
def report() -> Report:
    return make_report()


def test_verdict_counts_checkworthy_claims_by_label(report):
    counts = verdict_counts(report.claims, report.verdicts)
    assert counts == {"claims": 5, "checkworthy": 4, "supported": 2, "contradicted": 1, "not_enough_info": 1}
    assert summary_line(counts) == "5 claims: 2 supported, 1 contradicted, 1 not enough info; 1 not check-worthy"
    # A check-worthy claim without a verdict is not silently counted as anything.
    fewer = verdict_counts(report.claims, report.verdicts[:3])
    assert fewer["not_enough_info"] == 0 and "1 without verdict" in summary_line(fewer)


def test_json_report_round_trips_and_validates_against_schema(report, tmp_path):
    out = write_report(report, tmp_path / "report.json")
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    schema = json.loads(write_json_schema(tmp_path / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert Report.model_validate_json(text) == report
    # The contract others build on (SCHEMA.md).
    assert data["schema_version"] == "2.1" and data["document"]["id"] == "seed-article"
    first = data["claims"][0]
    assert {"id", "text", "source_span", "type", "checkworthy"} <= first.keys()
    assert data["document"]["text"][first["source_span"][0]:first["source_span"][1]].startswith("This visit")
    contradicted = next(v for v in data["verdicts"] if v["label"] == "contradicted")
    assert set(contradicted["probabilities"]) == {"supported", "contradicted", "not_enough_info"}
    cited = contradicted["evidence"][0]
    assert CORPUS[cited["doc_id"]][cited["span"][0]:cited["span"][1]] == cited["text"]
    assert data["summary"]["contradicted"] == 1 and data["provenance"]["model"] == "minilm-nli"


def test_invalid_report_fails_schema(report):
    data = report.model_dump(mode="json")
    data["verdicts"][0]["label"] = "true"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_json_schema())


def test_committed_schema_file_matches_the_model():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == report_json_schema(), (
        "verify/report/report.schema.json is stale: run "
        "python -c 'from verify.report import write_json_schema; write_json_schema()'"
    )


def test_jsonl_has_one_self_contained_line_per_verdict(report, tmp_path):
    lines = write_report(report, tmp_path / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(report.verdicts)
    claims = {c.id: c for c in report.claims}
    for line, verdict in zip(lines, report.verdicts):
        row = json.loads(line)
        assert row["claim_id"] == verdict.claim_id and row["label"] == verdict.label
        assert row["text"] == claims[verdict.claim_id].text
        assert tuple(row["source_span"]) == claims[verdict.claim_id].source_span
        assert row["checkworthy"] is True and row["document_id"] == "seed-article"


def _table_cells(row: str) -> list[str]:
    """Split a Markdown table row on unescaped pipes."""
    cells, current, i = [], "", 1
    while i < len(row) - 1:
        if row[i] == "\\":
            current += row[i:i + 2]
            i += 2
            continue
        if row[i] == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += row[i]
        i += 1
    return cells + [current.strip()]


def test_markdown_table_has_a_row_per_claim_with_evidence_and_checks(report, tmp_path):
    tricky = report.claims[3].model_copy(update={"text": "Schedule | pace is\nunprecedented <b>x</b>"})
    report = report.model_copy(update={"claims": [*report.claims[:3], tricky, report.claims[4]]})
    md = write_report(report, tmp_path / "report.md").read_text(encoding="utf-8")
    assert "5 claims: 2 supported, 1 contradicted, 1 not enough info; 1 not check-worthy" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| #")]
    assert len(rows) == len(report.claims)
    cells = [_table_cells(row) for row in rows]
    assert all(len(c) == 6 for c in cells), cells
    by_number = {c[0]: c for c in cells}
    assert by_number["3"][2] == "**contradicted**" and by_number["3"][3] == "0.87"
    assert "xinhua-2026-01-05" in by_number["3"][4] and "“the two sides signed six memorandums" in by_number["3"][4]
    assert "numeric inconsistent" in by_number["3"][5]
    assert by_number["4"][1] == "Schedule \\| pace is unprecedented &lt;b&gt;x&lt;/b&gt;"
    assert by_number["5"][2] == "not check-worthy (speculation)" and by_number["5"][3] == "—"


def test_junit_counts_failures_and_skips(report, tmp_path):
    root = ET.parse(write_report(report, tmp_path / "junit.xml")).getroot()
    suite = root.find("testsuite")
    assert suite.get("name") == "seed-article"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name").split(":")[0] for c in cases] == ["c1", "c2", "c3", "c4"]
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert len(failures) == 1
    message = failures[0].get("message")
    assert "P=0.87" in message and "xinhua-2026-01-05" in message and "six memorandums" in message
    assert "numeric inconsistent" in failures[0].text
    assert cases[3].find("skipped") is not None and cases[0].find("failure") is None and cases[0].find("skipped") is None


def test_junit_escapes_markup_and_control_characters(report, tmp_path):
    hostile = report.claims[2].model_copy(update={"text": 'More than ten <deals> & "pacts"\x07]]>'})
    report = report.model_copy(update={"claims": [*report.claims[:2], hostile, *report.claims[3:]]})
    root = ET.parse(write_report(report, tmp_path / "junit.xml")).getroot()
    case = root.find("testsuite").findall("testcase")[2]
    assert '<deals> & "pacts"' in case.get("name") and "\x07" not in case.get("name")


def test_html_is_self_contained_and_escapes_text(report, tmp_path):
    hostile = report.document.text + "\nComment: <script>alert(1)</script> <img src=x onerror=alert(1)>"
    report = report.model_copy(update={"document": report.document.model_copy(update={"text": hostile})})
    html = write_report(report, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert html.count("<script") == 1  # our own toggle script only
    for external in ("<link", "src=\"http", "href=\"http", "@import", "url("):
        assert external not in html
    # c1 (the sentence) and c2 (a clause inside it) share one highlighted region.
    assert 'data-claims="1 2"' in html and 'data-claims="3"' in html
    assert 'class="claim-region verdict-not_checkworthy"' in html
    assert "<mark>the two sides signed six memorandums of understanding</mark>" in html


def test_cited_window_is_marked_even_with_bad_offsets(report):
    p = report.evidence["c3"][0].passage
    good = report.verdicts[2].evidence[0]
    assert mark_cited_window(good, p).marked == good.text
    shifted = good.model_copy(update={"span": (good.span[0] + 7, good.span[1] + 7)})
    assert mark_cited_window(shifted, p).marked == good.text  # found by its text
    wild = good.model_copy(update={"span": (10_000, 20_000), "text": "not in the passage"})
    marked = mark_cited_window(wild, p)
    assert marked.before + marked.marked + marked.after == p.text and marked.marked == ""


def test_terminal_table_colours_verdicts(report):
    console = Console(record=True, width=200, force_terminal=True, color_system="standard", file=io.StringIO())
    render_terminal(report.model_copy(update={"claims": [
        *report.claims[:4], report.claims[4].model_copy(update={"text": "[bold]not markup[/bold]"})]}), console)
    plain = console.export_text(styles=False, clear=False)
    styled = console.export_text(styles=True)
    assert "5 claims: 2 supported, 1 contradicted, 1 not enough info; 1 not check-worthy" in plain
    assert "[bold]not markup[/bold]" in plain and "xinhua-2026-01-05" in plain
    assert "\x1b[1;31mcontradicted" in styled and "\x1b[1;32msupported" in styled
    assert "\x1b[1;33mnot enough info" in styled and "\x1b[2mnot check-worthy" in styled


def test_unknown_extension_is_an_input_error_and_writes_nothing(report, tmp_path):
    with pytest.raises(InputError, match=r"\.json, \.jsonl, \.md, \.html, \.xml"):
        write_report(report, tmp_path / "report.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["missing-folder/report.json", "a-file.txt/report.json", "a-folder.json"])
def test_unwritable_path_is_an_input_error_and_leaves_nothing(report, tmp_path, where):
    (tmp_path / "a-file.txt").write_text("not a folder")
    (tmp_path / "a-folder.json").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(InputError):
        write_report(report, tmp_path / where)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
