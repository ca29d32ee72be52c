"""SendGridMailer (official SDK) against a fake SendGrid API on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.fixtures.sendgrid_fake import FakeSendGrid, validate_mail_send
from tools.mail.errors import MailPermanentError, MailTransientError
from tools.mail.message import OutgoingMessage
from tools.mail.sendgrid import SendGridMailer, build_payload, retry_hint

API_KEY = "SG.test-key"


@pytest.fixture
def fake():
    with FakeSendGrid(api_key=API_KEY) as server:
        yield server


class RecordedSleep:
    """Stands in for asyncio.sleep so backoff delays are observed, not waited for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def _mailer(fake: FakeSendGrid, sleep: RecordedSleep, **kwargs) -> SendGridMailer:
    return SendGridMailer(kwargs.pop("api_key", API_KEY), fake.url, timeout=5, sleep=sleep, **kwargs)


def _message(**overrides) -> OutgoingMessage:
    fields = dict(
        message_id="c1-l1-s1",
        idempotency_key="c1:l1:1",
        from_name="Jane Doe",
        from_email="jane@acme.example",
        reply_to="replies@acme.example",
        to_email="max@ledgerly.example",
        to_name="Max",
        subject="Quick question",
        text="Hi Max,\nquick question.",
        postal_address="Acme, 1 Main St, Springfield",
        unsubscribe_url="https://leadgen.example/u/t",
        unsubscribe_mailto="unsubscribe@acme.example",
    )
    fields.update(overrides)
    return OutgoingMessage(**fields)


async def test_send_posts_a_valid_payload_and_returns_the_message_id(fake):
    sleep = RecordedSleep()
    result = await _mailer(fake, sleep).send(_message())
    assert (result.provider, result.provider_message_id, result.accepted) == ("sendgrid", "fake-1", True)
    [request] = fake.requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    payload = request.payload
    assert payload["personalizations"] == [{"to": [{"email": "max@ledgerly.example", "name": "Max"}]}]
    assert payload["from"] == {"email": "jane@acme.example", "name": "Jane Doe"}
    assert payload["reply_to"] == {"email": "replies@acme.example"}
    assert [c["type"] for c in payload["content"]] == ["text/plain", "text/html"]
    assert "1 Main St" in payload["content"][0]["value"]
    assert payload["custom_args"] == {"idempotency_key": "c1:l1:1", "leadgen_message_id": "c1-l1-s1"}
    assert payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert payload["headers"]["List-Unsubscribe"].startswith("<https://leadgen.example/u/t>, <mailto:")
    assert payload["headers"]["X-Leadgen-Idempotency-Key"] == "c1:l1:1"
    assert sleep.delays == []


async def test_429_honours_retry_after_then_succeeds(fake):
    fake.mode, fake.retry_after = "rate_limited", "3"
    sleep = RecordedSleep()
    result = await _mailer(fake, sleep).send(_message())
    assert result.accepted and result.provider_message_id == "fake-1"
    assert sleep.delays == [3.0]
    assert len(fake.requests) == 2


async def test_429_with_rate_limit_reset_header(fake):
    fake.mode = "rate_limited_reset"
    sleep = RecordedSleep()
    assert (await _mailer(fake, sleep).send(_message())).accepted
    [delay] = sleep.delays
    assert 0 <= delay <= 3


async def test_retry_after_beyond_the_cap_is_handed_back_not_waited(fake):
    fake.mode, fake.retry_after = "rate_limited", "3600"
    sleep = RecordedSleep()
    with pytest.raises(MailTransientError) as raised:
        await _mailer(fake, sleep, max_backoff=30).send(_message())
    assert (raised.value.code, raised.value.retry_after) == (429, 3600.0)
    assert sleep.delays == [] and len(fake.requests) == 1


async def test_500_twice_then_202_with_exponential_backoff(fake):
    fake.mode = "flaky"
    sleep = RecordedSleep()
    result = await _mailer(fake, sleep, backoff_base=1.0).send(_message())
    assert result.accepted and len(fake.requests) == 3
    first, second = sleep.delays
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


async def test_persistent_5xx_becomes_transient_after_retries(fake):
    fake.mode = "down"
    sleep = RecordedSleep()
    with pytest.raises(MailTransientError) as raised:
        await _mailer(fake, sleep, max_retries=2).send(_message())
    assert raised.value.code == 503
    assert len(fake.requests) == 3 and len(sleep.delays) == 2


async def test_400_is_permanent_with_sendgrid_error_messages(fake):
    fake.mode = "bad_request"
    sleep = RecordedSleep()
    with pytest.raises(MailPermanentError) as raised:
        await _mailer(fake, sleep).send(_message())
    assert raised.value.code == 400
    assert "verified Sender Identity" in raised.value.detail
    assert len(fake.requests) == 1 and sleep.delays == []


async def test_wrong_api_key_is_permanent(fake):
    with pytest.raises(MailPermanentError) as raised:
        await _mailer(fake, RecordedSleep(), api_key="SG.wrong").send(_message())
    assert raised.value.code == 401


async def test_unreachable_api_is_transient():
    server = FakeSendGrid().start()
    url = server.url
    server.stop()
    mailer = SendGridMailer(API_KEY, url, timeout=2, sleep=RecordedSleep())
    with pytest.raises(MailTransientError):
        await mailer.send(_message())


def test_fake_validator_catches_shape_errors():
    # The fake must reject what SendGrid rejects, or the happy-path test proves nothing.
    good = build_payload(_message())
    assert validate_mail_send(good) == []
    bad = {**good, "content": list(reversed(good["content"])), "headers": {"From": "x"}}
    del bad["subject"]
    fields = {e["field"] for e in validate_mail_send(bad)}
    assert {"subject", "content.0.type", "headers"} <= fields


def test_retry_hint_parses_seconds_dates_and_reset():
    assert retry_hint({"Retry-After": "7"}) == 7.0
    assert retry_hint({"Retry-After": "Thu, 01 Jan 2099 00:00:10 GMT"}, now=4070908800.0) == 10.0
    assert retry_hint({"X-RateLimit-Reset": "1010"}, now=1000.0) == 10.0
    assert retry_hint({"Retry-After": "soon"}) is None
    assert retry_hint(None) is None
