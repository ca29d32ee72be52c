"""RFC 3464 delivery status notifications (multipart/report; report-type=delivery-status):
who failed, with which status, and which of our messages bounced."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import Message

from tools.tracking.inbound import message_ids

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_DAEMONS = ("mailer-daemon", "postmaster")


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    recipient: str
    action: str
    status: str
    diagnostic: str | None
    original_message_id: str | None

    @property
    def hard(self) -> bool:
        return self.status.startswith("5")

    @property
    def final(self) -> bool:
        """False for "delayed" (and positive actions): the server is still trying."""
        return self.action == "failed"


def parse_dsn(mime: Message | None) -> list[DeliveryFailure]:
    """Per-recipient failures of a DSN; empty when ``mime`` is not a delivery-status report."""
    if mime is None or mime.get_content_type() != "multipart/report":
        return []
    if str(mime.get_param("report-type", "")).lower() != "delivery-status":
        return []
    status_part = original = None
    for part in mime.walk():
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status") and status_part is None:
            status_part = part
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/global") and original is None:
            original = part
    if status_part is None:
        return []
    original_id = _original_message_id(original)
    failures = []
    for block in _status_blocks(status_part)[1:]:  # the first block is per-message fields
        recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        status = _STATUS.search(str(block.get("Status", "")))
        if not recipient or not status:
            continue
        failures.append(DeliveryFailure(
            recipient=recipient,
            action=str(block.get("Action", "")).strip().lower(),
            status=status.group(0),
            diagnostic=_one_line(block.get("Diagnostic-Code")),
            original_message_id=original_id,
        ))
    return failures


def looks_like_bounce(from_email: str, subject: str) -> bool:
    """Non-standard bounces still come from the mailer daemon or postmaster."""
    local = from_email.partition("@")[0].lower()
    return local in _DAEMONS or "undeliver" in subject.lower() or "delivery status" in subject.lower()


def status_in_text(text: str) -> str | None:
    found = _STATUS.search(text)
    return found.group(0) if found and found.group(1) in "45" else None


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return list(payload)
    # Some parsers leave the body as text: the blocks are header groups split by blank lines.
    if isinstance(payload, str):
        raw = payload
    else:
        decoded = part.get_payload(decode=True)
        raw = decoded.decode("utf-8", errors="replace") if isinstance(decoded, bytes) else ""
    chunks = re.split(r"\r?\n\s*\r?\n", raw.strip())
    return [message_from_string(chunk + "\n\n", policy=policy.compat32) for chunk in chunks if chunk.strip()]


def _original_message_id(part: Message | None) -> str | None:
    if part is None:
        return None
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        ids = message_ids(payload[0].get("Message-ID"))
    else:
        text = payload if isinstance(payload, str) else ""
        headers = message_from_string(text, policy=policy.compat32)
        ids = message_ids(headers.get("Message-ID"))
    return ids[0] if ids else None


def _address(value: object) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    _, _, address = text.rpartition(";")
    address = address.strip().strip("<>").lower()
    return address if "@" in address else None


def _one_line(value: object) -> str | None:
    text = " ".join(str(value or "").split())
    return text or None
