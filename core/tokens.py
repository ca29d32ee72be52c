"""Signed, unguessable tokens (HMAC-SHA256) for links in e-mails, e.g. one-click unsubscribe."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(value: str, secret: str, *, purpose: str = "unsubscribe") -> str:
    """``<value>.<mac>`` where the MAC binds value, purpose and the server secret."""
    mac = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return f"{_b64(value.encode())}.{_b64(mac)}"


def verify(token: str, secret: str, *, purpose: str = "unsubscribe") -> str | None:
    """The signed value, or None when the token is malformed or forged."""
    try:
        encoded, _ = token.split(".", 1)
        value = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return value if hmac.compare_digest(sign(value, secret, purpose=purpose), token) else None
