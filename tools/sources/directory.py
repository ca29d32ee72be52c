"""Directory crawl: company sites linked from a listing page and its pagination (rel=next, "Next",
?page=N, /page/N), fetched through the polite and guarded `Fetcher`, each registrable domain once."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from core.errors import FetchError
from tools.extract.domains import registrable_domain, same_site
from tools.sources.company_sites import non_company_reason, site_root
from tools.sources.types import DiscoveredCompany
from tools.web.types import Fetcher

log = logging.getLogger(__name__)

PAGE_PARAMS = frozenset({"page", "p", "pg", "paged", "pagenum", "page_number", "seite"})
_PAGE_PATH = re.compile(r"/(?:page|seite|p)/\d+/?$", re.I)
_NEXT_WORDS = re.compile(
    r"^(?:next(?:\s+page)?|more|load more|older(?:\s+entries|\s+posts)?|weiter|nächste(?:\s+seite)?|suivant(?:e)?"
    r"|siguiente|volgende|[›»→>]+)(?:\s*[›»→>]+)?$",
    re.I,
)
_GENERIC_TEXT = frozenset({
    "visit", "visit website", "visit site", "website", "web site", "homepage", "home page", "site",
    "link", "more", "learn more", "read more", "details", "view", "view website", "open", "go", "www",
})
_SKIP_EXT = re.compile(r"\.(pdf|png|jpe?g|gif|svg|webp|zip|mp4|mp3|css|js|ico|xml|json|txt)$", re.I)


def listing_key(url: str) -> tuple[str, str, str]:
    """The listing a page belongs to: host, path and query without the page number."""
    parts = urlsplit(url)
    path = _PAGE_PATH.sub("", parts.path).rstrip("/") or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if k.lower() not in PAGE_PARAMS))
    return (parts.netloc.lower(), path, query)


def _has_page_number(url: str) -> bool:
    parts = urlsplit(url)
    return bool(_PAGE_PATH.search(parts.path)) or any(
        k.lower() in PAGE_PARAMS and v.isdigit() for k, v in parse_qsl(parts.query)
    )


def _anchors(tree: LexborHTMLParser, base: str) -> Iterator[tuple[str, LexborNode]]:
    for node in tree.css("a[href], link[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        url = urldefrag(urljoin(base, href))[0]
        if urlsplit(url).scheme in ("http", "https") and not _SKIP_EXT.search(urlsplit(url).path):
            yield url, node


def _rel(node: LexborNode) -> set[str]:
    return set((node.attributes.get("rel") or "").lower().split())


def _base(tree: LexborHTMLParser, page_url: str) -> str:
    tag = tree.css_first("base[href]")
    return urljoin(page_url, tag.attributes.get("href") or "") if tag else page_url


def next_pages(page_url: str, html: str, listing_url: str) -> list[str]:
    """Pagination links of one listing page that stay on the same listing, rel=next first."""
    tree = LexborHTMLParser(html or "")
    key = listing_key(listing_url)
    ranked: list[tuple[int, str]] = []
    for url, node in _anchors(tree, _base(tree, page_url)):
        if not same_site(url, listing_url) or listing_key(url) != key:
            continue
        label = " ".join(((node.text(deep=True) or "") + " " + (node.attributes.get("aria-label") or "")).split())
        if "next" in _rel(node):
            ranked.append((0, url))
        elif _NEXT_WORDS.match(label) or label.lower().startswith("next "):
            ranked.append((1, url))
        elif _has_page_number(url):
            ranked.append((2, url))
    out: list[str] = []
    for _, url in sorted(ranked, key=lambda r: r[0]):
        if url not in out:
            out.append(url)
    return out


def _company_name(node: LexborNode) -> str | None:
    text = " ".join((node.text(deep=True) or "").split())
    if not text:
        img = node.css_first("img[alt]")
        text = " ".join(((img.attributes.get("alt") if img else None) or node.attributes.get("title") or "").split())
    low = text.lower().strip(" ›»→>")
    if not text or len(text) > 80 or low in _GENERIC_TEXT or low.startswith(("http://", "https://", "www.")):
        return None
    if re.fullmatch(r"[\w-]+(\.[\w-]+)+/?", low):  # a bare domain is not a name
        return None
    return text


def company_links(page_url: str, html: str, listing_url: str) -> list[tuple[str, str | None]]:
    """(site root, name from the link) of every outbound link that may be a company site."""
    tree = LexborHTMLParser(html or "")
    found: list[tuple[str, str | None]] = []
    for url, node in _anchors(tree, _base(tree, page_url)):
        if node.tag != "a" or same_site(url, listing_url) or "sponsored" in _rel(node):
            continue
        if non_company_reason(url) is not None:
            continue
        root = site_root(url)
        if root is not None:
            found.append((root, _company_name(node)))
    return found


class DirectorySource:
    """Company sites listed on ``start_url`` and up to ``max_pages`` pages of its pagination."""

    def __init__(self, start_url: str, fetcher: Fetcher, *, max_pages: int = 10) -> None:
        self.start_url = start_url
        self.fetcher = fetcher
        self.max_pages = max_pages
        self.pages_read: list[str] = []

    async def companies(self) -> AsyncIterator[DiscoveredCompany]:
        seen = {registrable_domain(self.start_url)}
        queue, queued = [self.start_url], {self.start_url}
        while queue and len(self.pages_read) < self.max_pages:
            url = queue.pop(0)
            try:
                page = await self.fetcher.fetch(url)
            except FetchError as exc:
                if url == self.start_url:
                    raise
                log.info("listing page %s skipped: %s", url, exc.kind)
                continue
            self.pages_read.append(url)
            if page.status >= 400:
                if url == self.start_url:
                    raise FetchError(f"listing page answered HTTP {page.status}", kind=f"http_{page.status}", url=url)
                continue
            final = page.final_url or url
            for root, name in company_links(final, page.html, self.start_url):
                domain = registrable_domain(root)
                if domain and domain not in seen:
                    seen.add(domain)
                    yield DiscoveredCompany(url=root, name=name, source="directory", evidence_url=final)
            for nxt in next_pages(final, page.html, self.start_url):
                if nxt not in queued:
                    queued.add(nxt)
                    queue.append(nxt)
