"""SendGrid Event Webhook: the library's own signature vectors, stale timestamps, and every
documented sample event mapped to a TrackingEvent."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.errors import InvalidInput
from tools.tracking.sendgrid_events import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSignatureInvalid,
    parse_events,
    verify_request,
    verify_signature,
)

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "sendgrid"
VECTORS = json.loads((DATA / "event_webhook_signature_vectors.json").read_text())
BY_TYPE = json.loads((DATA / "sample_events_by_type.json").read_text())["events"]
COMBINED = json.loads((DATA / "sample_events_combined.json").read_text())["payload"]
MISC = json.loads((DATA / "sample_events_marketing_and_misc.json").read_text())["examples"]


def at(ts: float):
    return lambda: ts


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_signature_vectors(case):
    signed_at = 1600112502  # the vectors' own timestamp, so only the signature decides
    args = (case["public_key"], case["payload"].encode(), case["signature"], case["timestamp"])
    if case["expected_valid"]:
        verify_signature(*args, clock=at(signed_at))
    else:
        with pytest.raises(WebhookSignatureInvalid):
            verify_signature(*args, clock=at(signed_at))


def test_valid_vector_through_headers_parses_the_signed_event():
    valid = VECTORS["cases"][0]
    headers = {SIGNATURE_HEADER.lower(): valid["signature"], TIMESTAMP_HEADER: valid["timestamp"]}
    events = verify_request(valid["public_key"], headers, valid["payload"].encode(), clock=at(1600112510))
    assert [(e.kind, e.email, e.provider_event_id) for e in events] == [
        ("dropped", "hello@world.com", VECTORS["payload_event"]["sg_event_id"])]
    assert events[0].message_ref == VECTORS["payload_event"]["sg_message_id"]


def test_body_must_be_the_bytes_received():
    valid = VECTORS["cases"][0]
    reserialized = json.dumps(json.loads(valid["payload"])).encode()
    with pytest.raises(WebhookSignatureInvalid):
        verify_signature(valid["public_key"], reserialized, valid["signature"], valid["timestamp"],
                         clock=at(1600112502))


def test_stale_and_future_timestamps_are_rejected():
    valid = VECTORS["cases"][0]
    args = (valid["public_key"], valid["payload"].encode(), valid["signature"], valid["timestamp"])
    verify_signature(*args, tolerance_seconds=300, clock=at(1600112502 + 300))
    with pytest.raises(WebhookSignatureInvalid, match="window"):
        verify_signature(*args, tolerance_seconds=300, clock=at(1600112502 + 301))
    with pytest.raises(WebhookSignatureInvalid, match="window"):
        verify_signature(*args, tolerance_seconds=60, clock=at(1600112502 - 61))
    # The real clock is years past the vector: the default check refuses it as a replay.
    with pytest.raises(WebhookSignatureInvalid):
        verify_signature(*args)
    verify_signature(*args, tolerance_seconds=None)


def test_own_key_pair_signs_and_a_tampered_body_fails():
    key = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    body = json.dumps(BY_TYPE["delivered"]["payload"]).encode() + b"\r\n"
    ts = str(int(time.time()))
    signature = base64.b64encode(key.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    verify_signature(public, body, signature, ts)
    with pytest.raises(WebhookSignatureInvalid):
        verify_signature(public, body.replace(b"delivered", b"bounce"), signature, ts)
    with pytest.raises(WebhookSignatureInvalid, match="missing"):
        verify_signature(public, body, None, ts)
    with pytest.raises(WebhookSignatureInvalid, match="base64"):
        verify_signature(public, body, "not base64!", ts)


def test_a_key_that_is_not_p256_der_is_refused():
    with pytest.raises(InvalidInput):
        verify_signature("bm90IGEga2V5", b"[]", "MEUCIQ==", "1")


EXPECTED_BY_TYPE = {
    # name: (kind, hard_bounce, reason)
    "processed": ("processed", False, None),
    "dropped": ("dropped", True, "Bounced Address"),
    "delivered": ("delivered", False, "250 OK"),
    "deferred": ("deferred", False, "400 try again later"),
    "bounce": ("bounce", True, "500 unknown recipient"),
    "blocked": ("blocked", False, "500 unknown recipient"),
    "open": ("open", False, None),
    "click": ("click", False, None),
    "spamreport": ("spamreport", False, None),
    "unsubscribe": ("unsubscribe", False, None),
    "group_unsubscribe": ("group_unsubscribe", False, None),
    "group_resubscribe": ("group_resubscribe", False, None),
}


@pytest.mark.parametrize("name", sorted(BY_TYPE))
def test_each_documented_event_type_maps(name):
    raw = BY_TYPE[name]["payload"]
    [event] = parse_events(json.dumps(raw).encode())
    assert (event.kind, event.hard_bounce, event.reason) == EXPECTED_BY_TYPE[name]
    assert event.email == "example@test.com"
    assert event.provider_event_id == raw[0]["sg_event_id"]
    assert event.message_ref == raw[0]["sg_message_id"]
    assert int(event.occurred_at.timestamp()) == 1513299569


def test_combined_batch_maps_every_type_in_order():
    events = parse_events(json.dumps(COMBINED))
    assert [e.kind for e in events] == [
        "processed", "deferred", "delivered", "open", "click", "bounce", "dropped", "spamreport",
        "unsubscribe", "group_unsubscribe", "group_resubscribe"]
    # Placeholder ids in the doc: every event claims the same sg_event_id.
    assert {e.provider_event_id for e in events} == {"sg_event_id"}


@pytest.mark.parametrize("name", sorted(MISC))
def test_marketing_and_misc_examples_parse(name):
    payload = MISC[name]["payload"]
    [event] = parse_events(json.dumps(payload))
    raw = payload[0] if isinstance(payload, list) else payload
    assert event.kind == raw["event"]
    assert event.email == raw["email"].lower()
    assert 2009 <= event.occurred_at.year <= 2021  # the millisecond Single Send stamp is scaled
    if "sg_event_id" in raw:
        assert event.provider_event_id == raw["sg_event_id"]
    else:  # legacy newsletter unsubscribe: a stable content fingerprint stands in
        assert event.provider_event_id.startswith("sha256:")
        assert parse_events(json.dumps(payload))[0].provider_event_id == event.provider_event_id


def test_custom_args_win_over_sendgrid_message_id():
    raw = dict(BY_TYPE["bounce"]["payload"][0], leadgen_message_id="<abc@pipewise.io>")
    assert parse_events([raw])[0].message_ref == "<abc@pipewise.io>"
    nested = dict(BY_TYPE["open"]["payload"][0], custom_args={"idempotency_key": "c:1:2"})
    assert parse_events([nested])[0].message_ref == "c:1:2"


def test_soft_bounce_status_and_dropped_for_other_reasons_are_not_hard():
    soft = dict(BY_TYPE["bounce"]["payload"][0], status="4.2.2", reason="452 mailbox full")
    assert parse_events([soft])[0].hard_bounce is False
    unsubscribed = dict(BY_TYPE["dropped"]["payload"][0], reason="Unsubscribed Address")
    assert parse_events([unsubscribed])[0].hard_bounce is False


def test_items_without_recipient_are_skipped_and_non_lists_refused():
    assert parse_events(b'[{"event":"processed"},{"email":"a@b.example"}]') == []
    with pytest.raises(InvalidInput):
        parse_events(b'"hello"')
