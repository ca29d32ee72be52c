"""JSON calls to third-party data APIs (enrichment and web search): bounded retries on 429
(honouring Retry-After) and 5xx, and typed errors that carry the provider's own message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from core.errors import LeadgenError
from tools.web.http import parse_retry_after

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class ProviderError(LeadgenError):
    """A provider call failed. ``kind``: rate_limited, auth, not_found, bad_request, server,
    network, bad_response."""

    status = 502
    title = "Data provider failed"

    def __init__(self, detail: str, *, provider: str, kind: str, status: int | None = None) -> None:
        super().__init__(f"{provider}: {detail}")
        self.provider = provider
        self.kind = kind
        self.http_status = status


def _kind_for(status: int) -> str:
    if status == 429:
        return "rate_limited"
    if status in (401, 402, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status >= 500:
        return "server"
    return "bad_request"


def error_message(body: Any) -> str:
    """The human message inside the error bodies providers send (Hunter, PDL, Brave, plain)."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):  # Hunter
            first = errors[0]
            return str(first.get("details") or first.get("id") or first)
        error = body.get("error")
        if isinstance(error, dict):  # PDL {"error": {"type", "message"}}, Brave {"error": {"detail"}}
            return str(error.get("message") or error.get("detail") or error.get("code") or error)
        if isinstance(error, str):
            return error
        for key in ("message", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
    return str(body)[:200] if body else "no details"


def _retry_after(response: httpx.Response) -> float | None:
    value = parse_retry_after(response.headers.get("retry-after"))
    if value is None and "x-ratelimit-reset" in response.headers:
        # Brave sends "per-second, per-month" seconds-until-reset instead of Retry-After.
        first = response.headers["x-ratelimit-reset"].split(",")[0].strip()
        value = float(first) if first.replace(".", "", 1).isdigit() else None
    return value


class ProviderClient:
    """One provider's API. ``secret_params`` are sent but never appear in errors or sources."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        timeout: float = 15.0,
        retries: int = 2,
        retry_after_cap: float = 60.0,
        backoff_base: float = 1.0,
        headers: Mapping[str, str] | None = None,
        secret_params: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.retry_after_cap = retry_after_cap
        self.backoff_base = backoff_base
        self.secret_params = dict(secret_params or {})
        self.sleep = sleep
        self.calls = 0
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", **(headers or {})},
            trust_env=False,  # API keys must not travel through an ambient proxy
            follow_redirects=False,
        )

    def public_url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The request URL without secrets: what a fact's source points to."""
        return str(httpx.URL(self.base_url + path, params=dict(params or {})))

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> tuple[int, Any]:
        """(status, parsed body) of a 2xx answer; ProviderError otherwise, after bounded retries."""
        url = self.base_url + path
        query = {**(params or {}), **self.secret_params}
        for attempt in range(self.retries + 1):
            self.calls += 1
            try:
                response = await self._client.get(url, params=query)
            except httpx.HTTPError as exc:
                if attempt < self.retries:
                    await self.sleep(self.backoff_base * 2**attempt)
                    continue
                raise ProviderError(f"request failed: {type(exc).__name__}", provider=self.provider,
                                    kind="network") from exc
            if response.status_code < 300:
                try:
                    return response.status_code, response.json()
                except ValueError as exc:
                    raise ProviderError("answer is not JSON", provider=self.provider,
                                        kind="bad_response", status=response.status_code) from exc
            delay = self._retry_delay(response, attempt)
            if delay is None:
                raise self._error(response)
            log.info("%s answered %s; retrying in %.1fs", self.provider, response.status_code, delay)
            await self.sleep(delay)
        raise AssertionError("unreachable: the last attempt either returns or raises")

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        status = response.status_code
        if attempt >= self.retries or not (status == 429 or status in (500, 502, 503, 504)):
            return None
        wait = _retry_after(response)
        if wait is None:
            return self.backoff_base * 2**attempt
        return wait if wait <= self.retry_after_cap else None  # a long ban: give up now, not hang

    def _error(self, response: httpx.Response) -> ProviderError:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return ProviderError(
            f"HTTP {response.status_code}: {error_message(body)}",
            provider=self.provider, kind=_kind_for(response.status_code), status=response.status_code,
        )

    async def aclose(self) -> None:
        await self._client.aclose()
