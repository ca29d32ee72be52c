"""Typed errors of the whole product; the API maps them once to problem details."""

from __future__ import annotations


class LeadgenError(Exception):
    """Base class. ``status`` is the HTTP status the API answers with."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class InvalidInput(LeadgenError):
    status = 422
    title = "Invalid input"


class BriefInvalid(InvalidInput):
    title = "Invalid campaign brief"


class NotFound(LeadgenError):
    status = 404
    title = "Not found"


class Unauthorized(LeadgenError):
    status = 401
    title = "Not authenticated"


class Forbidden(LeadgenError):
    status = 403
    title = "Forbidden"


class Conflict(LeadgenError):
    status = 409
    title = "Conflict"


class RateLimited(LeadgenError):
    status = 429
    title = "Too many requests"


class FetchError(LeadgenError):
    """A page could not be fetched. ``kind`` is a short machine label (timeout, too_large, ...)."""

    status = 502
    title = "Fetch failed"

    def __init__(self, detail: str = "", kind: str = "error", url: str | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.url = url


class BlockedByRobots(FetchError):
    title = "Disallowed by robots.txt"

    def __init__(self, detail: str = "", url: str | None = None) -> None:
        super().__init__(detail, kind="robots", url=url)


class UnsafeURL(FetchError):
    """The SSRF guard refused a URL (scheme, private address, metadata endpoint)."""

    title = "Unsafe URL refused"

    def __init__(self, detail: str = "", url: str | None = None) -> None:
        super().__init__(detail, kind="unsafe_url", url=url)


class BudgetExhausted(LeadgenError):
    status = 402
    title = "LLM budget exhausted"


class SendRefused(LeadgenError):
    """The sender refused a message (suppressed, content changed since approval, ...)."""

    status = 409
    title = "Send refused"
