"""The product path for script-built e-mails: the researcher's WebFetcher reads a sample-web site
over HTTP, its render policy sends the page to chromium (through the sample web's proxy), and the
addresses the page's scripts assemble are extracted as found contacts, never guessed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agents.researcher import research
from core.settings import Settings
from sampleweb.server import SampleWeb
from sampleweb.truth import site_truth
from tests.conftest import IN_CI
from tools.web.browser import chromium_executable
from tools.web.fetcher import WebFetcher

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture
def need_chromium(settings):
    executable = chromium_executable(settings)
    if not Path(executable).exists():
        if IN_CI:
            pytest.fail(f"{executable} missing (CI=true); `make install` installs it")
        pytest.skip(f"{executable} not installed")


def _scripted(truth: dict) -> list[dict]:
    return [c for c in truth["contacts"] + truth["role_inboxes"]
            if (c.get("email_form") or "").startswith("js_")]


async def test_script_built_emails_and_js_only_sites_are_read_through_chromium(settings: Settings,
                                                                               need_chromium):
    with SampleWeb(port=0) as web:
        js_email = next(s for s in web.sites() if "js_email" in s.features)
        js_only = next(s for s in web.sites() if "js_only" in s.features)
        fetcher = WebFetcher(settings.model_copy(update={
            "http_proxy": web.proxy_url, "allow_private_hosts": [], "per_host_delay": 0.0}))
        try:
            email_lead, app_lead = await asyncio.gather(
                research(site_truth(js_email.domain)["url"], fetcher),
                research(site_truth(js_only.domain)["url"], fetcher),
            )
        finally:
            await fetcher.aclose()
        renders = fetcher.counters.browser_renders

    scripted = _scripted(site_truth(js_email.domain))
    assert scripted, "the sample web should have script-built addresses on this site"
    found = {c.email: c for c in email_lead.contacts if c.email}
    for item in scripted:
        assert item["email"] in found, f"{item['email_form']} address {item['email']} not extracted"
        assert found[item["email"]].email_status in ("found", "role")
    assert app_lead.status is None and app_lead.company is not None
    assert site_truth(js_only.domain)["one_liner"] in " ".join(app_lead.company.pages.values())
    assert renders >= 2
