"""JSON calls to third-party data APIs (enrichment and web search): bounded retries when the
provider says "slow down" (429 or its own throttle status) or fails with a 5xx, waiting what its
headers ask, and typed errors that carry the provider's own message."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from core.errors import LeadgenError
from tools.web.http import parse_retry_after

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
# (HTTP status, parsed error body) -> error kind, or None for the kind `kind_for_status` gives.
Classify = Callable[[int, Any], str | None]

# Worth another try after a wait; every other kind fails at once (a retry would get the same answer).
RETRYABLE = frozenset({"rate_limited", "server"})


class ProviderError(LeadgenError):
    """A provider call failed. ``kind``: rate_limited (throttled, retries used up), quota_exhausted
    (plan or credit limit: no retry helps until it resets), auth, not_found, bad_request, server,
    network, bad_response."""

    status = 502
    title = "Data provider failed"

    def __init__(self, detail: str, *, provider: str, kind: str, status: int | None = None) -> None:
        super().__init__(f"{provider}: {detail}")
        self.provider = provider
        self.kind = kind
        self.http_status = status


def kind_for_status(status: int) -> str:
    if status == 429:
        return "rate_limited"
    if status in (401, 403):
        return "auth"
    if status == 402:
        return "quota_exhausted"
    if status == 404:
        return "not_found"
    if status >= 500:
        return "server"
    return "bad_request"


def error_message(body: Any) -> str:
    """The human message inside the error bodies providers send: Hunter ``{"errors": [{"details"}]}``,
    PDL ``{"error": {"message"}}``, Brave ``{"error": {"detail"}}`` (its reference examples also
    show ``{"errors": [{"detail"}]}``), SearXNG ``{"error": "..."}``, or plain text."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("details") or first.get("detail") or first.get("id") or first)
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error.get("detail") or error.get("code") or error)
        if isinstance(error, str):
            return error
        for key in ("message", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
    text = " ".join(str(body).split()) if body else ""
    return text[:200] or "no details"


def _seconds_until(value: str) -> float | None:
    """A reset given as seconds ("30") or as a UTC timestamp ("2022-02-23T20:19:55Z", PDL)."""
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def rate_limit_wait(headers: httpx.Headers) -> float | None:
    """Seconds the provider asks us to wait: ``Retry-After``, else ``X-RateLimit-Reset``.

    Brave sends one reset per window ("1, 1419704": per second, per month) with matching
    ``X-RateLimit-Remaining``; the window that is used up is the one to wait for, so a spent
    monthly quota is not retried every second. PDL sends a single UTC timestamp."""
    wait = parse_retry_after(headers.get("retry-after"))
    if wait is not None or "x-ratelimit-reset" not in headers:
        return wait
    resets = [_seconds_until(v) for v in headers["x-ratelimit-reset"].split(",")]
    remaining = [v.strip() for v in headers.get("x-ratelimit-remaining", "").split(",")]
    if len(remaining) == len(resets):
        spent = [r for r, left in zip(resets, remaining, strict=True) if left == "0" and r is not None]
        if spent:
            return max(spent)
    return resets[0]


class ProviderClient:
    """One provider's API. ``secret_params`` are sent but never appear in errors or sources;
    ``classify`` maps a provider's own status conventions to error kinds (Hunter throttles with
    403, Brave rejects a bad token with 422)."""

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
        classify: Classify | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.retry_after_cap = retry_after_cap
        self.backoff_base = backoff_base
        self.secret_params = dict(secret_params or {})
        self.classify = classify
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
        """(status, parsed body) of a 2xx answer (body None when empty); ProviderError otherwise,
        after bounded retries of throttling and server errors."""
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
                return response.status_code, self._json(response)
            kind, message = self._failure(response)
            delay, note = self._retry_delay(response, kind, attempt)
            if delay is None:
                raise ProviderError(message + note, provider=self.provider, kind=kind,
                                    status=response.status_code)
            log.info("%s answered %s; retrying in %.1fs", self.provider, response.status_code, delay)
            await self.sleep(delay)
        raise AssertionError("unreachable: the last attempt either returns or raises")

    def _json(self, response: httpx.Response) -> Any:
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError("answer is not JSON", provider=self.provider,
                                kind="bad_response", status=response.status_code) from exc

    def _retry_delay(self, response: httpx.Response, kind: str, attempt: int) -> tuple[float | None, str]:
        """(seconds to wait before the next attempt or None to give up, note for the error)."""
        if kind not in RETRYABLE:
            return None, ""
        if attempt >= self.retries:
            return None, f" (gave up after {attempt + 1} attempts)"
        wait = rate_limit_wait(response.headers)
        if wait is None:
            return self.backoff_base * 2**attempt, ""
        if wait > self.retry_after_cap:  # a long ban: give up now, not hang
            return None, f" (asked to wait {wait:.0f}s, more than the {self.retry_after_cap:.0f}s allowed)"
        return wait, ""

    def _failure(self, response: httpx.Response) -> tuple[str, str]:
        """(error kind, "HTTP status: the provider's message") of a non-2xx answer."""
        try:
            body = response.json()
        except ValueError:
            body = response.text
        status = response.status_code
        kind = (self.classify(status, body) if self.classify else None) or kind_for_status(status)
        return kind, f"HTTP {status}: {error_message(body)}"

    async def aclose(self) -> None:
        await self._client.aclose()
