"""Typed mail-provider errors: retry later, never retry, or the mailbox/sender is blocked."""

from __future__ import annotations

from core.errors import LeadgenError


class MailError(LeadgenError):
    """A message could not be handed to the provider. ``code`` is the SMTP/HTTP status if any."""

    status = 502
    title = "Mail provider error"

    def __init__(self, detail: str = "", *, code: int | None = None, provider: str = "") -> None:
        super().__init__(detail)
        self.code = code
        self.provider = provider


class MailTransientError(MailError):
    """Temporary failure (4xx SMTP, 429/5xx HTTP, connection trouble): retry later."""

    title = "Mail provider temporarily unavailable"

    def __init__(
        self,
        detail: str = "",
        *,
        code: int | None = None,
        provider: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail, code=code, provider=provider)
        self.retry_after = retry_after


class MailPermanentError(MailError):
    """The provider rejected the message for good (5xx SMTP, 4xx HTTP): do not retry."""

    title = "Mail rejected"


class MailBlockedError(MailPermanentError):
    """The provider says the mailbox or sender is blocked (blocklist, policy): do not retry."""

    title = "Mail blocked"
