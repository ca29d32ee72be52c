"""The reviewer page in a real browser: log in, edit a draft in place, approve it, watch it leave."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from api.context import get_launcher
from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import PASSWORD

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(api_settings, launcher, world):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    app = create_app(api_settings)
    app.dependency_overrides[get_launcher] = lambda: launcher
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


def test_review_edit_and_approve_in_the_browser(server, world, launcher):
    from playwright.sync_api import expect, sync_playwright

    item = world.approvals(world.a.campaigns[0])[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{server}/queue")
            expect(page).to_have_url(f"{server}/login?next=/queue")
            page.fill("input[name=email]", world.a.users["reviewer"])
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{server}/queue")

            card = page.locator(f"#item-{item.id}")
            expect(card.locator(".subject")).to_have_text(item.draft.subject)
            expect(card.locator(".claims a").first).to_have_attribute("href", item.draft.claims[0].source_url)

            card.click()
            page.keyboard.press("e")  # the documented shortcut opens the editor in place
            subject = card.locator("form.edit input[name=subject]")
            expect(subject).to_be_visible()
            subject.fill("Scheduling idea for your Glasgow site")
            card.locator("form.edit button[type=submit]").click()

            card = page.locator(f"#item-{item.id}")
            expect(card.locator(".subject")).to_have_text("Scheduling idea for your Glasgow site")
            expect(page.locator(".notice")).to_contain_text("Guard check")
            Path(ROOT / "test-artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "test-artifacts" / "review-page.png"), full_page=True)

            card.locator("button.approve").click()
            expect(page.locator(".notice")).to_have_text("Approved.")
            expect(page.locator(f"#item-{item.id}")).to_have_count(0)
            expect(page.locator(".draft-card")).to_have_count(3)
        finally:
            browser.close()

    stored = world.repo.get_approval(item.id)
    assert stored.status == "approved"
    assert stored.approved_subject == "Scheduling idea for your Glasgow site"
    assert launcher.resumes == [(item.campaign_id, {item.id: {"action": "approve"}})]
