"""SendGrid mail provider: v3 ``mail/send`` through the official SDK, with bounded retries on
429/5xx that honour Retry-After / X-RateLimit-Reset; other 4xx are permanent.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

from tools.mail.base import SendResult
from tools.mail.errors import MailPermanentError, MailTransientError
from tools.mail.message import OutgoingMessage

PROVIDER = "sendgrid"


def build_payload(msg: OutgoingMessage) -> dict[str, Any]:
    """The v3 mail/send body: text first, then HTML; unsubscribe headers; our ids as custom_args."""
    to: dict[str, str] = {"email": msg.to_email}
    if msg.to_name:
        to["name"] = msg.to_name
    payload: dict[str, Any] = {
        "personalizations": [{"to": [to]}],
        "from": {"email": msg.from_email, "name": msg.from_name},
        "subject": msg.subject,
        "content": [
            {"type": "text/plain", "value": msg.body_text()},
            {"type": "text/html", "value": msg.body_html()},
        ],
        "headers": msg.compliance_headers(),
        # Event webhooks echo custom_args back: that is how a bounce finds its outbox row.
        "custom_args": {"idempotency_key": msg.idempotency_key, "leadgen_message_id": msg.message_id},
        # Click tracking would rewrite the unsubscribe and source links in the body.
        "tracking_settings": {
            "click_tracking": {"enable": False, "enable_text": False},
            "open_tracking": {"enable": False},
        },
    }
    if msg.reply_to:
        payload["reply_to"] = {"email": msg.reply_to}
    return payload


def retry_hint(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (Retry-After seconds or date, or X-RateLimit-Reset)."""
    if not headers:
        return None
    now = time.time() if now is None else now
    retry_after = headers.get("Retry-After")
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            pass
    reset = headers.get("X-RateLimit-Reset")
    if reset and reset.strip().isdigit():
        return max(0.0, float(reset) - now)
    return None


def _error_detail(status: int, body: bytes | str | None) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        messages = [e.get("message", "") for e in json.loads(text).get("errors", [])]
    except (ValueError, AttributeError):
        messages = [text[:300]] if text else []
    return f"SendGrid {status}: " + ("; ".join(m for m in messages if m) or "no detail")


class SendGridMailer:
    """Sends via SendGrid. The SDK is synchronous, so each call runs in a worker thread."""

    def __init__(
        self,
        api_key: str,
        host: str = "https://api.sendgrid.com",
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        max_backoff: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.host = host.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self._api_key = api_key
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"SendGridMailer(host={self.host!r})"

    def _post(self, payload: dict[str, Any]) -> Any:
        # A client per call: the SDK keeps mutable request headers on the client object.
        client = SendGridAPIClient(api_key=self._api_key, host=self.host)
        return client.client.mail.send.post(request_body=payload, timeout=self.timeout)

    async def send(self, msg: OutgoingMessage) -> SendResult:
        payload = build_payload(msg)
        for attempt in range(self.max_retries + 1):
            try:
                response = await asyncio.to_thread(self._post, payload)
            except HTTPError as exc:
                status = int(exc.status_code)
                detail = _error_detail(status, exc.body)
                if status != 429 and status < 500:
                    raise MailPermanentError(detail, code=status, provider=PROVIDER) from exc
                hint = retry_hint(exc.headers)
                if attempt == self.max_retries or (hint is not None and hint > self.max_backoff):
                    raise MailTransientError(
                        detail, code=status, provider=PROVIDER, retry_after=hint
                    ) from exc
                await self._sleep(self._delay(attempt, hint))
                continue
            except OSError as exc:  # URLError, refused, reset, timeout: the send may not have landed
                raise MailTransientError(f"SendGrid unreachable: {exc}", provider=PROVIDER) from exc
            message_id = response.headers.get("X-Message-Id") if response.headers else None
            return SendResult(PROVIDER, message_id, accepted=200 <= response.status_code < 300)
        raise AssertionError("unreachable: the loop returns or raises")

    def _delay(self, attempt: int, hint: float | None) -> float:
        if hint is not None:
            return min(hint, self.max_backoff)
        exponential = self.backoff_base * (2**attempt)
        return min(self.max_backoff, exponential * (0.5 + random.random() / 2))
