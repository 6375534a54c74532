"""The HTML report in a real browser (headless Debian chromium through selenium): highlights,
click/hover panels with marked evidence, and article text that tries to inject script."""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from verify.records import Claim, Document, Verdict
from verify.report import write_report

INJECTIONS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _load_report_builders():
    """The hand-built seed-article report lives in test_report.py; load it by path so this works
    whether or not tests/ is a package."""
    spec = importlib.util.spec_from_file_location("report_builders", Path(__file__).with_name("test_report.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builders = _load_report_builders()


def _save_screenshot(driver, tmp_path: Path, name: str) -> None:
    shot = tmp_path / name
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 1000
    if os.environ.get("VERIFY_SCREENSHOT_DIR"):
        target = Path(os.environ["VERIFY_SCREENSHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target / name)


def _region(driver, numbers: str):
    return next(r for r in driver.find_elements(By.CSS_SELECTOR, "#article .claim-region")
                if r.get_attribute("data-claims") == numbers)


def test_claims_are_highlighted_and_clicking_shows_evidence(browser, tmp_path):
    report = builders.make_report()
    page = write_report(report, tmp_path / "report.html")
    browser.get(page.as_uri())

    regions = browser.find_elements(By.CSS_SELECTOR, "#article .claim-region")
    assert [r.get_attribute("data-claims") for r in regions] == ["1 2", "4", "5", "3"]  # article order
    assert all(r.is_displayed() for r in regions)
    classes = {r.get_attribute("data-claims"): r.get_attribute("class").split() for r in regions}
    assert "verdict-supported" in classes["1 2"] and "verdict-contradicted" in classes["3"]
    assert "verdict-not_enough_info" in classes["4"] and "verdict-not_checkworthy" in classes["5"]
    # The colour classes really style the page: a red background for contradicted.
    assert _region(browser, "3").value_of_css_property("background-color") == "rgba(255, 235, 233, 1)"
    assert _region(browser, "5").value_of_css_property("border-bottom-style") == "dashed"

    panel_3 = browser.find_element(By.ID, "panel-claim-3")
    assert not panel_3.is_displayed()
    _region(browser, "3").click()
    assert panel_3.is_displayed()
    assert "China and South Korea are finalizing more than ten agreements." in panel_3.text
    assert "claim: >10 agreements; evidence: 6 memorandums" in panel_3.text
    mark = panel_3.find_element(By.TAG_NAME, "mark")
    assert mark.is_displayed() and mark.text == "the two sides signed six memorandums of understanding"
    assert "Xi Jinping held talks with Lee Jae-myung in Beijing" in panel_3.find_element(By.CLASS_NAME, "passage").text
    bars = panel_3.find_elements(By.CSS_SELECTOR, ".fill.verdict-contradicted")
    assert bars and bars[0].value_of_css_property("width") != "0px"

    # Hovering another region previews both claims of that shared sentence; leaving restores the clicked one.
    ActionChains(browser).move_to_element(_region(browser, "1 2")).perform()
    assert browser.find_element(By.ID, "panel-claim-1").is_displayed()
    assert browser.find_element(By.ID, "panel-claim-2").is_displayed() and not panel_3.is_displayed()
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h1")).perform()
    assert panel_3.is_displayed() and not browser.find_element(By.ID, "panel-claim-1").is_displayed()

    # The plain list below the article shows every claim without any interaction.
    items = browser.find_elements(By.CSS_SELECTOR, "#claim-list > ol > li")
    assert len(items) == len(report.claims)
    _save_screenshot(browser, tmp_path, "report.png")


def test_injected_markup_in_article_and_evidence_renders_as_text(browser, tmp_path):
    seed = builders.make_report()
    hostile = f"Officials met on Monday {INJECTIONS[0]} and signed six deals {INJECTIONS[1]} in Beijing."
    sentence = f"signed six deals {INJECTIONS[1]}"
    evidence_doc = f"Wire copy: {INJECTIONS[1]} the leaders signed six deals. {INJECTIONS[0]}"
    passage = builders.passage("hostile-wire", evidence_doc, corpus={"hostile-wire": evidence_doc})
    cited = builders.cite(passage, f"{INJECTIONS[1]} the leaders signed six deals.", 0.9, 0.02)
    start = hostile.index(sentence)
    claim = Claim(id="x1", text=f"Six deals were signed {INJECTIONS[0]}", source_span=(start, start + len(sentence)),
                  sentence_index=0, type="numeric", checkworthy=True)
    verdict = Verdict(claim_id="x1", label="supported",
                      probabilities={"supported": 0.9, "contradicted": 0.02, "not_enough_info": 0.08},
                      evidence=[cited])
    report = seed.model_copy(update={
        "document": Document(id=f"doc {INJECTIONS[0]}", text=hostile), "claims": [claim],
        "verdicts": [verdict], "evidence": {"x1": [builders.Evidence(passage=passage, rank=1, score=0.03)]},
        "provenance": {"model": INJECTIONS[1]}})
    page = write_report(report, tmp_path / "hostile.html")
    browser.get(page.as_uri())

    article = browser.find_element(By.ID, "article")
    assert INJECTIONS[0] in article.text and INJECTIONS[1] in article.text
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1  # only the report's own toggle script
    browser.find_element(By.CSS_SELECTOR, "#article .claim-region").click()
    panel = browser.find_element(By.ID, "panel-claim-1")
    assert panel.is_displayed() and INJECTIONS[0] in panel.text
    assert panel.find_element(By.TAG_NAME, "mark").text == f"{INJECTIONS[1]} the leaders signed six deals."
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    assert browser.execute_script("return window.__alerts") == []
    # The alert recorder itself works, so the empty list above means something.
    browser.execute_script("alert('probe')")
    assert browser.execute_script("return window.__alerts") == ["probe"]
    _save_screenshot(browser, tmp_path, "hostile.png")
