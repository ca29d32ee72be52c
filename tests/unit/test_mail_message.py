"""build_mime and OutgoingMessage: headers parse back, both parts exist, the footer is guaranteed."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest
from pydantic import ValidationError

from tools.mail.message import OutgoingMessage, build_mime, text_to_html

ADDRESS = "Acme GmbH, Hauptstr. 5, 10115 Berlin, Germany"


def _message(**overrides) -> OutgoingMessage:
    fields = dict(
        message_id="camp1-lead7-step1",
        idempotency_key="camp1:lead7:1",
        from_name="Jane Doe",
        from_email="jane@acme.example",
        reply_to="replies@acme.example",
        to_email="max@ledgerly.example",
        to_name="Max Müller",
        subject="Your hiring push",
        text="Hi Max,\n\nSaw you are hiring 3 engineers.\n\nBest,\nJane",
        postal_address=ADDRESS,
        unsubscribe_url="https://leadgen.example/u/tok123",
        unsubscribe_mailto="unsubscribe@acme.example",
    )
    fields.update(overrides)
    return OutgoingMessage(**fields)


def _parse(msg: OutgoingMessage):
    return BytesParser(policy=policy.default).parsebytes(build_mime(msg).as_bytes())


def test_headers_parse_back():
    parsed = _parse(_message(headers={"X-Campaign": "camp1"}))
    assert parsed["From"].addresses[0].display_name == "Jane Doe"
    assert parsed["From"].addresses[0].addr_spec == "jane@acme.example"
    assert parsed["To"].addresses[0].display_name == "Max Müller"
    assert parsed["To"].addresses[0].addr_spec == "max@ledgerly.example"
    assert parsed["Reply-To"].addresses[0].addr_spec == "replies@acme.example"
    assert parsed["Subject"] == "Your hiring push"
    assert parsed["Message-ID"] == "<camp1-lead7-step1@acme.example>"
    assert parsedate_to_datetime(parsed["Date"]).tzinfo is not None
    assert parsed["List-Unsubscribe"] == (
        "<https://leadgen.example/u/tok123>, <mailto:unsubscribe@acme.example?subject=unsubscribe>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["X-Leadgen-Idempotency-Key"] == "camp1:lead7:1"
    assert parsed["X-Campaign"] == "camp1"


def test_both_parts_present_with_footer():
    parsed = _parse(_message())
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("Hi Max,")
    for body in (text, html):
        assert ADDRESS in body
        assert "unsubscribe" in body.lower()
        assert "https://leadgen.example/u/tok123" in body
    assert '<a href="https://leadgen.example/u/tok123">' in html


def test_footer_not_duplicated_when_body_has_it():
    text = f"Hi,\n\nShort note.\n\n{ADDRESS.replace(', ', chr(10))}\nReply 'stop' to opt out."
    body = _message(text=text).body_text()
    assert body.count("Hauptstr. 5") == 1
    assert "unsubscribe here" not in body


def test_only_missing_footer_part_is_added():
    body = _message(text=f"Hi.\n\n{ADDRESS}").body_text()
    assert body.count(ADDRESS) == 1
    assert body.rstrip().endswith("unsubscribe here: https://leadgen.example/u/tok123")


def test_given_html_gets_footer_before_body_end_and_text_is_escaped():
    msg = _message(html="<html><body><p>Hello</p></body></html>")
    html = msg.body_html()
    assert html.index(ADDRESS) < html.index("</body>")
    generated = _message(text="Price < 5 & \"fast\" <script>alert(1)</script>").body_html()
    assert "<script>" not in generated
    assert "&lt;script&gt;" in generated and "&amp;" in generated


def test_text_to_html_paragraphs_and_links():
    html = text_to_html("One\ntwo\n\nSee https://a.example/x.")
    assert "<p>One<br>\ntwo</p>" in html
    assert '<a href="https://a.example/x">https://a.example/x</a>.' in html


def test_header_injection_and_reserved_headers_are_refused():
    assert _message(subject="Hello\r\nBcc: victim@x.example").subject == "Hello Bcc: victim@x.example"
    with pytest.raises(ValidationError):
        _message(headers={"Bcc": "victim@x.example"})
    with pytest.raises(ValidationError):
        _message(headers={"X-Ok": "a\r\nBcc: victim@x.example"})
    with pytest.raises(ValidationError):
        _message(to_email="not an address")
    with pytest.raises(ValidationError):
        _message(unsubscribe_url="javascript:alert(1)")


def test_without_mailto_only_https_link_and_rfc_ids_kept():
    parsed = _parse(_message(unsubscribe_mailto=None, message_id="<abc@mail.example>"))
    assert parsed["List-Unsubscribe"] == "<https://leadgen.example/u/tok123>"
    assert parsed["Message-ID"] == "<abc@mail.example>"
    assert _message(message_id="id with spaces/and:colons").rfc_message_id == (
        "<id-with-spaces/and-colons@acme.example>"
    )
