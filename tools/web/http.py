"""Plain HTTP fetching with httpx: guarded manual redirects, a byte cap, a hard deadline per
request (body included), and retries with backoff on transient failures only."""

from __future__ import annotations

import asyncio
import email.utils
import random
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from core.errors import FetchError
from core.settings import Settings
from tools.web.content_encoding import ACCEPT_ENCODING, body_decoder
from tools.web.netguard import GuardedNetworkBackend, NetGuard
from tools.web.politeness import HostLimiter
from tools.web.types import Page

HopCheck = Callable[[str], Awaitable[None]]
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
RETRYABLE_KINDS = frozenset({"timeout", "connect", "network", "http_429", "http_502", "http_503", "http_504"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class HttpStatusError(FetchError):
    """A non-success status; ``retry_after`` carries the server's Retry-After in seconds."""

    def __init__(self, status: int, url: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} from {url}", kind=f"http_{status}", url=url)
        self.status = status
        self.retry_after = retry_after


@dataclass
class RawResponse:
    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        header = re.search(r"charset=[\"']?([\w.:-]+)", self.headers.get("content-type", ""), re.I)
        meta = _META_CHARSET.search(self.body[:4096])
        charset = header.group(1) if header else (meta.group(1).decode() if meta else "utf-8")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def build_client(settings: Settings, guard: NetGuard) -> httpx.AsyncClient:
    """One pooled client: proxy from settings, no automatic redirects, connect-time SSRF check."""
    limits = httpx.Limits(
        max_connections=settings.global_concurrency,
        max_keepalive_connections=min(20, settings.global_concurrency),
    )
    transport = httpx.AsyncHTTPTransport(proxy=settings.http_proxy, limits=limits, retries=0)
    if not settings.http_proxy:  # with a proxy the connection goes to the proxy itself
        transport._pool._network_backend = GuardedNetworkBackend(guard)
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        timeout=httpx.Timeout(settings.fetch_timeout),
        trust_env=False,
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            # Not httpx's default (which adds zstd): only codings read_capped decodes with a bound.
            "Accept-Encoding": ACCEPT_ENCODING,
        },
    )


class HttpFetcher:
    def __init__(
        self,
        settings: Settings,
        *,
        guard: NetGuard | None = None,
        limiter: HostLimiter | None = None,
        backoff_base: float = 0.5,
        retry_after_cap: float = 30.0,
    ) -> None:
        self.settings = settings
        self.guard = guard or NetGuard(settings.allow_private_hosts, proxied=bool(settings.http_proxy))
        self.limiter = limiter or HostLimiter(
            settings.per_host_concurrency, settings.per_host_delay, settings.global_concurrency
        )
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        self.requests = 0
        self._client = build_client(settings, self.guard)

    async def fetch(self, url: str, *, hop_check: HopCheck | None = None) -> Page:
        """An HTML page; ``hop_check`` (robots) runs for the URL and every redirect target."""
        raw = await self.follow(url, hop_check=hop_check, html_only=True)
        return Page(
            url=url,
            final_url=raw.url,
            status=raw.status,
            html=raw.text(),
            content_type=raw.media_type or "text/html",
            fetched_with="httpx",
            headers=raw.headers,
        )

    async def fetch_text(
        self,
        url: str,
        *,
        hop_check: HopCheck | None = None,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> str:
        """Any text body (robots.txt, sitemap.xml); ``truncate`` keeps the first ``max_bytes``."""
        raw = await self.follow(url, hop_check=hop_check, html_only=False, max_bytes=max_bytes, truncate=truncate)
        return raw.text()

    async def follow(
        self,
        url: str,
        *,
        hop_check: HopCheck | None = None,
        html_only: bool = True,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> RawResponse:
        current = url
        for _hop in range(self.settings.fetch_max_redirects + 1):
            await self._check_address(current)
            if hop_check is not None:
                await hop_check(current)
            raw = await self._with_retries(current, html_only, max_bytes or self.settings.fetch_max_bytes, truncate)
            if raw.location is None:
                return raw
            current = raw.location
        raise FetchError(
            f"more than {self.settings.fetch_max_redirects} redirects", kind="too_many_redirects", url=url
        )

    async def _check_address(self, url: str) -> None:
        # The name lookup happens before the request's own deadline starts, so it gets one too.
        try:
            async with asyncio.timeout(self.settings.fetch_timeout):
                await self.guard.check(url)
        except TimeoutError as exc:
            raise FetchError(f"name lookup took over {self.settings.fetch_timeout}s", kind="dns", url=url) from exc

    async def _with_retries(self, url: str, html_only: bool, max_bytes: int, truncate: bool) -> RawResponse:
        retries = max(0, self.settings.fetch_retries)
        for attempt in range(retries + 1):
            try:
                return await self._attempt(url, html_only, max_bytes, truncate)
            except FetchError as exc:
                if exc.kind not in RETRYABLE_KINDS or attempt >= retries:
                    raise
                retry_after = getattr(exc, "retry_after", None)
                if retry_after is not None and retry_after > self.retry_after_cap:
                    # Retrying sooner than the site asked is impolite; waiting longer is unbounded.
                    wait = f"asked to wait {retry_after:.0f}s, more than the {self.retry_after_cap:.0f}s allowed"
                    raise FetchError(f"{exc.detail} ({wait})", kind=exc.kind, url=exc.url) from exc
                await asyncio.sleep(self._backoff(attempt, retry_after))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.backoff_base * 2**attempt + random.uniform(0, self.backoff_base)

    async def _attempt(self, url: str, html_only: bool, max_bytes: int, truncate: bool) -> RawResponse:
        async with self.limiter.slot(urlsplit(url).hostname or ""):
            self.requests += 1
            try:
                async with asyncio.timeout(self.settings.fetch_timeout):
                    return await self._exchange(url, html_only, max_bytes, truncate)
            except (TimeoutError, httpx.TimeoutException) as exc:
                raise FetchError(f"timed out after {self.settings.fetch_timeout}s", kind="timeout", url=url) from exc
            except httpx.ProxyError as exc:
                raise FetchError(f"proxy error: {exc}", kind="proxy", url=url) from exc
            except httpx.ConnectError as exc:
                raise FetchError(f"cannot connect: {exc}", kind="connect", url=url) from exc
            except httpx.RemoteProtocolError as exc:
                # httpx parses a redirect's Location itself and raises this (``from None``) for a bad one
                if isinstance(exc.__context__, httpx.InvalidURL):
                    raise FetchError(f"redirect to an invalid URL: {exc}", kind="invalid_url", url=url) from exc
                raise FetchError(f"connection broke: {exc}", kind="network", url=url) from exc
            except (httpx.ReadError, httpx.WriteError) as exc:
                raise FetchError(f"connection broke: {exc}", kind="network", url=url) from exc
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise FetchError(f"invalid URL: {exc}", kind="invalid_url", url=url) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP error: {exc}", kind="http_error", url=url) from exc

    async def _exchange(self, url: str, html_only: bool, max_bytes: int, truncate: bool) -> RawResponse:
        response = await self._client.send(self._client.build_request("GET", url), stream=True)
        try:
            headers = {k.lower(): v for k, v in response.headers.items()}
            status = response.status_code
            if 300 <= status < 400 and "location" in headers:
                return RawResponse(url, status, headers=headers, location=urljoin(url, headers["location"]))
            if status >= 400 or status < 200:
                raise HttpStatusError(status, url, parse_retry_after(headers.get("retry-after")))
            raw = RawResponse(url, status, headers=headers)
            if html_only and raw.media_type and raw.media_type not in HTML_TYPES:
                raise FetchError(f"content type {raw.media_type} is not HTML", kind="not_html", url=url)
            declared = headers.get("content-length", "")
            if not truncate and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"body of {declared} bytes exceeds {max_bytes}", kind="too_large", url=url)
            raw.body = await read_capped(response, max_bytes, truncate, url)
            if html_only and not raw.media_type and not raw.body.lstrip()[:1] == b"<":
                raise FetchError("body without content type does not look like HTML", kind="not_html", url=url)
            return raw
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()


async def read_capped(response: httpx.Response, max_bytes: int, truncate: bool, url: str) -> bytes:
    """Reads at most ``max_bytes`` decoded bytes (and as many on the wire). Decoding is ours, not
    httpx's, because httpx inflates a whole network chunk at once: 64 KiB of a gzip or zstd bomb
    can become gigabytes in memory before any cap is looked at."""
    decode = body_decoder(response.headers.get("content-encoding", ""), url)
    chunks: list[bytes] = []
    size = wire = 0
    try:
        async for raw in response.aiter_raw():
            wire += len(raw)
            for piece in decode(raw):
                size += len(piece)
                if size > max_bytes:
                    if truncate:
                        chunks.append(piece[: len(piece) - (size - max_bytes)])
                        return b"".join(chunks)
                    raise FetchError(f"body exceeds {max_bytes} bytes", kind="too_large", url=url)
                chunks.append(piece)
            if wire > max_bytes:  # compressed data that decodes to little: padding, not a page
                if truncate:
                    break
                raise FetchError(f"body exceeds {max_bytes} bytes on the wire", kind="too_large", url=url)
    except zlib.error as exc:
        raise FetchError(f"cannot decode the body: {exc}", kind="decoding", url=url) from exc
    return b"".join(chunks)
