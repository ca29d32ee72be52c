"""Hosted job boards (Greenhouse, Lever, Ashby, Workable): which board a page links to or embeds,
the open roles in that board's public JSON API, and how they join what the site itself said.

Each API and its response shape was checked against the provider's own documentation and against
client code on GitHub that reads it (only the fields used here are listed):

- Greenhouse Job Board API, ``GET https://boards-api.greenhouse.io/v1/boards/{board_token}/jobs``
  -> ``{"jobs": [{"title", "location": {"name"}, "absolute_url", ...}], "meta": {"total"}}``
  (developers.greenhouse.io/job-board.html; its source is grnhse/greenhouse-api-docs,
  source/includes/job-board/_jobs.md). Boards are linked as boards.greenhouse.io/{token},
  job-boards.greenhouse.io/{token} (and their ``.eu.`` twins, read through the same documented
  API), or embedded as ``boards.greenhouse.io/embed/job_board/js?for={token}``.
- Lever Postings API, ``GET https://api.lever.co/v0/postings/{site}?mode=json`` (EU instance:
  api.eu.lever.co) -> a JSON array of ``{"text", "categories": {"location", ...}, "hostedUrl", ...}``
  (github.com/lever/postings-api README). Boards are jobs.lever.co/{site} (jobs.eu.lever.co) or an
  iframe of ``api.lever.co/v0/postings/{site}?mode=iframe``.
- Ashby public job posting API, ``GET https://api.ashbyhq.com/posting-api/job-board/{name}``
  -> ``{"apiVersion": "1", "jobs": [{"title", "location", "isListed", "isRemote", "jobUrl", ...}]}``
  (developers.ashbyhq.com/docs/public-job-posting-api). Boards are jobs.ashbyhq.com/{name}.
- Workable public jobs of an account, ``GET https://www.workable.com/api/accounts/{subdomain}``
  -> ``{"name", "description", "jobs": [{"title", "city", "state", "country", "telecommuting",
  "url", ...}]}`` (workable.readme.io/reference/jobs-1). Boards are apply.workable.com/{subdomain}
  or the older {subdomain}.workable.com.

Safety: the URL fetched is always one of these fixed templates filled with a token that matched
a strict pattern, so a page chooses which board is read, never which host or path is requested.
Board text is untrusted data like any page text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from core.models import Company, Evidence, Signal

Provider = Literal["greenhouse", "lever", "ashby", "workable"]
PROVIDER_NAMES: dict[Provider, str] = {
    "greenhouse": "Greenhouse", "lever": "Lever", "ashby": "Ashby", "workable": "Workable",
}
MAX_BOARD_ROLES = 50  # a board of hundreds says "hiring" as well as fifty of its titles do
_LISTING_BUDGET = 20_000  # characters of the board's listing kept as its page text
_TOKEN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._ -]{0,98}[A-Za-z0-9])?$")
# Path words of a provider's own pages, never a company's board.
_NOT_TOKENS = frozenset({"embed", "api", "v0", "v1", "j", "jobs", "careers", "search", "static", "assets"})
# Workable subdomains that are Workable's own sites, not an account's legacy board.
_WORKABLE_SITES = frozenset({"www", "apply", "jobs", "api", "app", "help", "resources", "blog", "careers"})


@dataclass(frozen=True)
class JobBoard:
    """A hosted job board a page points to: whose it is (provider, token), the public API to read."""

    provider: Provider
    token: str
    api_url: str
    reference: str  # the link, iframe or script URL it was found by


@dataclass(frozen=True)
class Opening:
    title: str
    location: str | None = None

    def line(self) -> str:
        return f"{self.title} ({self.location})" if self.location else self.title


class BoardFormatError(ValueError):
    """The board answered, but not in its documented shape."""


def _api_url(provider: Provider, token: str, *, eu: bool = False) -> str:
    safe = quote(token, safe="")
    if provider == "greenhouse":
        return f"https://boards-api.greenhouse.io/v1/boards/{safe}/jobs"
    if provider == "lever":
        return f"https://api{'.eu' if eu else ''}.lever.co/v0/postings/{safe}?mode=json"
    if provider == "ashby":
        return f"https://api.ashbyhq.com/posting-api/job-board/{safe}"
    return f"https://www.workable.com/api/accounts/{safe}"


def _after(segments: list[str], prefix: list[str]) -> str | None:
    """The segment that follows ``prefix`` at the start of the path (``/v1/boards/{token}``)."""
    n = len(prefix)
    return segments[n] if len(segments) > n and [s.lower() for s in segments[:n]] == prefix else None


def _first(segments: list[str]) -> str | None:
    return segments[0] if segments and segments[0].lower() not in _NOT_TOKENS else None


def _locate(host: str, segments: list[str], query: dict[str, list[str]]) -> tuple[Provider, str | None, bool]:
    """(provider, token or None, EU instance) for a URL on a known board host; raises KeyError otherwise."""
    if host in ("boards.greenhouse.io", "job-boards.greenhouse.io",
                "boards.eu.greenhouse.io", "job-boards.eu.greenhouse.io"):
        if segments[:1] == ["embed"]:  # the embed script and iframe name the board in ?for=
            return "greenhouse", next(iter(query.get("for", [])), None), False
        return "greenhouse", _first(segments), False
    if host in ("boards-api.greenhouse.io", "api.greenhouse.io"):
        return "greenhouse", _after(segments, ["v1", "boards"]), False
    if host in ("jobs.lever.co", "jobs.eu.lever.co"):
        return "lever", _first(segments), ".eu." in host
    if host in ("api.lever.co", "api.eu.lever.co"):
        return "lever", _after(segments, ["v0", "postings"]), ".eu." in host
    if host == "jobs.ashbyhq.com":
        return "ashby", _first(segments), False
    if host == "api.ashbyhq.com":
        return "ashby", _after(segments, ["posting-api", "job-board"]), False
    if host == "apply.workable.com":
        return "workable", _first(segments), False
    sub, _, parent = host.partition(".")
    if parent == "workable.com" and sub not in _WORKABLE_SITES:
        return "workable", sub, False
    raise KeyError(host)


def board_at(url: str) -> JobBoard | None:
    """The board a URL belongs to (a board page, a job on it, its embed or its API), or None."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    try:
        provider, token, eu = _locate(host, segments, parse_qs(parts.query))
    except KeyError:
        return None
    if not token or not _TOKEN.match(token):
        return None
    return JobBoard(provider, token, _api_url(provider, token, eu=eu), url.strip())


def find_job_boards(html: str, page_url: str) -> list[JobBoard]:
    """Every distinct board a page links to (``<a>``), frames (``<iframe>``) or embeds (``<script>``),
    in page order."""
    tree = LexborHTMLParser(html or "")
    found: list[JobBoard] = []
    for node in tree.css("a[href], iframe[src], iframe[data-src], script[src]"):
        attrs = node.attributes
        raw = (attrs.get("href") if node.tag == "a" else attrs.get("src") or attrs.get("data-src")) or ""
        if not raw.strip() or raw.lstrip().startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        board = board_at(urljoin(page_url, raw.strip()))
        if board is not None and all((b.provider, b.token) != (board.provider, board.token) for b in found):
            found.append(board)
    return found


# --- the public APIs' answers ---------------------------------------------------------------

def _text(value: Any, limit: int = 120) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())[:limit].strip()
    return text or None


def _jobs(data: Any, provider: Provider) -> list[Any]:
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list):
        raise BoardFormatError(f"{PROVIDER_NAMES[provider]} answer has no 'jobs' list")
    return jobs


def _greenhouse(data: Any) -> list[Opening]:
    found = []
    for job in _jobs(data, "greenhouse"):
        if isinstance(job, dict) and (title := _text(job.get("title"))):
            location = job.get("location")
            found.append(Opening(title, _text(location.get("name")) if isinstance(location, dict) else None))
    return found


def _lever(data: Any) -> list[Opening]:
    if not isinstance(data, list):  # the documented JSON mode is a bare array of postings
        raise BoardFormatError("Lever answer is not a list of postings")
    found = []
    for posting in data:
        if isinstance(posting, dict) and (title := _text(posting.get("text"))):
            categories = posting.get("categories")
            location = _text(categories.get("location")) if isinstance(categories, dict) else None
            found.append(Opening(title, location))
    return found


def _ashby(data: Any) -> list[Opening]:
    found = []
    for job in _jobs(data, "ashby"):
        if not isinstance(job, dict) or job.get("isListed") is False:  # unlisted: reachable by link only
            continue
        if title := _text(job.get("title")):
            location = _text(job.get("location")) or ("Remote" if job.get("isRemote") is True else None)
            found.append(Opening(title, location))
    return found


def _workable(data: Any) -> list[Opening]:
    found = []
    for job in _jobs(data, "workable"):
        if isinstance(job, dict) and (title := _text(job.get("title"))):
            parts = [p for key in ("city", "state", "country") if (p := _text(job.get(key), 60))]
            location = ", ".join(dict.fromkeys(parts)) or ("Remote" if job.get("telecommuting") is True else None)
            found.append(Opening(title, location))
    return found


_PARSERS = {"greenhouse": _greenhouse, "lever": _lever, "ashby": _ashby, "workable": _workable}


def parse_openings(provider: Provider, body: str) -> list[Opening]:
    """The open roles in a board API's answer, in its order, without repeats. Raises
    BoardFormatError when the body is not JSON of the provider's documented shape."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BoardFormatError(f"{PROVIDER_NAMES[provider]} answer is not JSON: {exc}") from exc
    openings = _PARSERS[provider](data)
    return list(dict.fromkeys(openings))


# --- joining the site's facts ---------------------------------------------------------------

def _role_key(title: str) -> str:
    return " ".join(title.casefold().split()).strip(" .:-")


def add_openings(company: Company, board: JobBoard, openings: list[Opening]) -> None:
    """Adds a board's roles to the company: ``open_roles`` (no title twice, site roles first),
    ``is_hiring``, a hiring signal and a fact, each citing the board's API URL, whose listing is
    kept as that URL's page text so claims about the roles can be checked against it."""
    openings = openings[:MAX_BOARD_ROLES]
    if not openings:
        return
    url, name = board.api_url, PROVIDER_NAMES[board.provider]
    known = {_role_key(role) for role in company.open_roles}
    for opening in openings:
        if _role_key(opening.title) not in known:
            known.add(_role_key(opening.title))
            company.open_roles.append(opening.title)
    company.sources.setdefault("open_roles", url)
    if company.is_hiring is not True:  # listed openings outweigh a "no open positions" line
        company.is_hiring = True
        company.sources["is_hiring"] = url
    listing = "\n".join(o.line() for o in openings)
    company.pages[url] = f"Open roles on the {name} job board of {company.name or company.domain}:\n{listing}"[
        :_LISTING_BUDGET]
    text = f"Hiring ({name} job board): " + ", ".join(o.line() for o in openings[:8])
    company.signals.append(Signal(kind="hiring", text=text, source_url=url))
    if all(f.claim != text for f in company.facts):
        company.facts.append(Evidence(claim=text, source_url=url))
