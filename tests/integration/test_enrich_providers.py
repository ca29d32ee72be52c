"""Hunter.io and People Data Labs enrichers against local fake APIs serving their documented shapes:
success, nothing found, a refused key, throttling (retried, then given up), a spent plan, 5xx and
non-JSON answers. A failed provider never changes what was scraped."""

from __future__ import annotations

import asyncio

import pytest

from core.models import Company, Contact, Evidence, Lead
from tests.fixtures.providers import hunter_fake, pdl_fake
from tests.fixtures.providers.hunter_fake import email_entry, hunter_api
from tests.fixtures.providers.pdl_fake import pdl_api
from tools.enrich import build_enrichers, enrich_lead
from tools.enrich.hunter import HunterEnricher, hunter_client
from tools.enrich.pdl import PdlEnricher, pdl_client

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
    },
    "quiet.example": {"organization": "Quiet", "emails": []},
}


def hunter(api, sleep=None, retries: int = 2, key: str = hunter_fake.API_KEY, verify_max: int = 3) -> HunterEnricher:
    client = hunter_client(api.base_url, key, retries=retries, retry_after_cap=30, sleep=sleep or RecordedSleep())
    return HunterEnricher(client, found_confidence=90, verify_max=verify_max)


def pdl(api, sleep=None, key: str = pdl_fake.API_KEY) -> PdlEnricher:
    return PdlEnricher(pdl_client(api.base_url, key, retries=2, sleep=sleep or RecordedSleep()))


async def enrich_once(enricher, company=None, contacts=None):
    try:
        return await enricher.enrich(company or scraped_company(), contacts if contacts is not None else [])
    finally:
        await enricher.aclose()


async def test_hunter_domain_search_labels_addresses_by_evidence():
    with hunter_api(HUNTER_DATA) as api:
        result = await enrich_once(hunter(api, verify_max=0), contacts=scraped_contacts())
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
    # The key travels as the documented api_key parameter but is never stored as a source.
    assert api.calls_to("/v2/domain-search")[0]["api_key"] == hunter_fake.API_KEY
    assert all("api_key" not in s for s in company.sources.values())
    assert all(hunter_fake.API_KEY not in (c.source_url or "") for c in result.contacts)


async def test_hunter_nothing_found_is_no_error_and_adds_no_one():
    company = Company(domain="quiet.example", name="Quiet")
    with hunter_api(HUNTER_DATA) as api:
        result = await enrich_once(hunter(api, verify_max=0), company, scraped_contacts())
    assert result.error is None and result.contacts == scraped_contacts()
    assert result.company.name == "Quiet" and result.conflicts == []


async def test_hunter_verifier_drops_invalid_and_promotes_seen_addresses():
    verdicts = {
        "tom@acme-robotics.com": {"status": "valid", "score": 97, "sources": [
            {"domain": DOMAIN, "uri": f"{SITE}blog/hello", "extracted_on": "2024-02-01",
             "last_seen_on": "2024-10-01", "still_on_page": True}]},
        "bob@acme-robotics.com": {"status": "invalid", "result": "undeliverable", "score": 0},
    }
    with hunter_api(HUNTER_DATA, verdicts, pending={"ana@acme-robotics.com"}) as api:
        result = await enrich_once(hunter(api, verify_max=3), contacts=scraped_contacts())
    by_name = {c.name: c for c in result.contacts}
    tom = by_name["Tom Berg"]
    assert (tom.email_status, tom.sources["email"], tom.confidence) == ("found", f"{SITE}blog/hello", 0.97)
    assert by_name["Bob Stone"].email is None and by_name["Bob Stone"].email_status is None
    ana = by_name["Ana Ruiz"]  # 202: still verifying, so nothing changes
    assert (ana.email, ana.email_status, ana.confidence) == ("ana@acme-robotics.com", "guessed", 0.96)
    assert "email_verification" not in ana.sources
    assert len(api.calls_to("/v2/email-verifier")) == 3


async def test_hunter_refused_key_fails_at_once_and_changes_nothing():
    sleep = RecordedSleep()
    company, contacts = scraped_company(), scraped_contacts()
    with hunter_api(HUNTER_DATA) as api:
        result = await enrich_once(hunter(api, sleep=sleep, key="wrong"), company, contacts)
        assert len(api.calls_to("/v2/domain-search")) == 1
    assert result.error == "hunter: HTTP 401: No user found for the API key supplied"
    assert sleep.waits == [] and result.company == company and result.contacts == contacts


async def test_hunter_throttle_403_backs_off_then_succeeds():
    sleep = RecordedSleep()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", hunter_fake.rate_limited())
        result = await enrich_once(hunter(api, sleep=sleep, verify_max=0))
        assert len(api.calls_to("/v2/domain-search")) == 2
    assert result.error is None and sleep.waits == [1.0]  # no Retry-After is documented: backoff
    assert any(c.email == "jane.doe@acme-robotics.com" for c in result.contacts)


async def test_hunter_throttle_that_outlasts_the_retries_is_a_clear_error_and_loses_nothing():
    sleep = RecordedSleep()
    company, contacts = scraped_company(), scraped_contacts()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", *[hunter_fake.rate_limited()] * 4)
        result = await enrich_once(hunter(api, sleep=sleep, retries=2), company, contacts)
        assert len(api.calls_to("/v2/domain-search")) == 3
    assert sleep.waits == [1.0, 2.0]
    assert result.error == "hunter: HTTP 403: You have reached the rate limit. (gave up after 3 attempts)"
    assert result.company == company and result.contacts == contacts


async def test_hunter_spent_plan_429_is_not_retried():
    sleep = RecordedSleep()
    company, contacts = scraped_company(), scraped_contacts()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", hunter_fake.usage_exhausted())
        result = await enrich_once(hunter(api, sleep=sleep), company, contacts)
        assert len(api.calls_to("/v2/domain-search")) == 1
    assert sleep.waits == [] and "HTTP 429: You have reached your usage limit" in (result.error or "")
    assert result.company == company and result.contacts == contacts


async def test_hunter_spent_verifications_stop_the_remaining_checks():
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/email-verifier", hunter_fake.usage_exhausted())
        result = await enrich_once(hunter(api, verify_max=3), contacts=scraped_contacts())
        assert len(api.calls_to("/v2/email-verifier")) == 1
    assert result.error is None  # the domain search itself succeeded
    tom = next(c for c in result.contacts if c.name == "Tom Berg")
    assert (tom.email, tom.email_status) == ("tom@acme-robotics.com", "guessed")


async def test_hunter_server_errors_back_off_and_non_json_is_an_error():
    sleep = RecordedSleep()
    with hunter_api(HUNTER_DATA) as api:
        api.queue("/v2/domain-search", (503, "<html>upstream down</html>", {"Content-Type": "text/html"}))
        ok = await enrich_once(hunter(api, sleep=sleep, verify_max=0))
        assert ok.error is None and sleep.waits == [1.0]
        api.queue("/v2/domain-search", *[(500, "", {})] * 3)
        down = await enrich_once(hunter(api, sleep=sleep, verify_max=0))
        api.queue("/v2/domain-search", (200, "<html>maintenance</html>", {"Content-Type": "text/html"}))
        garbled = await enrich_once(hunter(api, sleep=sleep, verify_max=0))
    assert down.error == "hunter: HTTP 500: no details (gave up after 3 attempts)"
    assert garbled.error == "hunter: answer is not JSON" and garbled.company == scraped_company()


PDL_RECORD = {
    "name": "acme robotics", "display_name": "Acme Robotics", "size": "11-50", "employee_count": 31,
    "founded": 2019, "industry": "Logistics and Supply Chain",
    "location": {"name": "Berlin, Berlin, Germany", "locality": "Berlin", "region": "Berlin", "country": "Germany"},
    "headline": "Robots that pick, pack and ship.", "summary": "Acme Robotics builds robots. More text.",
    "tags": ["robotics", "warehousing"],
}


async def test_pdl_fills_missing_fields_and_keeps_scraped_ones():
    with pdl_api({DOMAIN: PDL_RECORD}) as api:
        company = scraped_company().model_copy(update={"industry": "ai/ml"})
        result = await enrich_once(pdl(api), company)
        [(_, query, headers)] = api.calls
    merged = result.company
    assert merged.team_size == 25  # 25 is inside PDL's 11-50 bucket: no conflict either
    assert merged.industry == "ai/ml"
    assert [(c.field, c.scraped, c.enriched) for c in result.conflicts] == [("industry", "ai/ml", "logistics")]
    assert merged.locations == ["Berlin, Berlin, Germany"] and merged.country == "Germany"
    assert merged.description == "Robots that pick, pack and ship."
    assert merged.keywords == ["robotics", "warehousing"]
    assert merged.sources["country"].startswith(api.base_url + "/v5/company/enrich?website=acme-robotics.com")
    assert any(f.claim == "Founded in 2019." for f in merged.facts)
    assert headers["x-api-key"] == pdl_fake.API_KEY and "api_key" not in query
    assert query["titlecase"] == "true"  # else PDL answers in lowercase


async def test_pdl_founding_year_that_disagrees_with_the_site_is_kept_with_both_sources():
    about = f"{SITE}about"
    company = scraped_company().model_copy(update={"facts": [Evidence(claim="Acme was founded in 2017.", source_url=about)]})
    with pdl_api({DOMAIN: PDL_RECORD}) as api:
        result = await enrich_once(pdl(api), company)
    [conflict] = [c for c in result.company.conflicts if c.field == "founded"]
    assert (conflict.scraped, conflict.scraped_source, conflict.enriched) == ("Acme was founded in 2017.", about, "2019")
    assert conflict.provider_source.startswith(api.base_url) and conflict in result.conflicts
    assert [f.claim for f in result.company.facts] == ["Acme was founded in 2017."]


async def test_pdl_no_match_refused_key_and_spent_credits():
    sleep = RecordedSleep()
    with pdl_api({DOMAIN: {**PDL_RECORD, "likelihood": 1}}) as api:
        missing = await enrich_once(pdl(api, sleep=sleep))  # below min_likelihood=2: PDL's 404
        api.queue("/v5/company/enrich", pdl_fake.credits_spent())
        unpaid = await enrich_once(pdl(api, sleep=sleep))
        denied = await enrich_once(pdl(api, sleep=sleep, key="nope"))
        assert len(api.calls) == 3
    assert missing.error is None and missing.company == scraped_company()
    assert unpaid.error == "pdl: HTTP 402: You have reached your account maximum (all matches used)"
    assert denied.error == "pdl: HTTP 401: The request contained a missing or invalid key"
    assert sleep.waits == [] and unpaid.company == denied.company == scraped_company()


async def test_pdl_rate_limit_waits_for_the_window_reset_then_succeeds_or_gives_up():
    sleep = RecordedSleep()
    with pdl_api({DOMAIN: PDL_RECORD}) as api:
        api.queue("/v5/company/enrich", pdl_fake.rate_limited(reset_in=2))
        ok = await enrich_once(pdl(api, sleep=sleep))
        assert ok.error is None and ok.company.country == "Germany"
        assert len(sleep.waits) == 1 and 0 < sleep.waits[0] <= 3  # x-ratelimit-reset, a UTC timestamp
        api.queue("/v5/company/enrich", *[pdl_fake.rate_limited(reset_in=1)] * 3)
        exhausted = await enrich_once(pdl(api, sleep=sleep))
    assert exhausted.error == ("pdl: HTTP 429: An error occurred due to requests hitting the API too quick"
                               " (gave up after 3 attempts)")
    assert exhausted.company == scraped_company()


async def test_pdl_server_error_is_retried_and_garbage_is_an_error():
    sleep = RecordedSleep()
    with pdl_api({DOMAIN: PDL_RECORD}) as api:
        api.queue("/v5/company/enrich", (502, "<html>Bad gateway</html>", {"Content-Type": "text/html"}))
        ok = await enrich_once(pdl(api, sleep=sleep))
        api.queue("/v5/company/enrich", (200, '{"status": 200, "name": ', {}))
        garbled = await enrich_once(pdl(api, sleep=sleep))
    assert ok.error is None and sleep.waits == [1.0]
    assert garbled.error == "pdl: answer is not JSON" and garbled.company == scraped_company()


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


async def test_a_failing_provider_is_skipped_and_the_next_one_still_runs(settings):
    with pdl_api({DOMAIN: PDL_RECORD}) as p, hunter_api(HUNTER_DATA) as h:
        p.queue("/v5/company/enrich", pdl_fake.credits_spent())
        enrichers = [pdl(p), hunter(h, verify_max=0)]
        lead = Lead(url=SITE, company=scraped_company(), contacts=scraped_contacts())
        enriched = await enrich_lead(lead, enrichers)
        for e in enrichers:
            await e.aclose()
    assert enriched.company is not None and enriched.company.locations == []  # PDL's data never arrived
    assert any(c.email == "jane.doe@acme-robotics.com" for c in enriched.contacts)  # Hunter's did


@pytest.mark.parametrize("retries", [0, 1])
async def test_network_failure_is_a_provider_error(retries):
    sleep = RecordedSleep()
    enricher = HunterEnricher(hunter_client("http://127.0.0.1:9", "k", retries=retries, sleep=sleep))
    result = await enrich_once(enricher)
    assert result.error == "hunter: request failed: ConnectError"
    assert len(sleep.waits) == retries
