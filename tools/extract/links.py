"""Which internal pages of a site are worth reading (about, team, contact, careers, blog) and sitemaps."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from tools.extract.domains import same_site

# Path words and anchor words per kind: English plus a few German and French ones.
PAGE_WORDS: dict[str, tuple[str, ...]] = {
    "team": (
        "team", "our-team", "the-team", "people", "leadership", "founders", "management", "staff",
        "meet-the-team", "who-we-are", "equipe", "notre-equipe", "unser-team", "mitarbeiter",
    ),
    "about": (
        "about", "about-us", "company", "our-story", "story", "mission", "ueber-uns", "uber-uns",
        "über-uns", "unternehmen", "a-propos", "qui-sommes-nous", "apropos",
    ),
    "contact": (
        "contact", "contact-us", "get-in-touch", "kontakt", "impressum", "imprint", "legal-notice",
        "mentions-legales", "nous-contacter", "contactez-nous", "locations", "offices",
    ),
    "careers": (
        "careers", "career", "jobs", "job", "join-us", "join", "work-with-us", "hiring",
        "open-positions", "openings", "vacancies", "karriere", "stellenangebote", "jobs-karriere",
        "carrieres", "carrières", "recrutement", "emplois", "rejoignez-nous",
    ),
    "blog": (
        "blog", "news", "press", "newsroom", "updates", "changelog", "announcements", "stories",
        "insights", "aktuelles", "neuigkeiten", "presse", "actualites", "actualités", "journal",
    ),
}
ANCHOR_WORDS: dict[str, tuple[str, ...]] = {
    "team": ("team", "our people", "leadership", "founders", "who we are", "équipe", "unser team"),
    "about": ("about", "our story", "company", "über uns", "ueber uns", "à propos", "qui sommes-nous"),
    "contact": ("contact", "get in touch", "kontakt", "impressum", "imprint", "nous contacter"),
    "careers": ("careers", "jobs", "join us", "we're hiring", "we are hiring", "work with us", "karriere", "carrières", "recrutement"),
    "blog": ("blog", "news", "press", "newsroom", "updates", "aktuelles", "actualités"),
}
PRIORITY = ("team", "about", "contact", "careers", "blog")
_SKIP_EXT = re.compile(r"\.(pdf|png|jpe?g|gif|svg|webp|zip|mp4|mp3|css|js|ico|xml|json|txt)$", re.I)


def _segments(url: str) -> list[str]:
    path = urlsplit(url).path.lower()
    path = re.sub(r"\.(html?|php|aspx?)$", "", path)
    return [s for s in path.split("/") if s]


def _segment_matches(segment: str, word: str, mode: str) -> bool:
    if mode == "exact":
        return segment == word
    if mode == "prefix":
        return segment.startswith(word + "-")
    return segment.endswith("-" + word)


def page_kind(url: str, anchor_text: str = "") -> str | None:
    """Kind of page a URL (and its link text) points to, or None. Path words win over anchor words."""
    segments = _segments(url)
    for seg in reversed(segments[:3]):
        # Slugs like /about-acme or /meet-the-team count only at the top level; deeper slugs are posts.
        modes = ("exact", "prefix", "suffix") if len(segments) == 1 else ("exact",)
        for mode in modes:
            for kind in PRIORITY:
                if any(_segment_matches(seg, w, mode) for w in PAGE_WORDS[kind]):
                    return kind
    text = " ".join(anchor_text.lower().split())
    if text and len(text) <= 40:
        for kind in PRIORITY:
            if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text) for w in ANCHOR_WORDS[kind]):
                return kind
    return None


def discover_pages(home_url: str, html: str) -> dict[str, list[str]]:
    """Internal links of a page grouped by kind (team, about, contact, careers, blog), shallow ones first."""
    tree = LexborHTMLParser(html or "")
    base_tag = tree.css_first("base[href]")
    base = urljoin(home_url, base_tag.attributes.get("href") or "") if base_tag else home_url
    home = urldefrag(home_url)[0].rstrip("/")
    found: dict[str, list[str]] = {kind: [] for kind in PRIORITY}
    for anchor in tree.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        url = urldefrag(urljoin(base, href))[0]
        if urlsplit(url).scheme not in ("http", "https") or _SKIP_EXT.search(urlsplit(url).path):
            continue
        if not same_site(url, home_url) or url.rstrip("/") == home:
            continue
        kind = page_kind(url, anchor.text(deep=True))
        if kind and url not in found[kind]:
            found[kind].append(url)
    for urls in found.values():
        urls.sort(key=lambda u: len(_segments(u)))
    return {kind: urls for kind, urls in found.items() if urls}


def parse_sitemap(xml: str) -> list[str]:
    """Every <loc> of a sitemap or sitemap index, in order, deduplicated. Never parses entities or DTDs."""
    urls: list[str] = []
    for raw in re.findall(r"<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>", xml or "", flags=re.S | re.I):
        url = htmllib.unescape(raw.replace("<![CDATA[", "").replace("]]>", "").strip())
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
    return urls
