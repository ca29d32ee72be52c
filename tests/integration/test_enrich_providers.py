"""Hunter.io and People Data Labs enrichers against local fake APIs serving their documented shapes."""

from __future__ import annotations

import asyncio

import pytest

from core.models import Company, Contact, Lead
from tests.fixtures.providers import hunter_fake, pdl_fake
from tests.fixtures.providers.hunter_fake import email_entry, hunter_api
from tests.fixtures.providers.pdl_fake import pdl_api
from tools.enrich import build_enrichers, enrich_lead
from tools.enrich.hunter import HunterEnricher
from tools.enrich.pdl import PdlEnricher
from tools.enrich.provider_http import ProviderClient

DOMAIN = "acme-robotics.com"
SITE = f"https://{DOMAIN}/"
TEAM = f"https://{DOMAIN}/team"


class RecordedSleep:
    """Stands in for asyncio.sleep so a test can see the waits the client chose without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def scraped_company() -> Company:
    return Company(domain=DOMAIN, name="Acme Robotics", industry="logistics", team_size=25,
                   sources={"name": SITE, "industry": SITE, "team_size": f"{SITE}about"})


def scraped_contacts() -> list[Contact]:
    return [
        Contact(name="Jane Doe", title="CEO", source_url=TEAM),
        Contact(name="Tom Berg", title="CTO", email="tom@acme-robotics.com", source_url=TEAM,
                email_status="guessed", confidence=0.5),
    ]


HUNTER_DATA = {
    DOMAIN: {
        "organization": "Acme Robotics", "industry": "Financial Services", "country": "DE",
        "description": "Warehouse robots for mid-size shippers.",
        "emails": [
            email_entry("jane.doe@acme-robotics.com", first="Jane", last="Doe", position="Chief Executive Officer",
                        confidence=97, sources=["https://news.example.org/acme-raises"]),
            email_entry("bob@acme-robotics.com", first="Bob", last="Stone", position="Sales", confidence=62),
            email_entry("info@acme-robotics.com", kind="generic", confidence=91, sources=[f"{SITE}contact"]),
            email_entry("ana@acme-robotics.com", first="Ana", last="Ruiz", confidence=96),
            email_entry("someone@gmail.com", first="Some", last="One", confidence=99, sources=["https://x.org/a"]),
        ],
    }
}


def hunter(api, sleep=None, retries: int = 2, key: str = hunter_fake.API_KEY, verify_max: int = 3) -> HunterEnricher:
    client = ProviderClient("hunter", api.base_url, retries=retries, retry_after_cap=30,
                            secret_params={"api_key": key}, sleep=sleep or RecordedSleep())
    return HunterEnricher(client, found_confidence=90, verify_max=verify_max)


def pdl(api, sleep=None, key: str = pdl_fake.API_KEY) -> PdlEnricher:
    client = ProviderClient("pdl", api.base_url, retries=2, headers={"X-Api-Key": key}, sleep=sleep or RecordedSleep())
    return PdlEnricher(client)


async def test_hunter_domain_search_labels_addresses_by_evidence():
    with hunter_api(HUNTER_DATA) as api:
        enricher = hunter(api, verify_max=0)
        result = await enricher.enrich(scraped_company(), scraped_contacts())
        await enricher.aclose()
    assert result.error is None
    by_email = {c.email: c for c in result.contacts}
    jane = by_email["jane.doe@acme-robotics.com"]
    assert (jane.name, jane.title, jane.email_status) == ("Jane Doe", "CEO", "found")
    assert jane.sources["email"] == "https://news.example.org/acme-raises" and jane.source_url == TEAM
    assert by_email["bob@acme-robotics.com"].email_status == "guessed"
    assert by_email["bob@acme-robotics.com"].confidence == 0.62
    assert by_email["ana@acme-robotics.com"].email_status == "guessed"  # high confidence but never seen
    assert by_email["info@acme-robotics.com"].email_status == "role"
    assert "someone@gmail.com" not in by_email
    company = result.company
    assert company.name == "Acme Robotics" and company.industry == "logistics"
    assert company.country == "Germany" and "country" in result.filled
    assert company.description == "Warehouse robots for mid-size shippers."
    [conflict] = [c for c in result.conflicts if c.field == "industry"]
    assert (conflict.scraped, conflict.scraped_source, conflict.enriched) == ("logistics", SITE, "fintech")
    assert "domain=acme-robotics.com" in conflict.provider_source
    # The key is sent but never stored as a source.
    assert api.calls_to("/v2/domain-search")[0]["api_key"] == hunter_fake.API_KEY
    assert all("api_key" not in s for s in company.sources.values())
    assert all(hunter_fake.API_KEY not in (c.source_url or "") for c in result.contacts)


async def test_hunter_verifier_drops_invalid_and_promotes_seen_addresses():
    verdicts = {
        "tom@acme-robotics.com": {"status": "valid", "score": 97, "sources": [
            {"domain": DOMAIN, "uri": f"{SITE}blog/hello", "extracted_on": "2024-02-01",
             "last_seen_on": "2024-10-01", "still_on_page": True}]},
        "bob@acme-robotics.com": {"status": "invalid", "result": "undeliverable", "score": 0},
        "ana@acme-robotics.com": {"status": "accept_all", "result": "risky", "score": 71},
    }
    with hunter_api(HUNTER_DATA, verdicts) as api:
        enricher = hunter(api, verify_max=3)
        result = await enricher.enrich(scraped_company(), scraped_contacts())
        await enricher.aclose()
    by_name = {c.name: c for c in result.contacts}
    tom = by_name["Tom Berg"]
    assert (tom.email_status, tom.sources["email"], tom.confidence) == ("found", f"{SITE}blog/hello", 0.97)
    assert by_name["Bob Stone"].email is None and by_name["Bob Stone"].email_status is None
    assert (by_name["Ana Ruiz"].email_status, by_name["Ana Ruiz"].confidence) == ("guessed", 0.71)
    assert len(api.calls_to("/v2/email-verifier")) == 3


async def test_rate_limit_honours_retry_after_then_succeeds():
    sleep = RecordedSleep()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search",
                  hunter_fake.hunter_error(429, "too_many_requests", "You have reached the rate limit") [:2] + ({"Retry-After": "7"},))
        enricher = hunter(api, sleep=sleep, verify_max=0)
        result = await enricher.enrich(scraped_company(), [])
        await enricher.aclose()
    assert result.error is None and sleep.waits == [7.0]
    assert len(api.calls_to("/v2/domain-search")) == 2
    assert any(c.email == "jane.doe@acme-robotics.com" for c in result.contacts)


async def test_retries_are_bounded_and_failure_leaves_data_unchanged():
    sleep = RecordedSleep()
    busy = (429, {"errors": [{"id": "too_many_requests", "code": 429, "details": "Slow down"}]}, {"Retry-After": "1"})
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", busy, busy, busy, busy)
        enricher = hunter(api, sleep=sleep, retries=2)
        company, contacts = scraped_company(), scraped_contacts()
        result = await enricher.enrich(company, contacts)
        await enricher.aclose()
    assert len(api.calls_to("/v2/domain-search")) == 3 and sleep.waits == [1.0, 1.0]
    assert result.error and "429" in result.error and "Slow down" in result.error
    assert result.company == company and result.contacts == contacts


async def test_retry_after_beyond_the_cap_gives_up_at_once():
    sleep = RecordedSleep()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", (429, {"errors": [{"id": "too_many_requests", "code": 429,
                                                         "details": "Monthly quota"}]}, {"Retry-After": "86400"}))
        enricher = hunter(api, sleep=sleep)
        result = await enricher.enrich(scraped_company(), [])
        await enricher.aclose()
    assert sleep.waits == [] and len(api.calls_to("/v2/domain-search")) == 1
    assert "Monthly quota" in (result.error or "")


async def test_server_errors_back_off_and_client_errors_do_not_retry():
    sleep = RecordedSleep()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", (503, "<html>upstream down</html>", {}))
        ok = hunter(api, sleep=sleep, verify_max=0)
        assert (await ok.enrich(scraped_company(), [])).error is None
        assert sleep.waits == [1.0]
        bad_key = hunter(api, sleep=sleep, key="wrong")
        result = await bad_key.enrich(scraped_company(), [])
        await ok.aclose()
        await bad_key.aclose()
    assert result.error == "hunter: HTTP 401: Your API key is invalid"
    assert len(api.calls_to("/v2/domain-search")) == 3  # 503 + retry, then one 401 without retries


PDL_RECORD = {
    "name": "acme robotics", "display_name": "Acme Robotics", "size": "11-50", "employee_count": 31,
    "founded": 2019, "industry": "Logistics and Supply Chain",
    "location": {"name": "Berlin, Berlin, Germany", "locality": "Berlin", "region": "Berlin", "country": "Germany"},
    "headline": "Robots that pick, pack and ship.", "summary": "Acme Robotics builds robots. More text.",
    "tags": ["robotics", "warehousing"],
}


async def test_pdl_fills_missing_fields_and_keeps_scraped_ones():
    with pdl_api({DOMAIN: PDL_RECORD}) as api:
        enricher = pdl(api)
        company = scraped_company().model_copy(update={"industry": "ai/ml"})
        result = await enricher.enrich(company, [])
        await enricher.aclose()
    merged = result.company
    assert merged.team_size == 25  # 25 is inside PDL's 11-50 bucket: no conflict either
    assert merged.industry == "ai/ml"
    assert [(c.field, c.scraped, c.enriched) for c in result.conflicts] == [("industry", "ai/ml", "logistics")]
    assert merged.locations == ["Berlin, Berlin, Germany"] and merged.country == "Germany"
    assert merged.description == "Robots that pick, pack and ship."
    assert merged.keywords == ["robotics", "warehousing"]
    assert merged.sources["country"].startswith(api.base_url + "/v5/company/enrich?website=acme-robotics.com")
    assert any(f.claim == "Founded in 2019." for f in merged.facts)
    assert api.calls[0][2]["x-api-key"] == pdl_fake.API_KEY and "api_key" not in api.calls[0][1]


async def test_pdl_no_match_and_error_bodies():
    with pdl_api({}) as api:
        enricher = pdl(api)
        missing = await enricher.enrich(scraped_company(), [])
        api.queue("/v5/company/enrich", pdl_fake.pdl_error(402, "payment_required", "You have hit your account maximum"))
        unpaid = await enricher.enrich(scraped_company(), [])
        wrong = pdl(api, key="nope")
        denied = await wrong.enrich(scraped_company(), [])
        await enricher.aclose()
        await wrong.aclose()
    assert missing.error is None and missing.company == scraped_company()
    assert unpaid.error == "pdl: HTTP 402: You have hit your account maximum"
    assert denied.error == "pdl: HTTP 401: You did not provide a valid API key."


async def test_build_enrichers_from_settings_and_the_lead_hook(settings):
    assert build_enrichers(settings) == []
    with pdl_api({DOMAIN: {**PDL_RECORD, "employee_count": 400, "size": "201-500"}}) as p, hunter_api(HUNTER_DATA) as h:
        configured = settings.model_copy(update={
            "pdl_api_key": pdl_fake.API_KEY, "pdl_base_url": p.base_url,
            "hunter_api_key": hunter_fake.API_KEY, "hunter_base_url": h.base_url, "hunter_verify_max": 0,
        })
        enrichers = build_enrichers(configured)
        assert [e.name for e in enrichers] == ["pdl", "hunter"]
        lead = Lead(url=SITE, company=scraped_company(), contacts=scraped_contacts())
        enriched = await enrich_lead(lead, enrichers)
        failed = Lead(url="https://down.example/", status="error", error="timeout: x")
        assert await enrich_lead(failed, enrichers) is failed
        for e in enrichers:
            await e.aclose()
    company = enriched.company
    assert company is not None and company.team_size == 25
    fields = sorted(c.field for c in company.conflicts)
    # PDL's "Logistics and Supply Chain" maps to the scraped label; Hunter's "Financial Services" does not.
    assert fields == ["industry", "team_size"]
    size = next(c for c in company.conflicts if c.field == "team_size")
    assert (size.scraped, size.scraped_source, size.enriched) == ("25", f"{SITE}about", "400")
    assert any(c.email == "jane.doe@acme-robotics.com" and c.email_status == "found" for c in enriched.contacts)
    assert lead.company.conflicts == []  # the input lead is untouched


@pytest.mark.parametrize("retries", [0, 1])
async def test_network_failure_is_a_provider_error(retries):
    sleep = RecordedSleep()
    client = ProviderClient("hunter", "http://127.0.0.1:9", retries=retries, sleep=sleep)
    enricher = HunterEnricher(client)
    result = await enricher.enrich(scraped_company(), [])
    await enricher.aclose()
    assert result.error == "hunter: request failed: ConnectError"
    assert len(sleep.waits) == retries
