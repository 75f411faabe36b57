"""Browser tests: Debian's chromium driven by Playwright against the real app process.

Marked slow (CI runs them with `make test-slow`). Screenshots of each screen are saved
to tests/artifacts/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.bench.load import start_server
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
PERSONA = json.loads((ROOT / "evals" / "personas" / "personas.json").read_text())["strong"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (.ci/run installs it with apt)")
    proc, url, _ = start_server(tmp_path_factory.mktemp("appdata"),
                                MOCKLOOP_COACH_PASSWORD="coach-pass")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(server: str):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(30_000)
        pg.goto(server)
        yield pg
        browser.close()


def _answer(page, text: str) -> None:
    before = page.locator("#chat .message").count()
    page.fill("#answer textarea", text)
    page.click("#send")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .message').length > n", arg=before)
    page.wait_for_timeout(300)


def _start(page) -> str:
    page.click("#start")
    page.wait_for_function("() => document.querySelector('#session-id textarea, #session-id input')?.value")
    page.wait_for_url("**/?session=*")
    return page.locator("#session-id textarea, #session-id input").first.input_value()


def test_full_round_to_scorecard_with_reload_in_the_middle(page, server):
    sid = _start(page)
    _answer(page, PERSONA["answers"][0])
    _answer(page, PERSONA["answers"][1])
    chat_before = page.locator("#chat .message").count()
    page.reload()  # the session id is in the URL: the conversation comes back
    page.wait_for_function("n => document.querySelectorAll('#chat .message').length >= n",
                           arg=chat_before)
    assert page.locator("#session-id textarea, #session-id input").first.input_value() == sid
    page.screenshot(path=str(ARTIFACTS / "interview-reloaded.png"), full_page=True)
    for i in range(2, 12):
        label = page.locator("#answer label, #answer span").first.inner_text()
        if "over" in label:
            break
        text = PERSONA["postmortem"] if "post-mortem" in label.lower() else PERSONA["answers"][i % 6]
        _answer(page, text)
    page.wait_for_function("() => document.querySelector('#round-cards').innerText.includes('/12')")
    assert "Advice" in page.inner_text("#round-cards")
    page.screenshot(path=str(ARTIFACTS / "interview-scorecard.png"), full_page=True)


def test_candidate_html_is_shown_as_text_and_runs_nothing(page):
    _start(page)
    page.evaluate("window.__xss = 0")
    _answer(page, "<img src=x onerror=\"window.__xss=1\"> then <script>window.__xss=2</script> ok")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") == 0
    assert "<img src=x" in page.inner_text("#chat")  # shown literally
    page.screenshot(path=str(ARTIFACTS / "interview-xss.png"), full_page=True)


def test_upload_shows_highlighted_evidence(page):
    page.get_by_role("tab", name="Score a transcript").click()
    page.set_input_files("#upload input[type=file]", str(DATA / "sample_backend_coding.md"))
    page.wait_for_timeout(1000)
    page.click("#score")
    page.wait_for_function("() => document.querySelector('#scorecard').innerText.includes('/12')")
    hl = page.locator("#highlighted")
    assert "Is the input sorted by start time?" in hl.inner_text()
    assert hl.locator(".textspan.hl, mark, [class*=hl]").count() > 0
    page.screenshot(path=str(ARTIFACTS / "score-highlighted.png"), full_page=True)


def test_coach_overrides_with_reason_and_sees_audit_and_agreement(page):
    page.get_by_role("tab", name="Score a transcript").click()
    page.fill("#paste textarea", (DATA / "sample_backend_coding.md").read_text())
    page.click("#score")
    page.wait_for_function("() => document.querySelector('#scorecard').innerText.includes('/12')")
    page.get_by_role("tab", name="Coach review").click()
    page.fill("#coach-user input, #coach-user textarea", "coach")
    page.fill("#coach-password input", "coach-pass")
    page.click("#login")
    page.wait_for_selector("#agreement")
    page.fill("#card-id input", "1")
    page.click("#open-card")
    page.wait_for_function("() => document.querySelector('#coach-card').innerText.includes('/12')")
    page.get_by_label("0").first.check()
    page.fill("#reason textarea, #reason input", "no alternative was compared with costs")
    page.click("#submit-review")
    page.wait_for_function(
        "() => document.querySelector('#audit').innerText.includes('no alternative was compared')")
    assert "override" in page.inner_text("#audit") or "accept" in page.inner_text("#audit")
    assert "requirements" in page.inner_text("#agreement")
    page.screenshot(path=str(ARTIFACTS / "coach-review.png"), full_page=True)


def test_gradio_client_calls_named_endpoints(server):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    client = Client(server, verbose=False)
    out = client.predict("", "Backend", "FAANG/high-growth", "coding",
                         ["Recruiter screen", "Hiring-committee debrief"], "offline",
                         api_name="/start")
    sid = out[-1]
    assert sid and out[0][-1]["role"] == "assistant"
    turn = client.predict(sid, "Is the input sorted, and how large is it?", api_name="/answer")
    assert any("how large is it" in str(m["content"]) for m in turn[0])
    scored = client.predict((DATA / "sample_backend_coding.md").read_text(), None, "", "auto", "",
                            api_name="/score")
    assert "/12" in scored[1] and "Saved as scorecard" in scored[3]


def test_progress_tab_plots_a_candidates_sessions(page):
    page.get_by_role("tab", name="Score a transcript").click()
    page.fill("#paste textarea", (DATA / "sample_backend_coding.md").read_text())
    page.fill("#who textarea, #who input", "Dana")
    page.click("#score")
    page.wait_for_function("() => document.querySelector('#scorecard').innerText.includes('/12')")
    page.get_by_role("tab", name="Progress").click()
    page.fill("#progress-name textarea, #progress-name input", "Dana")
    page.click("#show-progress")
    page.wait_for_function(
        "() => document.querySelector('#progress-summary').innerText.includes('scored rounds')")
    page.screenshot(path=str(ARTIFACTS / "progress.png"), full_page=True)
