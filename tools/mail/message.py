"""One outgoing e-mail (``OutgoingMessage``) and its MIME form, with the compliance parts every
message must carry: postal address, an opt-out line and RFC 8058 one-click unsubscribe headers.
"""

from __future__ import annotations

import html as html_lib
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from pydantic import BaseModel, ConfigDict, Field, field_validator

IDEMPOTENCY_HEADER = "X-Leadgen-Idempotency-Key"
ONE_CLICK = "List-Unsubscribe=One-Click"
RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post",
        IDEMPOTENCY_HEADER,
    )
)
_OPT_OUT = re.compile(r"\b(unsubscribe|opt[- ]?out)\b", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")
_TAG = re.compile(r"<[^>]+>")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _squash(value: str) -> str:
    """Lower-case, punctuation-insensitive form used to find the postal address in a body."""
    return " ".join(re.sub(r"[\s,;]+", " ", value).lower().split())


class OutgoingMessage(BaseModel):
    """Everything a provider needs to send one e-mail; ``message_id`` is unique per message."""

    model_config = ConfigDict(frozen=True)

    message_id: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1)
    from_name: str
    from_email: str
    to_email: str
    to_name: str | None = None
    reply_to: str | None = None
    subject: str
    text: str
    html: str | None = None  # generated from ``text`` when missing
    postal_address: str = Field(min_length=1)
    unsubscribe_url: str
    unsubscribe_mailto: str | None = None  # address; "mailto:" prefix accepted
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("from_name", "to_name", "subject", "message_id", "idempotency_key")
    @classmethod
    def _single_line(cls, v: str | None) -> str | None:
        return None if v is None else _one_line(v)

    @field_validator("from_email", "to_email", "reply_to")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip()
        local, _, domain = v.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in v):
            raise ValueError(f"not an e-mail address: {v!r}")
        return v

    @field_validator("unsubscribe_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        if not v.startswith(("https://", "http://")) or any(c.isspace() for c in v):
            raise ValueError("unsubscribe_url must be an http(s) URL")
        return v

    @field_validator("unsubscribe_mailto")
    @classmethod
    def _mailto(cls, v: str | None) -> str | None:
        if v is None:
            return None
        address = v.strip().removeprefix("mailto:").split("?", 1)[0]
        if "@" not in address or any(c.isspace() for c in address):
            raise ValueError("unsubscribe_mailto must be an e-mail address")
        return address

    @field_validator("headers")
    @classmethod
    def _extra_headers(cls, v: dict[str, str]) -> dict[str, str]:
        for name, value in v.items():
            if name.lower() in RESERVED_HEADERS:
                raise ValueError(f"header {name} is set by the mailer, not by callers")
            if not re.fullmatch(r"[!-9;-~]+", name) or "\r" in value or "\n" in value:
                raise ValueError(f"invalid header {name!r}")
        return v

    @property
    def from_domain(self) -> str:
        return self.from_email.rpartition("@")[2]

    @property
    def rfc_message_id(self) -> str:
        """The Message-ID header: ``<message_id@sender-domain>`` unless already an RFC id."""
        if self.message_id.startswith("<") and self.message_id.endswith(">"):
            return self.message_id
        if "@" in self.message_id:
            return f"<{self.message_id}>"
        return f"<{_ID_UNSAFE.sub('-', self.message_id)}@{self.from_domain}>"

    @property
    def list_unsubscribe(self) -> str:
        parts = [f"<{self.unsubscribe_url}>"]
        if self.unsubscribe_mailto:
            parts.append(f"<mailto:{self.unsubscribe_mailto}?subject=unsubscribe>")
        return ", ".join(parts)

    def compliance_headers(self) -> dict[str, str]:
        """Headers every provider sends besides From/To/Subject: unsubscribe, idempotency, extras."""
        return {
            **self.headers,
            "List-Unsubscribe": self.list_unsubscribe,
            "List-Unsubscribe-Post": ONE_CLICK,
            IDEMPOTENCY_HEADER: self.idempotency_key,
        }

    def body_text(self) -> str:
        """The plain-text body with the postal address and an opt-out line guaranteed."""
        text = self.text.rstrip()
        missing = self._missing_footer(text)
        return f"{text}\n\n--\n" + "\n".join(missing) + "\n" if missing else text + "\n"

    def body_html(self) -> str:
        """The HTML body (given or generated from the text) with the same footer guarantee."""
        if self.html is None:
            return text_to_html(self.body_text())
        visible = html_lib.unescape(_TAG.sub(" ", self.html))
        missing = self._missing_footer(visible)
        if not missing:
            return self.html
        footer = "<p>" + "<br>\n".join(_linkify(html_lib.escape(line)) for line in missing) + "</p>"
        index = self.html.lower().rfind("</body>")
        if index == -1:
            return f"{self.html}\n{footer}"
        return f"{self.html[:index]}{footer}\n{self.html[index:]}"

    def _missing_footer(self, body: str) -> list[str]:
        missing = []
        if _squash(self.postal_address) not in _squash(body):
            missing.append(_one_line(self.postal_address))
        if self.unsubscribe_url not in body and not _OPT_OUT.search(body):
            missing.append(f"To stop receiving these e-mails, unsubscribe here: {self.unsubscribe_url}")
        return missing


def _linkify(escaped: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def text_to_html(text: str) -> str:
    """Escape plain text into simple HTML paragraphs with clickable links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(_linkify(html_lib.escape(line)) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    return f'<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def build_mime(msg: OutgoingMessage) -> EmailMessage:
    """A multipart/alternative (text + HTML) message with all headers set."""
    mime = EmailMessage()
    mime["From"] = Address(display_name=msg.from_name, addr_spec=msg.from_email)
    mime["To"] = Address(display_name=msg.to_name or "", addr_spec=msg.to_email)
    if msg.reply_to:
        mime["Reply-To"] = msg.reply_to
    mime["Subject"] = msg.subject
    mime["Date"] = formatdate(localtime=False, usegmt=True)
    mime["Message-ID"] = msg.rfc_message_id
    for name, value in msg.compliance_headers().items():
        mime[name] = value
    mime.set_content(msg.body_text())
    mime.add_alternative(msg.body_html(), subtype="html")
    return mime
