"""SMTP mail provider (aiosmtplib): STARTTLS or implicit TLS, AUTH, and SMTP replies mapped to
transient (4xx, connection trouble), permanent (5xx) and blocked (5xx naming a block list) errors.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from tools.mail.base import SendResult
from tools.mail.errors import MailBlockedError, MailPermanentError, MailTransientError
from tools.mail.message import OutgoingMessage, build_mime

PROVIDER = "smtp"
_BLOCKED = re.compile(
    r"block(ed|list|ing)?\b|black\s?list|deny\s?list|spamhaus|\brbl\b|\bdnsbl\b|reputation|banned",
    re.IGNORECASE,
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _flag(query: dict[str, list[str]], name: str) -> bool | None:
    values = query.get(name)
    if not values:
        return None
    value = values[-1].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"smtp_url: {name} must be 1 or 0, got {value!r}")


@dataclass(frozen=True)
class SMTPMailer:
    """Sends through one SMTP server; a new connection per message keeps failures isolated."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_tls: bool = False  # implicit TLS (smtps://, usually port 465)
    start_tls: bool | None = None  # True: require, False: never, None: if the server offers it
    timeout: float = 30.0
    tls_verify: bool = True
    cafile: str | None = None  # extra CA bundle to trust (e.g. a private relay's certificate)

    @classmethod
    def from_url(cls, url: str) -> SMTPMailer:
        """``smtp://user:pass@host:587?starttls=1&timeout=20`` or ``smtps://host:465``.

        Query options: ``starttls`` (1/0; default: use it when offered), ``timeout`` (seconds),
        ``tls_verify`` (1/0), ``cafile`` (path of a CA bundle to trust).
        """
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("smtp_url must look like smtp://user:pass@host:587?starttls=1")
        query = parse_qs(parts.query)
        use_tls = parts.scheme == "smtps"
        start_tls = _flag(query, "starttls")
        if use_tls and start_tls:
            raise ValueError("smtps:// already uses TLS; drop starttls=1")
        if use_tls:
            start_tls = False
        default_port = 465 if use_tls else 587 if start_tls else 25
        timeout = float(query.get("timeout", ["30"])[-1])
        if timeout <= 0:
            raise ValueError("smtp_url: timeout must be positive")
        tls_verify = _flag(query, "tls_verify")
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            use_tls=use_tls,
            start_tls=start_tls,
            timeout=timeout,
            tls_verify=True if tls_verify is None else tls_verify,
            cafile=query.get("cafile", [None])[-1],
        )

    async def send(self, msg: OutgoingMessage) -> SendResult:
        mime = build_mime(msg)
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
            validate_certs=self.tls_verify,
            cert_bundle=self.cafile,
        )
        try:
            async with client:
                await client.send_message(mime, sender=msg.from_email, recipients=[msg.to_email])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _reply_error(refused.code, refused.message) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _reply_error(exc.code, exc.message) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            raise MailPermanentError(f"SMTP server: {exc}", provider=PROVIDER) from exc
        except ssl.SSLCertVerificationError as exc:
            raise MailPermanentError(f"SMTP TLS certificate rejected: {exc}", provider=PROVIDER) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailTransientError(f"SMTP connection failed: {exc}", provider=PROVIDER) from exc
        return SendResult(PROVIDER, msg.rfc_message_id, accepted=True)


def _reply_error(code: int, message: str) -> MailTransientError | MailPermanentError:
    detail = f"SMTP {code}: {message}"
    if 400 <= code < 500:
        return MailTransientError(detail, code=code, provider=PROVIDER)
    if 500 <= code < 600 and _BLOCKED.search(message):
        return MailBlockedError(detail, code=code, provider=PROVIDER)
    if 500 <= code < 600:
        return MailPermanentError(detail, code=code, provider=PROVIDER)
    # Anything else (e.g. -1 for a broken reply) says nothing about the message itself.
    return MailTransientError(detail, code=code, provider=PROVIDER)
