"""Hunter.io: domain search (addresses seen on the web, with their sources) and the e-mail verifier.

Verified against https://hunter.io/api-documentation/v2: ``GET /v2/domain-search?domain=&limit=``,
``GET /v2/email-verifier?email=``, key as ``api_key`` query parameter (``X-API-KEY`` and Bearer are
also accepted); ``{"data", "meta"}`` answers; errors ``{"errors": [{"id", "code", "details"}]}``
(its example: ``wrong_params``, 400, "You are missing the domain parameter"). Its status table:
202 = verification still running, 222 = verification failed at the remote SMTP server, 401 = no
valid key, 403 = "You have reached the rate limit" (retried with backoff), 429 = "You have reached
your usage limit" (the plan is spent: not retried). The ``data`` field names (organization,
industry, country, description, emails[].value/type/confidence/first_name/last_name/position/
verification.status/sources[].uri/still_on_page; verifier status valid|invalid|accept_all|webmail|
disposable|unknown, score 0-100) were not in the part of that page we could read: checked against
api-evangelist/hunter-io ``openapi/_original/hunter-domain-search-api-openapi.yml`` and
``json-schema/hunter-verification-schema.json`` (third-party), consistent with VonStruddle/PyHunter
``pyhunter/pyhunter.py``. The 401 body ``authentication_failed`` / "No user found for the API key
supplied" is as seen in several public client tests. Unverified: the ``id`` of 403/429 bodies, the
body of 202/222, and any Retry-After header (none documented, so throttling backs off exponentially).
"""

from __future__ import annotations

from typing import Any, Literal

from core.models import Company, Contact
from tools.enrich.merge import merge_company, merge_contacts
from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.enrich.types import EnrichmentResult
from tools.extract.domains import email_on_domain
from tools.extract.geo import country_of
from tools.extract.industry import match_industry


def _seen_at(entry: dict[str, Any]) -> str | None:
    """The first public page the provider saw the address on (one still online preferred)."""
    sources = [s for s in entry.get("sources") or [] if isinstance(s, dict) and s.get("uri")]
    live = [s for s in sources if s.get("still_on_page") is not False]
    chosen = (live or sources)[:1]
    return str(chosen[0]["uri"]) if chosen else None


def contact_from_entry(entry: dict[str, Any], query_url: str, found_confidence: int) -> Contact | None:
    """One domain-search address as a Contact: ``found`` only when Hunter saw it on a public page
    with high confidence, ``role`` for a seen generic inbox, else ``guessed`` with its confidence."""
    email = str(entry.get("value") or "").strip().lower()
    if "@" not in email or (entry.get("verification") or {}).get("status") == "invalid":
        return None
    confidence = max(0, min(100, int(entry.get("confidence") or 0)))
    seen_at = _seen_at(entry)
    status: Literal["found", "role", "guessed"]
    if entry.get("type") == "generic":
        status = "role" if seen_at else "guessed"
    else:
        status = "found" if seen_at and confidence >= found_confidence else "guessed"
    name = " ".join(p for p in (entry.get("first_name"), entry.get("last_name")) if p) or None
    source = seen_at or query_url
    return Contact(
        name=name, title=entry.get("position") or None, email=email, source_url=source,
        email_status=status, confidence=confidence / 100, sources={"email": source},
    )


def company_offer(data: dict[str, Any]) -> dict[str, Any]:
    industry = data.get("industry")
    country = data.get("country")
    return {
        "name": data.get("organization") or None,
        "description": data.get("description") or None,
        "industry": (match_industry(industry) or industry) if industry else None,
        "country": country_of(country, allow_code=True) if country else None,
    }


def hunter_error_kind(status: int, body: object) -> str | None:
    """Hunter's own status meanings: 403 is its throttle, 429 a spent plan."""
    return {403: "rate_limited", 429: "quota_exhausted"}.get(status)


def hunter_client(base_url: str, api_key: str, **options: Any) -> ProviderClient:
    """The Hunter API as documented: key as ``api_key`` query parameter (kept out of sources)."""
    return ProviderClient("hunter", base_url, secret_params={"api_key": api_key},
                          classify=hunter_error_kind, **options)


class HunterEnricher:
    name = "hunter"

    def __init__(self, client: ProviderClient, *, found_confidence: int = 90, verify_max: int = 3,
                 limit: int = 10) -> None:
        self.client = client
        self.found_confidence = found_confidence
        self.verify_max = verify_max
        self.limit = limit

    async def enrich(self, company: Company, contacts: list[Contact]) -> EnrichmentResult:
        params = {"domain": company.domain, "limit": self.limit}
        query_url = self.client.public_url("/v2/domain-search", params)
        try:
            _, body = await self.client.get_json("/v2/domain-search", params)
        except ProviderError as exc:
            if exc.kind == "not_found":
                return EnrichmentResult(self.name, company, contacts)
            return EnrichmentResult(self.name, company, contacts, error=exc.detail)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return EnrichmentResult(self.name, company, contacts, error="hunter: answer has no data")
        merged, filled, conflicts = merge_company(company, company_offer(data), query_url)
        offered = [c for e in data.get("emails") or [] if isinstance(e, dict)
                   if (c := contact_from_entry(e, query_url, self.found_confidence))]
        people, _, contact_conflicts = merge_contacts(contacts, offered, company.domain, query_url)
        people = await self.verify_guesses(people, company.domain)
        merged.conflicts.extend(c for c in contact_conflicts if c not in merged.conflicts)
        return EnrichmentResult(self.name, merged, people, filled, conflicts + contact_conflicts)

    async def verify_guesses(self, contacts: list[Contact], domain: str) -> list[Contact]:
        """Check up to ``verify_max`` guessed addresses: an invalid one is removed, a valid one that
        Hunter has seen on a public page becomes ``found``. A failed check changes nothing; a spent
        verification quota or a refused key ends the checks (every further one would fail alike)."""
        out: list[Contact] = []
        budget = self.verify_max
        for contact in contacts:
            if budget <= 0 or contact.email_status != "guessed" or not contact.email:
                out.append(contact)
                continue
            budget -= 1
            try:
                out.extend(await self._verify(contact, domain))
            except ProviderError as exc:
                out.append(contact)
                if exc.kind in ("quota_exhausted", "auth"):
                    budget = 0
        return out

    async def _verify(self, contact: Contact, domain: str) -> list[Contact]:
        params = {"email": contact.email}
        url = self.client.public_url("/v2/email-verifier", params)
        status_code, body = await self.client.get_json("/v2/email-verifier", params)
        data = body.get("data") if isinstance(body, dict) else None
        if status_code in (202, 222) or not isinstance(data, dict):  # still checking / SMTP check failed
            return [contact]
        checked = contact.model_copy(deep=True)
        checked.sources["email_verification"] = url
        verdict = data.get("status")
        score = data.get("score")
        if verdict == "invalid":
            checked.email = checked.email_status = checked.confidence = None
            return [checked] if checked.name else []
        if isinstance(score, int | float):
            checked.confidence = max(0.0, min(1.0, score / 100))
        seen_at = _seen_at(data)
        if (verdict == "valid" and seen_at and isinstance(score, int | float)
                and score >= self.found_confidence and email_on_domain(checked.email or "", domain)):
            checked.email_status = "found"
            checked.sources["email"] = seen_at
            checked.source_url = checked.source_url or seen_at
        return [checked]

    async def aclose(self) -> None:
        await self.client.aclose()
