"""An inbound e-mail as one value (``InboundMessage``), from RFC 5322 bytes or SendGrid Inbound
Parse form fields: ids for threading, sender, subject, and the plain text of the body."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

_MSG_ID = re.compile(r"<[^<>\s]+>")
# Quoted history in HTML replies (Gmail, Outlook, Apple Mail, Thunderbird).
_HTML_QUOTES = ("blockquote", "div.gmail_quote", "div#appendonsend", "div#divRplyFwdMsg",
                "div.moz-cite-prefix")


@dataclass(frozen=True)
class InboundMessage:
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    from_email: str
    to: list[str]
    subject: str
    text: str
    date: datetime | None
    headers: Message = field(repr=False)
    mime: Message | None = field(default=None, repr=False)

    def header(self, name: str) -> str:
        return str(self.headers.get(name, "") or "").strip()

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers: In-Reply-To first, then References newest first."""
        ordered = self.in_reply_to + list(reversed(self.references))
        return list(dict.fromkeys(ordered))


def parse_inbound(data: bytes | str | Mapping[str, str]) -> InboundMessage:
    """Raw RFC 5322 bytes/str, or the form fields SendGrid Inbound Parse posts (with ``email``
    holding the raw message when "send raw" is on)."""
    if isinstance(data, Mapping):
        if data.get("email"):
            return parse_inbound(str(data["email"]))
        return _from_parse_form(data)
    mime = (message_from_bytes(data, policy=policy.default) if isinstance(data, bytes)
            else message_from_string(data, policy=policy.default))
    return _from_mime(mime)


def _from_mime(mime: Message) -> InboundMessage:
    return InboundMessage(
        message_id=_first_id(mime.get("Message-ID")),
        in_reply_to=message_ids(mime.get("In-Reply-To")),
        references=message_ids(mime.get("References")),
        from_email=_first_address(str(mime.get("From", "") or "")),
        to=[addr.lower() for _, addr in getaddresses([str(v) for v in mime.get_all("To", [])]) if addr],
        subject=_one_line(str(mime.get("Subject", "") or "")),
        text=body_text(mime),
        date=_date(mime.get("Date")),
        headers=mime,
        mime=mime,
    )


def _from_parse_form(form: Mapping[str, str]) -> InboundMessage:
    headers = message_from_string(str(form.get("headers", "")) + "\n\n", policy=policy.default)
    sender = str(form.get("from", "") or headers.get("From", "") or "")
    from_email = _first_address(sender)
    if not from_email and form.get("envelope"):
        try:
            from_email = str(json.loads(str(form["envelope"])).get("from", "")).lower()
        except (ValueError, AttributeError):
            from_email = ""
    text = str(form.get("text", "") or "")
    if not text.strip() and form.get("html"):
        text = html_text(str(form["html"]))
    return InboundMessage(
        message_id=_first_id(headers.get("Message-ID")),
        in_reply_to=message_ids(headers.get("In-Reply-To")),
        references=message_ids(headers.get("References")),
        from_email=from_email,
        to=[a.lower() for _, a in getaddresses([str(form.get("to", "") or headers.get("To", ""))]) if a],
        subject=_one_line(str(form.get("subject", "") or headers.get("Subject", "") or "")),
        text=text,
        date=_date(headers.get("Date")),
        headers=headers,
    )


def body_text(mime: Message) -> str:
    """The first text/plain part (not inside an attached message), else the HTML as text."""
    html = None
    for part in _own_parts(mime):
        ctype = part.get_content_type()
        if ctype == "text/plain":
            return _decoded(part)
        if ctype == "text/html" and html is None:
            html = _decoded(part)
    return html_text(html) if html else ""


def _own_parts(mime: Message) -> Iterator[Message]:
    if mime.is_multipart():
        for part in mime.get_payload():
            if not isinstance(part, Message) or part.get_content_type() in ("message/rfc822", "message/delivery-status",
                                           "text/rfc822-headers"):
                continue
            yield from _own_parts(part)
    else:
        yield mime


def _decoded(part: Message) -> str:
    if isinstance(part, EmailMessage):
        try:
            return str(part.get_content())
        except (LookupError, ValueError):
            pass
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return str(payload or "")


def html_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    for selector in ("style", "script", *_HTML_QUOTES):
        for node in tree.css(selector):
            node.decompose()
    for node in tree.css("br"):
        node.replace_with("\n")
    root = tree.body or tree.root
    return root.text(separator="\n") if root else ""


def message_ids(value: object) -> list[str]:
    return _MSG_ID.findall(str(value or ""))


def _first_id(value: object) -> str | None:
    ids = message_ids(value)
    if ids:
        return ids[0]
    text = str(value or "").strip()
    return f"<{text}>" if text and " " not in text else None


def _first_address(value: str) -> str:
    for _, addr in getaddresses([value]):
        if addr:
            return addr.strip().lower()
    return ""


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


def _one_line(value: str) -> str:
    return " ".join(value.split())
