"""Chromium, through the sample web's proxy, renders JavaScript-only sites and script-built e-mails."""

from __future__ import annotations

import os

import pytest

from sampleweb.server import SampleWeb
from sampleweb.truth import site_truth

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(180),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


async def test_chromium_renders_js_only_site_and_js_emails():
    from playwright.async_api import async_playwright

    with SampleWeb(port=0) as web:
        js_only = next(s for s in web.sites() if "js_only" in s.features)
        js_email = next(s for s in web.sites() if "js_email" in s.features)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=ARGS, proxy={"server": web.proxy_url}
            )
            try:
                page = await browser.new_page()
                truth = site_truth(js_only.domain)
                await page.goto(truth["url"])
                assert truth["one_liner"] in await page.inner_text("#root")

                truth = site_truth(js_email.domain)
                scripted = [
                    c
                    for c in truth["contacts"] + truth["role_inboxes"]
                    if (c["email_form"] or "").startswith("js_")
                ]
                for item in scripted:
                    await page.goto(item["url"])
                    assert item["email"] in await page.inner_text("body")
            finally:
                await browser.close()
