"""Renders JavaScript pages in headless Debian chromium (Playwright), with every request the
page makes routed through the SSRF guard and images, fonts and media blocked."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from core.errors import FetchError, LeadgenError, UnsafeURL
from core.settings import Settings
from tools.web.http import build_client, read_capped
from tools.web.netguard import NetGuard
from tools.web.politeness import HostLimiter
from tools.web.types import Page

log = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--single-process",  # renderer, network and storage in the browser process: a third of the memory
    "--no-zygote",  # no zygote processes to fork renderers from (needs --no-sandbox, set above)
    # Memory: the tabs of every site share one renderer process with a small JS heap.
    "--renderer-process-limit=1",
    "--in-process-gpu",  # software compositing in the browser process: one process less
    "--disable-site-isolation-trials",  # (not --disable-features: it would replace Playwright's list)
    "--js-flags=--max-old-space-size=128",
    # Smaller caches, a lighter compositor and V8 memory savers: 100 MB less at peak (bench_research).
    "--enable-low-end-device-mode",
    "--mute-audio",
    "--blink-settings=imagesEnabled=false",
]
# Debian's "old headless shell" is chromium without the browser UI: same Blink and V8, a third of
# the resident memory of the full binary. The full binary is the fallback.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
# The Playwright driver (node) relays every routed request; an unbounded young generation lets it
# grow to 200+ MB over a long run. These caps keep it near its start size (~130 MB).
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1 --max-old-space-size=96"
# Reading text needs no pixels, fonts, sound or styles; skipping them saves requests and memory.
BLOCKED_RESOURCES = frozenset({"image", "font", "media", "stylesheet"})
_DROP_REQUEST_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding",
                                   "proxy-connection", "keep-alive", "transfer-encoding", "upgrade"})
_DROP_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding",
                                    "connection", "keep-alive"})
SETTLE_SECONDS = 0.5  # after DOMContentLoaded, wait at most this long for the DOM to settle
QUIET_SECONDS = 0.1  # settled = no DOM change and no request of the page for this long
PAGE_USES = 20  # a tab is replaced after this many renders, so nothing accumulates in one
# Desktop width, so pages lay out as on a laptop; a short height keeps the compositor's buffers small.
VIEWPORT = {"width": 1024, "height": 600}
# Runs before any page script: remembers when the DOM last changed, for the settle wait.
_MUTATION_PROBE = """(() => {
  window.__leadgenLastMutation = performance.now();
  new MutationObserver(() => { window.__leadgenLastMutation = performance.now(); })
    .observe(document, {childList: true, subtree: true, characterData: true, attributes: true});
})();"""
_QUIET_MS = "() => performance.now() - (window.__leadgenLastMutation || 0)"


def chromium_executable(settings: Settings) -> str:
    """The chromium binary to launch: the configured one, else the first installed candidate."""
    if settings.browser_executable:
        return settings.browser_executable
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return CHROMIUM_CANDIDATES[-1]  # launching it fails with a clear "executable doesn't exist"


def driver_node_options(current: str | None) -> str:
    """NODE_OPTIONS for the Playwright driver: the user's own, plus our heap caps unless they set
    those themselves."""
    current = (current or "").strip()
    ours = [flag for flag in DRIVER_NODE_OPTIONS.split() if flag.split("=", 1)[0] not in current]
    return " ".join([current, *ours]).strip()


async def start_playwright() -> Any:
    """Starts the Playwright driver with its memory capped (NODE_OPTIONS is read at its start only)."""
    from playwright.async_api import async_playwright

    saved = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = driver_node_options(saved)
    try:
        return await async_playwright().start()
    finally:
        if saved is None:
            os.environ.pop("NODE_OPTIONS", None)
        else:
            os.environ["NODE_OPTIONS"] = saved


@dataclass
class _Navigation:
    redirect_to: str | None = None
    document_url: str | None = None  # served from ``document`` instead of the network, once
    document: Page | None = None
    inflight: int = 0  # requests of the page being forwarded right now
    last_activity: float = 0.0  # loop time a request of the page last started or ended


@dataclass
class _Tab:
    """A browser tab reused across renders (opening a tab costs chromium more than a render);
    ``nav`` is the state of the render it is doing now."""

    page: Any
    cdp: Any  # the tab's DevTools session: pauses scripts while the tab waits for its next render
    nav: _Navigation = field(default_factory=_Navigation)
    uses: int = 0


def _same_document(url: str, document_url: str | None) -> bool:
    """``url`` as chromium requests it names the page fetched as ``document_url`` (no fragment,
    an empty path is "/")."""
    if document_url is None:
        return False
    a, b = urlsplit(url), urlsplit(document_url)
    return (a.scheme, a.netloc.lower(), a.path or "/", a.query) == (b.scheme, b.netloc.lower(), b.path or "/", b.query)


async def _refuse_websocket(ws: Any) -> None:
    await ws.close(code=1008, reason="websockets are not used for page reading")


class BrowserFetcher:
    def __init__(
        self, settings: Settings, *, guard: NetGuard | None = None, limiter: HostLimiter | None = None
    ) -> None:
        self.settings = settings
        self.guard = guard or NetGuard(settings.allow_private_hosts, proxied=bool(settings.http_proxy))
        self.limiter = limiter  # applied to page documents; sub-resources load like a browser's
        self._tabs = settings.browser_tabs  # tabs rendering at once
        self._open_pages = asyncio.Semaphore(self._tabs)
        self.blocked_urls: list[str] = []  # sub-requests the guard refused, for logs and tests
        self.pages = 0
        self.documents_reused = 0  # renders that used the HTML already fetched over HTTP
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._idle: list[_Tab] = []
        self._start_lock = asyncio.Lock()
        self._renders_since_launch = 0
        self._relaunching = False
        self._client = build_client(settings, self.guard)

    async def _ensure_browser(self) -> Any:
        async with self._start_lock:
            if self._browser is None or not self._browser.is_connected():
                launch: dict[str, Any] = {
                    "executable_path": chromium_executable(self.settings),
                    "args": CHROMIUM_ARGS,
                    "headless": True,
                }
                if self.settings.http_proxy:
                    launch["proxy"] = {"server": self.settings.http_proxy}
                self._context, self._idle = None, []
                if self._playwright is None:
                    self._playwright = await start_playwright()
                try:
                    self._browser = await self._playwright.chromium.launch(**launch)
                except Exception:  # a dead driver raises a bare Exception ("Connection closed")
                    if not os.access(launch["executable_path"], os.X_OK):
                        raise
                    # The binary is there, so the driver itself may have died (killed, out of
                    # memory): start a new one and try once more.
                    log.warning("chromium launch failed; restarting the Playwright driver")
                    await self._stop_driver()
                    self._playwright = await start_playwright()
                    self._browser = await self._playwright.chromium.launch(**launch)
            return self._browser

    async def _stop_driver(self) -> None:
        playwright, self._playwright = self._playwright, None
        if playwright is not None:
            try:
                await playwright.stop()
            except Exception as exc:  # noqa: BLE001 - a dead driver cannot be stopped cleanly
                log.debug("stopping the Playwright driver: %s", exc)

    async def _take_tab(self) -> _Tab:
        browser = await self._ensure_browser()
        async with self._start_lock:
            if self._idle:
                tab = self._idle.pop()
                await tab.cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
                return tab
            if self._context is None:
                context = await browser.new_context(
                    user_agent=self.settings.user_agent,
                    service_workers="block",  # service workers would bypass page.route
                    accept_downloads=False,
                    viewport=VIEWPORT,
                )
                await context.add_init_script(_MUTATION_PROBE)
                await context.route_web_socket("**/*", _refuse_websocket)
                self._context = context
            page = await self._context.new_page()
        tab = _Tab(page, await self._context.new_cdp_session(page))
        page.set_default_timeout(self.settings.fetch_timeout * 1000)
        await page.route("**/*", lambda route: self._route(route, tab.nav))
        return tab

    async def _give_back(self, tab: _Tab, healthy: bool) -> None:
        """Keeps the tab for the next render with the site's scripts paused (cheaper than
        navigating it away), or closes it."""
        from playwright.async_api import Error as PlaywrightError

        tab.uses += 1
        tab.nav = _Navigation()
        try:
            if healthy and tab.uses < PAGE_USES and self._browser is not None and not tab.page.is_closed():
                await tab.cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
                self._idle.append(tab)
            else:
                await tab.page.close()
        except PlaywrightError:
            pass  # the browser went away; the next render starts a new one

    async def _route(self, route: Any, nav: _Navigation) -> None:
        """Performs every request of the page itself, hop by hop, with the product's httpx client:
        chromium follows redirects without routing them, so it must never follow one itself."""
        request = route.request
        if request.resource_type in BLOCKED_RESOURCES:
            await route.abort("blockedbyclient")
            return
        url = request.url
        if not url.startswith(("http:", "https:")):
            await route.continue_()  # data:, blob: and about: never touch the network
            return
        main_frame = request.is_navigation_request() and request.frame.parent_frame is None
        if main_frame and nav.document is not None and _same_document(url, nav.document_url):
            document, nav.document = nav.document, None
            self.documents_reused += 1
            headers = {k: v for k, v in document.headers.items() if k not in _DROP_RESPONSE_HEADERS}
            headers["content-type"] = "text/html; charset=utf-8"
            await route.fulfill(status=document.status, headers=headers, body=document.html.encode("utf-8"))
            return
        loop = asyncio.get_running_loop()
        nav.inflight += 1
        nav.last_activity = loop.time()
        try:
            await self._forward_route(route, nav, url, main_frame)
        finally:
            nav.inflight -= 1
            nav.last_activity = loop.time()

    async def _forward_route(self, route: Any, nav: _Navigation, url: str, main_frame: bool) -> None:
        request = route.request
        method, body = request.method, request.post_data_buffer
        headers = {k: v for k, v in (await request.all_headers()).items()
                   if k.lower() not in _DROP_REQUEST_HEADERS and not k.startswith(":")}
        for _hop in range(self.settings.fetch_max_redirects + 1):
            try:
                await self.guard.check(url)
            except LeadgenError as exc:
                self.blocked_urls.append(url)
                log.info("browser request refused: %s (%s)", url, exc)
                await route.abort("blockedbyclient")
                return
            try:
                if main_frame and self.limiter is not None:
                    async with self.limiter.slot(urlsplit(url).hostname or ""):
                        status, reply_headers, content = await self._forward(method, url, headers, body)
                else:
                    status, reply_headers, content = await self._forward(method, url, headers, body)
            except (FetchError, httpx.HTTPError, TimeoutError) as exc:
                log.info("browser sub-request failed: %s (%s)", url, exc)
                await route.abort("failed")
                return
            location = reply_headers.get("location")
            if not (300 <= status < 400 and location):
                await route.fulfill(status=status, headers=reply_headers, body=content)
                return
            url = urljoin(url, location)
            if status in (301, 302, 303):
                method, body = "GET", None
            if main_frame:  # let the page navigate to the new URL itself, so its base URL is right
                nav.redirect_to = url
                await route.abort("aborted")
                return
        await route.abort("failed")

    async def _forward(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        async with asyncio.timeout(self.settings.fetch_timeout):
            request = self._client.build_request(method, url, headers=headers, content=body)
            response = await self._client.send(request, stream=True)
            try:
                content = await read_capped(response, self.settings.fetch_max_bytes, False, url)
            finally:
                await response.aclose()
        reply: dict[str, str] = {}
        for key, value in response.headers.multi_items():
            key = key.lower()
            if key in _DROP_RESPONSE_HEADERS:
                continue  # the body is already decoded and complete
            joiner = "\n" if key == "set-cookie" else ", "
            reply[key] = f"{reply[key]}{joiner}{value}" if key in reply else value
        return response.status_code, reply, content

    async def fetch(self, url: str, *, render: bool | None = True, document: Page | None = None) -> Page:
        """Renders ``url``. ``document``: that page as already fetched over HTTP (same URL); chromium
        gets it instead of requesting it again, and runs its scripts and sub-requests as usual."""
        from playwright.async_api import Error as PlaywrightError

        await self.guard.check(url)
        if self._renders_since_launch >= self.settings.browser_relaunch_after and not self._relaunching:
            await self._retire_browser()
        try:
            async with self._open_pages, asyncio.timeout(self.settings.fetch_timeout + SETTLE_SECONDS + 5):
                return await self._render(url, document)
        except TimeoutError as exc:
            raise FetchError(f"browser timed out on {url}", kind="timeout", url=url) from exc
        except PlaywrightError as exc:  # launch failures, crashed browser, closed context
            # (TargetClosedError is not exported by playwright.async_api, hence the name test)
            if type(exc).__name__ == "TargetClosedError" and not self._relaunching:
                # chromium crashed or the driver died (``is_connected`` still says yes then): drop
                # this browser; the next render launches a new one, with a new driver if need be.
                log.warning("chromium went away during a render (%s); it will be relaunched", exc)
                await self._retire_browser()
            raise FetchError(f"browser failed on {url}: {exc}", kind="browser", url=url) from exc

    async def _retire_browser(self) -> None:
        """Waits for the renders under way, then closes the browser; the next render launches a
        new one (the Playwright driver stays)."""
        from playwright.async_api import Error as PlaywrightError

        self._relaunching = True
        try:
            for _ in range(self._tabs):
                await self._open_pages.acquire()
            try:
                async with self._start_lock:
                    browser, self._browser = self._browser, None
                    self._context, self._idle = None, []
                    self._renders_since_launch = 0
                if browser is not None:
                    try:
                        await browser.close()
                    except PlaywrightError:
                        pass  # already gone
            finally:
                for _ in range(self._tabs):
                    self._open_pages.release()
        finally:
            self._relaunching = False

    async def _render(self, url: str, document: Page | None) -> Page:
        self._renders_since_launch += 1
        tab = await self._take_tab()
        healthy = False
        try:
            nav = tab.nav = _Navigation(document_url=url if document is not None else None, document=document)
            page = tab.page
            response = await self._navigate(page, url, nav)
            await self._settle(page, nav)
            status = response.status if response is not None else 200
            healthy = True
            if status >= 400:
                raise FetchError(f"HTTP {status} from {url}", kind=f"http_{status}", url=url)
            html = await page.content()
            if len(html.encode("utf-8")) > self.settings.fetch_max_bytes:
                raise FetchError("rendered DOM exceeds the size cap", kind="too_large", url=url)
            self.pages += 1
            headers = await response.all_headers() if response is not None else {}
            return Page(
                url=url,
                final_url=page.url,
                status=status,
                html=html,
                content_type="text/html",
                fetched_with="browser",
                headers={k.lower(): v for k, v in headers.items()},
            )
        finally:
            await self._give_back(tab, healthy)

    async def _settle(self, page: Any, nav: _Navigation) -> None:
        """Waits, at most SETTLE_SECONDS, until neither the DOM nor the page's requests have changed
        for QUIET_SECONDS: scripts that fill the page from data they fetch get to finish."""
        from playwright.async_api import Error as PlaywrightError

        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while True:
            try:
                dom_quiet = float(await page.evaluate(_QUIET_MS)) / 1000
            except (PlaywrightError, TypeError, ValueError):
                return  # navigating away or a hostile page: the DOM we have is what we read
            now = loop.time()
            net_quiet = QUIET_SECONDS if nav.inflight == 0 and now - nav.last_activity >= QUIET_SECONDS else 0.0
            if (dom_quiet >= QUIET_SECONDS and net_quiet) or now >= deadline:
                return
            wait = QUIET_SECONDS - min(dom_quiet, QUIET_SECONDS) if net_quiet else QUIET_SECONDS / 2
            await asyncio.sleep(max(0.01, min(wait, deadline - now)))

    async def _navigate(self, page: Any, url: str, nav: _Navigation) -> Any:
        from playwright.async_api import Error as PlaywrightError

        target = url
        for _hop in range(self.settings.fetch_max_redirects + 1):
            nav.redirect_to = None
            try:
                return await page.goto(target, wait_until="domcontentloaded",
                                       timeout=self.settings.fetch_timeout * 1000)
            except PlaywrightError as exc:
                if nav.redirect_to is not None:
                    target = nav.redirect_to
                    continue
                if target in self.blocked_urls:
                    raise UnsafeURL(f"browser refused {target}", url=url) from exc
                kind = "timeout" if "Timeout" in str(exc) else "browser"
                raise FetchError(f"browser could not load {url}: {exc}", kind=kind, url=url) from exc
        raise FetchError("too many redirects in the browser", kind="too_many_redirects", url=url)

    async def aclose(self) -> None:
        await self._client.aclose()
        browser, self._browser = self._browser, None
        self._context, self._idle = None, []
        if browser is not None:
            try:
                await browser.close()
            except Exception as exc:  # noqa: BLE001 - crashed browser or driver: nothing left to close
                log.debug("closing chromium: %s", exc)
        await self._stop_driver()
