"""SendGrid Event Webhook: ECDSA signature verification and mapping events to ``TrackingEvent``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from core.errors import InvalidInput, Unauthorized
from tools.tracking.types import TrackingEvent

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
DEFAULT_TOLERANCE_SECONDS = 300
# Our ids travel as custom_args (tools/mail/sendgrid.py); SendGrid echoes them as top-level keys.
MESSAGE_REF_KEYS = ("leadgen_message_id", "idempotency_key")
# Dropped events name the SendGrid suppression list that stopped the message.
_DROPPED_AS_BOUNCE = ("bounced address", "invalid")

_SIMPLE_KINDS = {
    "processed", "delivered", "deferred", "dropped", "spamreport", "unsubscribe",
    "group_unsubscribe", "group_resubscribe", "open", "click",
}


class WebhookSignatureInvalid(Unauthorized):
    title = "Webhook signature invalid"


@lru_cache(maxsize=16)
def load_public_key(public_key_b64: str) -> ec.EllipticCurvePublicKey:
    """The verification key shown in SendGrid's Mail Settings (base64 DER SubjectPublicKeyInfo)."""
    try:
        key = load_der_public_key(base64.b64decode(public_key_b64, validate=True))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("SendGrid webhook public key is not base64 DER") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise InvalidInput("SendGrid webhook public key must be an EC P-256 key")
    return key


def verify_signature(
    public_key: str | ec.EllipticCurvePublicKey,
    payload: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    tolerance_seconds: float | None = DEFAULT_TOLERANCE_SECONDS,
    clock: Callable[[], float] = time.time,
) -> None:
    """Raise ``WebhookSignatureInvalid`` unless ``signature`` signs ``timestamp + payload`` and the
    timestamp is within ``tolerance_seconds`` of ``clock()`` (None disables the age check).

    ``payload`` must be the request body exactly as received: re-serialized JSON never verifies.
    """
    if not signature or not timestamp:
        raise WebhookSignatureInvalid("missing signature or timestamp header")
    key = load_public_key(public_key) if isinstance(public_key, str) else public_key
    try:
        der_signature = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise WebhookSignatureInvalid("signature is not base64") from exc
    try:
        key.verify(der_signature, timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise WebhookSignatureInvalid("signature does not match the payload") from exc
    if tolerance_seconds is not None:
        try:
            signed_at = float(timestamp)
        except ValueError as exc:
            raise WebhookSignatureInvalid("timestamp is not a number") from exc
        if abs(clock() - signed_at) > tolerance_seconds:
            raise WebhookSignatureInvalid("timestamp outside the allowed window (replayed or stale)")


def verify_request(
    public_key: str | ec.EllipticCurvePublicKey,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance_seconds: float | None = DEFAULT_TOLERANCE_SECONDS,
    clock: Callable[[], float] = time.time,
) -> list[TrackingEvent]:
    """Verify a webhook request (headers looked up case-insensitively) and parse its events."""
    lowered = {k.lower(): v for k, v in headers.items()}
    verify_signature(
        public_key, body, lowered.get(SIGNATURE_HEADER.lower()), lowered.get(TIMESTAMP_HEADER.lower()),
        tolerance_seconds=tolerance_seconds, clock=clock,
    )
    return parse_events(body)


def parse_events(body: bytes | str | list[Any] | dict[str, Any]) -> list[TrackingEvent]:
    """A webhook batch (a JSON array; a single object is accepted too) as ``TrackingEvent``s.

    Items without an e-mail address or an event name are skipped: they are not about a recipient.
    """
    data: Any = json.loads(body) if isinstance(body, (bytes, str)) else body
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InvalidInput("webhook body must be a JSON array of events")
    events = []
    for item in data:
        if isinstance(item, dict) and item.get("email") and item.get("event"):
            events.append(to_tracking_event(item))
    return events


def to_tracking_event(raw: dict[str, Any]) -> TrackingEvent:
    name = str(raw["event"]).lower()
    reason = _text(raw.get("reason")) or _text(raw.get("response"))
    hard_bounce = False
    if name == "bounce":
        # SendGrid reports both with event=bounce; type=blocked is a reputation/content refusal
        # by the receiving server, not proof that the address does not exist.
        if str(raw.get("type", "bounce")).lower() == "blocked":
            kind = "blocked"
        else:
            kind = "bounce"
            hard_bounce = not str(raw.get("status", "")).startswith("4")
    elif name == "dropped":
        kind = "dropped"
        hard_bounce = any(word in (reason or "").lower() for word in _DROPPED_AS_BOUNCE)
    elif name in _SIMPLE_KINDS:
        kind = name
    else:
        kind = "other"
    return TrackingEvent(
        kind=kind,
        email=str(raw["email"]).strip().lower(),
        provider_event_id=_text(raw.get("sg_event_id")) or _fingerprint(raw),
        message_ref=message_ref(raw),
        occurred_at=_occurred_at(raw.get("timestamp")),
        hard_bounce=hard_bounce,
        reason=reason,
        payload=raw,
    )


def message_ref(raw: dict[str, Any]) -> str | None:
    """Our message id from custom_args when present, otherwise SendGrid's own message id."""
    custom = raw.get("custom_args")
    if not isinstance(custom, dict):
        custom = {}
    for key in MESSAGE_REF_KEYS:
        value = _text(raw.get(key)) or _text(custom.get(key))
        if value:
            return value
    return _text(raw.get("sg_message_id"))


def _occurred_at(value: Any) -> datetime:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    if seconds > 1e11:  # some Marketing Campaigns events carry milliseconds
        seconds /= 1000
    return datetime.fromtimestamp(seconds, UTC)


def _fingerprint(raw: dict[str, Any]) -> str:
    """A stable id for legacy events without sg_event_id, so a retried batch still de-duplicates."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
