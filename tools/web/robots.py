"""robots.txt (RFC 9309): parsing, group selection for our product token, longest-match
rules, and a per-origin cache that treats 4xx as allow-all and 5xx/unreachable as disallow-all."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from core.errors import FetchError

ROBOTS_MAX_BYTES = 500 * 1024
ROBOTS_TTL = 24 * 3600.0
_SAFE = "/?=&*$:@!,;+~-._'()%"


def product_token(user_agent: str) -> str:
    """``leadgen-bot/0.1 (+https://...)`` -> ``leadgen-bot`` (RFC 9309 product token)."""
    match = re.match(r"[A-Za-z_-]+", user_agent.strip())
    return (match.group(0) if match else user_agent.strip()).lower()


def _normalize(path: str) -> str:
    # Percent-encode consistently so "/caf%C3%A9" and "/café" compare equal.
    return quote(unquote(path), safe=_SAFE)


@dataclass(frozen=True)
class Rule:
    """One allow/disallow line. Matching is a left-to-right scan for the literal pieces between
    ``*``s, linear in the path: a regex (``.*a.*a.*b``) backtracks exponentially on a hostile
    robots.txt and would freeze the event loop where no timeout can reach."""

    allow: bool
    pattern: str
    pieces: tuple[str, ...]  # the literal text between the ``*``s (the first is a prefix)
    anchored: bool  # ends in ``$``: the last piece must end the path

    @classmethod
    def build(cls, allow: bool, raw: str) -> Rule:
        pattern = _normalize(raw)
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        return cls(allow, pattern, tuple(body.split("*")), anchored)

    def matches(self, path: str) -> bool:
        first, *rest = self.pieces
        if not path.startswith(first):
            return False
        if not rest:
            return not self.anchored or path == first
        end = len(path)
        if self.anchored:  # the last piece is pinned to the end; the middle ones fit before it
            *rest, last = rest
            end -= len(last)
            if end < len(first) or not path.endswith(last):
                return False
        position = len(first)
        for piece in rest:  # the leftmost place of each piece leaves the most room for the next
            found = path.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True


@dataclass
class RobotsRules:
    rules: list[Rule] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    allow_all: bool = False
    disallow_all: bool = False
    why: str = ""  # set when the rules come from a failed robots.txt fetch

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        path = _normalize((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        if parts.path == "/robots.txt" or self.allow_all:
            return True
        if self.disallow_all:
            return False
        best: Rule | None = None
        for rule in self.rules:
            if not rule.matches(path):
                continue
            if best is None or len(rule.pattern) > len(best.pattern):
                best = rule
            elif len(rule.pattern) == len(best.pattern) and rule.allow:
                best = rule  # Allow wins a tie
        return best is None or best.allow


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """Rules of every group naming our product token, else of every ``*`` group."""
    token = product_token(user_agent)
    ours: list[Rule] = []
    star: list[Rule] = []
    sitemaps: list[str] = []
    agents: list[str] = []
    in_rules = False
    matched_ours = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        key = key.lower()
        if key == "sitemap":
            sitemaps.append(value)
        elif key in ("user-agent", "useragent"):
            if in_rules:  # a user-agent line after rules starts a new group
                agents, in_rules = [], False
            agents.append(product_token(value) if value != "*" else "*")
            matched_ours = matched_ours or token in agents
        elif key in ("allow", "disallow") and agents:
            in_rules = True
            if not value:  # an empty rule matches nothing
                continue
            rule = Rule.build(key == "allow", value)
            if token in agents:
                ours.append(rule)
            if "*" in agents:
                star.append(rule)
    return RobotsRules(rules=ours if matched_ours else star, sitemaps=sitemaps)


def rules_for_failure(error: FetchError) -> RobotsRules:
    """RFC 9309 §2.3.1: 4xx or a redirect chain past the cap -> unavailable (allow all);
    5xx or unreachable -> disallow all.
    429 is treated as unreachable: the site asks us to slow down, not that rules are absent."""
    kind = error.kind
    if kind.startswith("http_4") and kind != "http_429":
        return RobotsRules(allow_all=True)
    if kind == "too_many_redirects":  # §2.3.1.2: past 5 redirects it MAY be assumed unavailable
        return RobotsRules(allow_all=True)
    return RobotsRules(
        disallow_all=True,
        why=f"robots.txt unavailable ({kind}: {error.detail}); RFC 9309 treats that as disallow-all",
    )


class RobotsPolicy:
    """Answers ``await allowed(url)``, fetching /robots.txt once per origin per ``ttl``."""

    def __init__(
        self,
        fetch_robots: Callable[[str], Awaitable[str]],
        user_agent: str,
        *,
        ttl: float = ROBOTS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch_robots
        self.user_agent = user_agent
        self.ttl = min(ttl, ROBOTS_TTL)
        self._clock = clock
        self._cache: dict[str, tuple[float, RobotsRules]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:  # one robots.txt fetch per origin even under concurrency
            cached = self._cache.get(origin)
            if cached and self._clock() - cached[0] < self.ttl:
                return cached[1]
            try:
                rules = parse_robots(await self._fetch(origin + "/robots.txt"), self.user_agent)
            except FetchError as exc:
                rules = rules_for_failure(exc)
            self._cache[origin] = (self._clock(), rules)
            return rules

    async def allowed(self, url: str) -> bool:
        return (await self.rules_for(url)).allowed(url)
