"""Telling a company's own site from links that are not one (social networks, app stores,
directories and review sites, news and press wires, link shorteners, site builders)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tools.extract.domains import registrable_domain

SOCIAL = frozenset({
    "facebook.com", "fb.com", "twitter.com", "x.com", "linkedin.com", "instagram.com", "youtube.com",
    "youtu.be", "tiktok.com", "pinterest.com", "reddit.com", "threads.net", "mastodon.social", "t.me",
    "telegram.org", "whatsapp.com", "discord.gg", "discord.com", "snapchat.com", "vimeo.com", "tumblr.com",
    "medium.com", "substack.com", "github.com", "gitlab.com", "bitbucket.org", "quora.com", "xing.com",
    "bsky.app", "slack.com", "meetup.com", "eventbrite.com", "wikipedia.org", "wikimedia.org",
})
APP_STORE_HOSTS = frozenset({
    "apps.apple.com", "itunes.apple.com", "play.google.com", "chrome.google.com",
    "chromewebstore.google.com", "apps.microsoft.com", "addons.mozilla.org", "appsource.microsoft.com",
})
DIRECTORIES = frozenset({
    "crunchbase.com", "ycombinator.com", "angel.co", "wellfound.com", "glassdoor.com", "indeed.com",
    "g2.com", "capterra.com", "clutch.co", "goodfirms.co", "trustpilot.com", "yelp.com", "producthunt.com",
    "zoominfo.com", "owler.com", "tracxn.com", "pitchbook.com", "dnb.com", "builtin.com", "f6s.com",
    "dealroom.co", "cbinsights.com", "apollo.io", "rocketreach.co", "lusha.com", "signalhire.com",
    "yellowpages.com", "yell.com", "manta.com", "bbb.org", "kompass.com", "europages.com", "northdata.com",
    "bloomberg.com", "gartner.com", "getapp.com", "softwareadvice.com", "sortlist.com", "upwork.com",
    "fiverr.com", "ziprecruiter.com", "monster.com", "stepstone.de", "welcometothejungle.com", "seek.com.au",
    "startupranking.com", "betalist.com", "alternativeto.net", "saasworthy.com", "similarweb.com",
    "companieshouse.gov.uk", "opencorporates.com", "gust.com", "seedtable.com", "topstartups.io",
})
NEWS = frozenset({
    "techcrunch.com", "forbes.com", "reuters.com", "bbc.co.uk", "bbc.com", "nytimes.com", "wsj.com",
    "theverge.com", "wired.com", "businessinsider.com", "venturebeat.com", "cnbc.com", "ft.com",
    "theguardian.com", "cnn.com", "fortune.com", "inc.com", "fastcompany.com", "entrepreneur.com",
    "prnewswire.com", "businesswire.com", "globenewswire.com", "einpresswire.com", "prweb.com",
    "sifted.eu", "eu-startups.com", "tech.eu", "axios.com", "theinformation.com", "zdnet.com",
    "techradar.com", "engadget.com", "arstechnica.com", "thenextweb.com", "geekwire.com", "yahoo.com",
    "msn.com", "news.google.com", "economist.com", "handelsblatt.com", "lesechos.fr", "finextra.com",
})
PLATFORMS = frozenset({
    "google.com", "goo.gl", "bit.ly", "tinyurl.com", "ow.ly", "t.co", "lnkd.in", "wordpress.org",
    "wordpress.com", "wix.com", "squarespace.com", "webflow.com", "shopify.com", "godaddy.com",
    "cloudflare.com", "w3.org", "schema.org", "creativecommons.org", "mailchimp.com", "typeform.com",
    "calendly.com", "hubspot.com", "gravatar.com", "archive.org", "example.com", "example.org",
})
NOT_COMPANIES = SOCIAL | DIRECTORIES | NEWS | PLATFORMS


def site_root(url: str) -> str | None:
    """``https://www.acme.com/about?x=1`` -> ``https://www.acme.com/``; None for non-web URLs."""
    try:
        parts = urlsplit(url.strip())
        port_number = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    port = f":{port_number}" if port_number and port_number not in (80, 443) else ""
    return f"{parts.scheme}://{host}{port}/"


def non_company_reason(url: str, *, extra: frozenset[str] = frozenset()) -> str | None:
    """Why a link is not a company's own site ("social", "app store", ...), or None when it may be."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return "no host"
    if host in APP_STORE_HOSTS:
        return "app store"
    domain = registrable_domain(host)
    for label, names in (("social", SOCIAL), ("directory", DIRECTORIES), ("news", NEWS),
                         ("platform", PLATFORMS), ("excluded", extra)):
        if domain in names or host in names:
            return label
    return None
