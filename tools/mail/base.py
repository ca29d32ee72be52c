"""The ``Mailer`` seam every mail provider implements, and what a send returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tools.mail.errors import (
    MailBlockedError,
    MailError,
    MailPermanentError,
    MailTransientError,
)
from tools.mail.message import OutgoingMessage

__all__ = [
    "MailBlockedError",
    "MailError",
    "MailPermanentError",
    "MailTransientError",
    "Mailer",
    "SendResult",
]


@dataclass(frozen=True)
class SendResult:
    provider: str  # "smtp" | "sendgrid" | "file"
    provider_message_id: str | None
    accepted: bool


@runtime_checkable
class Mailer(Protocol):
    """Hands one message to a provider. Raises ``MailTransientError``/``MailPermanentError``."""

    async def send(self, msg: OutgoingMessage) -> SendResult: ...
