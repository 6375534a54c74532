"""`verify serve`: every endpoint through FastAPI's TestClient on the real model and the seed
corpus, the safety cases with their documented status codes, and the real thing: a uvicorn process
on a loopback port, driven over HTTP and by headless Chromium through the web page."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason='needs the [serve] extra: pip install "verify-claims[serve]"')
httpx = pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from verify.extract import document_from_text, extract_claims  # noqa: E402
from verify.report import render_json, report_json_schema  # noqa: E402
from verify.serve import Limits, create_app  # noqa: E402
from verify.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "claims" / "seed-summit" / "corpus"
PLANTED = (REPO / "claims" / "seed-summit-planted" / "article.txt").read_text(encoding="utf-8")
PLANTED_ERROR = "took office in 2023"  # the planted error today's pipeline flags most surely (p≈0.83)
SETTINGS = Settings(engine="torch")  # the engine the suite's shared verifier fixture loads: one model load
TOKEN = "s3cret-token"
CONTEXTS = ["Lee Jae-myung was sworn in as president on 4 June 2025.", "Xi Jinping hosted Lee Jae-myung in Beijing."]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cache = tmp_path_factory.mktemp("serve-cache") / "scores.sqlite"  # its own score cache: the hits below are its
    with TestClient(create_app(SETTINGS.replace(cache=str(cache)), {"seed": CORPUS})) as c:
        yield c


@pytest.fixture(scope="module")
def strict():
    """Token required, small limits: the safety cases."""
    limits = Limits(max_body_bytes=60_000, max_text_chars=5_000, max_items=2, max_contexts=2, max_claims=5)
    with TestClient(create_app(SETTINGS, {"seed": CORPUS}, token=TOKEN, limits=limits)) as c:
        yield c


@pytest.fixture(scope="module")
def planted_report(client):
    response = client.post("/v1/check", json={"text": PLANTED, "corpus": "seed", "id": "planted"})
    assert response.status_code == 200, response.text
    return response.json()


def _claim(report: dict, fragment: str) -> tuple[dict, dict]:
    claim = next(c for c in report["claims"] if fragment in report["document"]["text"][slice(*c["source_span"])])
    return claim, next(v for v in report["verdicts"] if v["claim_id"] == claim["id"])


# -- every endpoint ----------------------------------------------------------------------------
def test_healthz_and_corpora(client):
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["corpora"] == ["seed"] and health["auth"] is False
    corpora = client.get("/v1/corpora").json()["corpora"]
    assert [c["name"] for c in corpora] == ["seed"] and corpora[0]["passages"] > 5 and len(corpora[0]["corpus_hash"]) == 64


def test_check_returns_the_report_of_verify_check(client, planted_report):
    import jsonschema

    jsonschema.validate(planted_report, report_json_schema())
    claim, verdict = _claim(planted_report, PLANTED_ERROR)
    assert verdict["label"] == "contradicted" and verdict["evidence"]
    # The same verdicts as the pipeline gives in-process on the same document.
    direct = client.app.state.pipeline.check(document_from_text(PLANTED, doc_id="planted"), CORPUS)
    expected = json.loads(render_json(direct))
    assert planted_report["verdicts"] == expected["verdicts"] and planted_report["claims"] == expected["claims"]
    assert planted_report["summary"] == expected["summary"] and planted_report["summary"]["contradicted"] >= 1


def test_extract_returns_the_claims_with_spans(client):
    text = "Lee Jae-myung took office in mid-2025. He met Xi Jinping in Beijing on 5 January 2026."
    body = client.post("/v1/extract", json={"text": text, "date": "2026-01-03"}).json()
    assert body["date"] == "2026-01-03"
    expected = [c.model_dump(mode="json") for c in extract_claims(document_from_text(text))]
    assert body["claims"] == expected and len(expected) == 2


def test_score_answers_and_given_claims_against_contexts(client):
    response = client.post("/v1/score", json={"items": [
        {"answer": "Lee Jae-myung took office in 2023. Xi Jinping hosted Lee Jae-myung in Beijing.", "contexts": CONTEXTS},
        {"id": "given", "claims": ["Lee Jae-myung became president in 2025."], "contexts": CONTEXTS[:1]}]})
    assert response.status_code == 200, response.text
    body = response.json()
    rows = body["rows"]
    assert [(r["answer_id"], r["label"]) for r in rows] == [("0", "contradicted"), ("0", "supported"), ("given", "supported")]
    wrong, hosted, given = rows
    assert (wrong["start"], wrong["end"]) == (0, len("Lee Jae-myung took office in 2023.")) and given["start"] is None
    assert wrong["evidence_doc"] == "evidence-1" and wrong["evidence"] == CONTEXTS[0]
    assert hosted["evidence_doc"] == "evidence-2"
    assert abs(wrong["p_supported"] + wrong["p_contradicted"] + wrong["p_not_enough_info"] - 1) < 1e-3
    # the same rows as the Python API on the same input
    import verify

    frame = verify.score([CONTEXTS], ["Lee Jae-myung took office in 2023. Xi Jinping hosted Lee Jae-myung in Beijing."],
                         settings=SETTINGS)
    assert [(r["claim"], r["label"], r["p_contradicted"]) for r in rows[:2]] == \
        [(c, lab, p) for c, lab, p in zip(frame["claim"], frame["label"], frame["p_contradicted"])]
    assert [(a["answer_id"], a["contradicted"], a["faithfulness"]) for a in body["answers"]] == [("0", 1, 0.5), ("given", 0, 1.0)]


def test_render_turns_a_report_into_html_and_markdown(client, planted_report):
    html = client.post("/v1/render", json={"report": planted_report})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "verdict-contradicted" in html.text and "<script>" in html.text
    md = client.post("/v1/render", json={"report": planted_report, "format": "md"})
    assert md.status_code == 200 and "contradicted" in md.text
    bad = client.post("/v1/render", json={"report": {"document": {"text": "x"}}})
    assert bad.status_code == 422 and bad.json()["error"].startswith("report: not a verify report")


def test_metrics_count_requests_latency_pairs_and_batches(client, planted_report):
    client.post("/v1/score", json={"items": [{"claims": ["Xi Jinping hosted Lee Jae-myung in Beijing."], "contexts": CONTEXTS}]})
    text = client.get("/metrics").text
    assert 'verify_requests_total{endpoint="/v1/check",status="200"}' in text
    assert 'verify_requests_total{endpoint="/v1/score",status="200"}' in text
    assert 'verify_request_seconds_bucket{endpoint="/v1/check",le="+Inf"}' in text
    pairs = next(float(line.split()[1]) for line in text.splitlines() if line.startswith("verify_pairs_scored_total "))
    assert pairs >= len(planted_report["window_scores"]) + 2
    hits = next(float(line.split()[1]) for line in text.splitlines() if line.startswith("verify_cache_hits_total "))
    assert hits >= len(planted_report["window_scores"]) // 2  # the in-process check of the same article hit the cache
    assert 'verify_batch_requests_count{kind="score"}' in text


def test_docs_and_page_are_served_offline(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower() and client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/check", "/v1/score", "/v1/extract", "/v1/corpora", "/healthz", "/metrics"} <= set(paths)
    page = client.get("/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/page/app.js">' in page.text and "http" not in page.text.replace('href="/docs"', "")
    script = client.get("/static/page/app.js").text
    assert "innerHTML" not in script.replace("never innerHTML", "") and "textContent" in script


def _concurrently(calls):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_score_requests_share_a_batch_and_get_their_own_rows(client):
    claims = ["Lee Jae-myung took office in 2023.", "Xi Jinping hosted Lee Jae-myung in Beijing.",
              "Lee Jae-myung became president in 2025.", "The summit was held in Tokyo."]
    before = client.get("/metrics").text
    busy = lambda: client.post("/v1/check", json={"text": PLANTED[:400], "corpus": "seed"})  # noqa: E731
    score = lambda c: lambda: client.post("/v1/score", json={"items": [{"id": c, "claims": [c], "contexts": CONTEXTS}]})  # noqa: E731
    answers = _concurrently([busy] + [score(c) for c in claims])
    assert all(a.status_code == 200 for a in answers)
    for claim, answer in zip(claims, answers[1:]):
        assert [(r["answer_id"], r["claim"]) for r in answer.json()["rows"]] == [(claim, claim)]
    alone = client.post("/v1/score", json={"items": [{"claims": [claims[0]], "contexts": CONTEXTS}]}).json()["rows"][0]
    probs = lambda row: [row[f"p_{k}"] for k in ("supported", "contradicted", "not_enough_info")]  # noqa: E731
    assert probs(answers[1].json()["rows"][0]) == probs(alone)  # batching changes no answer
    after = client.get("/metrics").text
    count = lambda text: sum(float(l.split()[1]) for l in text.splitlines() if l.startswith('verify_batch_requests_count{kind="score"}'))  # noqa: E731,E741
    assert count(after) - count(before) < len(claims) + 1  # fewer pipeline calls than requests: some were batched


def test_a_full_queue_answers_503():
    with TestClient(create_app(SETTINGS, {"seed": CORPUS}, limits=Limits(queue=1))) as c:
        call = lambda: c.post("/v1/check", json={"text": PLANTED[:400], "corpus": "seed"})  # noqa: E731
        answers = _concurrently([call] * 5)
    codes = sorted(a.status_code for a in answers)
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}  # every request is answered
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"] == "1" and busy.json()["error"].startswith("busy: 1 requests are already waiting")


# -- safety -------------------------------------------------------------------------------------
def test_a_request_can_never_name_a_path(client):
    for name in (str(CORPUS), "../claims/seed-summit/corpus", "seed/../seed"):
        response = client.post("/v1/check", json={"text": "Lee took office in 2023.", "corpus": name})
        assert response.status_code == 404 and response.json()["status"] == 404
        assert "never by path" in response.json()["error"]
    extra = client.post("/v1/check", json={"text": "x", "corpus": "seed", "corpus_path": str(CORPUS)})
    assert extra.status_code == 422 and extra.json()["error"].startswith("corpus_path:")
    date = client.post("/v1/extract", json={"text": "It rained.", "date": "0999-01-01"})
    assert date.status_code == 422 and date.json()["error"] == "date 0999-01-01 is out of range (1000-01-01 to 2999-12-31)"
    model = client.post("/v1/score", json={"items": [{"claims": ["x"], "contexts": ["y"]}], "model": "org/other-nli"})
    assert model.status_code == 422


def test_token_is_required_and_checked(strict):
    assert strict.get("/healthz").json()["auth"] is True  # liveness stays open
    missing = strict.get("/v1/corpora")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert "bearer token" in missing.json()["error"]
    assert strict.get("/metrics").status_code == 401
    wrong = strict.post("/v1/extract", json={"text": "It rained."}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json() == {"error": "missing or wrong bearer token", "status": 401}
    ok = strict.get("/v1/corpora", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200


def test_size_limits_answer_413(strict):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = strict.post("/v1/extract", content=json.dumps({"text": "a" * 70_000}), headers={**auth, "Content-Type": "application/json"})
    assert body.status_code == 413 and body.json()["error"] == "request body over 60,000 bytes"
    long = strict.post("/v1/check", json={"text": "Word. " * 1000, "corpus": "seed"}, headers=auth)
    assert long.status_code == 413 and "at most 5,000" in long.json()["error"]
    contexts = strict.post("/v1/score", json={"items": [{"claims": ["x"], "contexts": ["a", "b", "c"]}]}, headers=auth)
    assert contexts.status_code == 413 and "3 contexts" in contexts.json()["error"]
    items = strict.post("/v1/score", json={"items": [{"claims": ["x"], "contexts": ["a"]}] * 3}, headers=auth)
    assert items.status_code == 413
    claims = strict.post("/v1/check", json={"text": PLANTED[:4000], "corpus": "seed"}, headers=auth)
    assert claims.status_code == 413 and "at most 5" in claims.json()["error"]
    text = strict.get("/metrics", headers=auth).text
    assert 'verify_requests_total{endpoint="/v1/check",status="413"} 2.0' in text


def test_a_request_past_its_timeout_answers_504():
    with TestClient(create_app(SETTINGS, {"seed": CORPUS}, limits=Limits(timeout_s=0.001))) as c:
        response = c.post("/v1/check", json={"text": "Lee Jae-myung took office in 2023.", "corpus": "seed"})
    assert response.status_code == 504 and response.json()["error"] == "no answer within 0.001 s"


def test_public_bind_without_token_is_refused():
    result = subprocess.run([sys.executable, "-m", "verify", "serve", "--host", "0.0.0.0", "--corpus", f"seed={CORPUS}"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "VERIFY_TOKEN": ""})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: refusing to serve on 0.0.0.0 without a token: give --token (or $VERIFY_TOKEN), or bind 127.0.0.1"]


# -- a real server process -------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`verify serve` in its own process on a free loopback port, as a user starts it."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "verify", "serve", "--port", str(port), "--engine", "torch",
                                 "--corpus", f"seed={CORPUS}"], stdout=sink, stderr=subprocess.STDOUT, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"verify serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()  # uvicorn shuts down cleanly, then re-raises the signal
    assert proc.wait(timeout=30) in (0, -signal.SIGTERM) and "Application shutdown complete" in log.read_text()


def test_real_server_answers_over_loopback(server):
    body = {"items": [{"claims": ["Lee Jae-myung took office in 2023."], "contexts": CONTEXTS}]}
    rows = httpx.post(f"{server}/v1/score", json=body, timeout=60).json()["rows"]
    assert rows[0]["label"] == "contradicted"
    assert httpx.post(f"{server}/v1/check", json={"text": "x", "corpus": "nope"}, timeout=60).status_code == 404
    assert "verify_requests_total" in httpx.get(f"{server}/metrics", timeout=10).text
    # every other endpoint answers over the real socket too (the page's own test covers / and /v1/check)
    assert httpx.get(f"{server}/healthz", timeout=10).json()["status"] == "ok"
    assert [c["name"] for c in httpx.get(f"{server}/v1/corpora", timeout=10).json()["corpora"]] == ["seed"]
    claims = httpx.post(f"{server}/v1/extract", json={"text": "The summit was held on 5 January 2026."}, timeout=60).json()["claims"]
    assert claims and claims[0]["source_span"][0] == 0
    report = httpx.post(f"{server}/v1/check", json={"text": "Lee Jae-myung took office in 2023.", "corpus": "seed"}, timeout=120).json()
    rendered = httpx.post(f"{server}/v1/render", json={"report": report, "format": "md"}, timeout=60)
    assert rendered.status_code == 200 and "Lee Jae-myung took office in 2023." in rendered.text
    assert httpx.get(f"{server}/openapi.json", timeout=10).json()["paths"].keys() >= {"/v1/check", "/v1/score", "/v1/extract"}


def test_page_shows_the_planted_error_and_its_evidence(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(server + "/")
    wait = WebDriverWait(browser, 90)
    wait.until(lambda d: Select(d.find_element(By.ID, "corpus")).options)
    assert Select(browser.find_element(By.ID, "corpus")).first_selected_option.get_attribute("value") == "seed"
    assert not browser.find_element(By.ID, "token").is_displayed()  # no token asked of a service without one
    article = browser.find_element(By.ID, "article")
    browser.execute_script("arguments[0].value = arguments[1];", article, PLANTED)  # paste: faster than typing
    browser.find_element(By.ID, "check").click()
    wait.until(ec.visibility_of_element_located((By.ID, "result")))

    view = browser.find_element(By.ID, "article-view")
    assert view.text.replace("contradicted", "").count("Beijing Courts Seoul") == 1
    flagged = [r for r in view.find_elements(By.CSS_SELECTOR, ".claim-region.verdict-contradicted") if PLANTED_ERROR in r.text]
    assert len(flagged) == 1
    region = flagged[0]
    assert region.find_element(By.CLASS_NAME, "verdict-label").text == "contradicted"  # a text label, not colour alone
    assert region.value_of_css_property("background-color") == "rgba(255, 235, 233, 1)"
    region.click()
    detail = browser.find_element(By.ID, "detail")
    assert "President Lee Jae-myung took office in 2023." in detail.text
    assert "Probabilities" in detail.text and "Cited evidence" in detail.text
    head = detail.find_element(By.CLASS_NAME, "evidence-head").text
    assert ".md, characters " in head  # the document and the position of the cited span
    assert detail.find_element(By.CLASS_NAME, "passage").text.strip()
    shot = tmp_path / "serve-page.png"
    assert browser.save_screenshot(str(shot))

    # Article text that tries to inject markup stays text.
    hostile = "Lee Jae-myung took office in 2023 <img src=x onerror=alert(1)>. <script>alert(2)</script>"
    browser.execute_script("arguments[0].value = arguments[1];", article, hostile)
    browser.find_element(By.ID, "check").click()
    wait.until(lambda d: "<img src=x" in d.find_element(By.ID, "article-view").text)
    assert browser.execute_script("return window.__alerts") == []
    assert not browser.find_elements(By.CSS_SELECTOR, "#article-view img, #article-view script")
