"""SMTPMailer against a real aiosmtpd server on 127.0.0.1: plain, AUTH, STARTTLS, TLS, error mapping."""

from __future__ import annotations

import socket
import ssl
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fixtures.tls import self_signed_certificate
from tools.mail.errors import MailBlockedError, MailPermanentError, MailTransientError
from tools.mail.message import OutgoingMessage
from tools.mail.smtp import SMTPMailer

USER, PASSWORD = "mailer", "s3cret:/@"
REJECTIONS = {
    "busy@rcpt.example": "451 4.3.0 Mailbox temporarily unavailable, try again later",
    "nobody@rcpt.example": "550 5.1.1 No such user",
    "listed@rcpt.example": "554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org",
}


class RecordingHandler:
    """Accepts mail like a sink, but answers RCPT/DATA with the codes a real server would."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in REJECTIONS:
            return REJECTIONS[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if b"Subject: please defer" in envelope.content:
            return "452 4.3.1 Insufficient system storage"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued"


class EphemeralPortController(Controller):
    """aiosmtpd Controller bound to port 0; learns its real port before the readiness check."""

    def _trigger_server(self):
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, written as PEM files."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), common_name="127.0.0.1",
                                   dns_names=["localhost"], ip_addresses=["127.0.0.1"])


def _server_context(tls_files) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, tls_files))
    return context


@pytest.fixture
def smtp_server():
    """Starts one aiosmtpd server per test with the given options; stops them all afterwards."""
    started: list[Controller] = []

    def start(**kwargs) -> tuple[RecordingHandler, int]:
        handler = RecordingHandler()
        controller = EphemeralPortController(handler, hostname="127.0.0.1", port=0, **kwargs)
        controller.start()
        started.append(controller)
        return handler, controller.port

    yield start
    for controller in started:
        controller.stop()


def _message(to_email: str = "max@ledgerly.example", subject: str = "Quick question") -> OutgoingMessage:
    return OutgoingMessage(
        message_id="c1-l1-s1",
        idempotency_key="c1:l1:1",
        from_name="Jane Doe",
        from_email="jane@acme.example",
        to_email=to_email,
        to_name="Max",
        subject=subject,
        text="Hi Max,\nquick question about your hiring.",
        postal_address="Acme, 1 Main St, Springfield",
        unsubscribe_url="https://leadgen.example/u/t",
    )


def _received(handler: RecordingHandler):
    [(mail_from, rcpt_tos, content)] = handler.messages
    return mail_from, rcpt_tos, BytesParser(policy=policy.default).parsebytes(content)


async def test_plain_smtp_delivers_the_mime_message(smtp_server):
    handler, port = smtp_server()
    result = await SMTPMailer.from_url(f"smtp://127.0.0.1:{port}?timeout=5").send(_message())
    assert (result.provider, result.accepted) == ("smtp", True)
    assert result.provider_message_id == "<c1-l1-s1@acme.example>"
    mail_from, rcpt_tos, parsed = _received(handler)
    assert (mail_from, rcpt_tos) == ("jane@acme.example", ["max@ledgerly.example"])
    assert parsed["Message-ID"] == "<c1-l1-s1@acme.example>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_body(preferencelist=("html",)) is not None


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_auth_with_credentials_from_the_url(smtp_server):
    handler, port = smtp_server(
        authenticator=_authenticate, auth_required=True, auth_require_tls=False
    )
    url = f"smtp://{USER}:s3cret%3A%2F%40@127.0.0.1:{port}?starttls=0"
    await SMTPMailer.from_url(url).send(_message())
    assert len(handler.messages) == 1

    with pytest.raises(MailPermanentError) as wrong:
        await SMTPMailer.from_url(f"smtp://{USER}:wrong@127.0.0.1:{port}").send(_message())
    assert wrong.value.code == 535
    with pytest.raises(MailPermanentError) as anonymous:  # server demands AUTH: 530
        await SMTPMailer.from_url(f"smtp://127.0.0.1:{port}").send(_message())
    assert anonymous.value.code == 530
    assert len(handler.messages) == 1


async def test_starttls_with_self_signed_cert_and_auth(smtp_server, tls_files):
    handler, port = smtp_server(
        tls_context=_server_context(tls_files),
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
    )
    cafile = tls_files[0]
    url = f"smtp://{USER}:s3cret%3A%2F%40@127.0.0.1:{port}?starttls=1&cafile={cafile}"
    await SMTPMailer.from_url(url).send(_message())
    assert len(handler.messages) == 1

    untrusted = f"smtp://{USER}:s3cret%3A%2F%40@127.0.0.1:{port}?starttls=1"
    with pytest.raises(MailPermanentError, match="certificate"):
        await SMTPMailer.from_url(untrusted).send(_message())
    assert len(handler.messages) == 1


async def test_implicit_tls_smtps(smtp_server, tls_files):
    handler, port = smtp_server(ssl_context=_server_context(tls_files))
    await SMTPMailer.from_url(f"smtps://127.0.0.1:{port}?cafile={tls_files[0]}").send(_message())
    assert len(handler.messages) == 1
    unverified = SMTPMailer.from_url(f"smtps://127.0.0.1:{port}?tls_verify=0")
    await unverified.send(_message())
    assert len(handler.messages) == 2


@pytest.mark.parametrize(
    ("to_email", "subject", "error", "code"),
    [
        ("busy@rcpt.example", "hello", MailTransientError, 451),
        ("nobody@rcpt.example", "hello", MailPermanentError, 550),
        ("listed@rcpt.example", "hello", MailBlockedError, 554),
        ("max@ledgerly.example", "please defer", MailTransientError, 452),
    ],
)
async def test_reply_codes_map_to_error_types(smtp_server, to_email, subject, error, code):
    handler, port = smtp_server()
    with pytest.raises(error) as raised:
        await SMTPMailer.from_url(f"smtp://127.0.0.1:{port}").send(_message(to_email, subject))
    assert type(raised.value) is error
    assert raised.value.code == code
    assert handler.messages == []


async def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with pytest.raises(MailTransientError):
            await SMTPMailer.from_url(f"smtp://127.0.0.1:{port}?timeout=2").send(_message())


def test_from_url_parsing_and_validation():
    mailer = SMTPMailer.from_url("smtp://u%40x:p%2Fw@mail.example?starttls=1&timeout=7.5")
    assert (mailer.host, mailer.port, mailer.username, mailer.password) == (
        "mail.example", 587, "u@x", "p/w"
    )
    assert (mailer.start_tls, mailer.use_tls, mailer.timeout, mailer.tls_verify) == (True, False, 7.5, True)
    assert "p/w" not in repr(mailer)
    assert SMTPMailer.from_url("smtps://mail.example").port == 465
    assert SMTPMailer.from_url("smtp://mail.example").port == 25
    assert SMTPMailer.from_url("smtp://mail.example:2525?starttls=0").start_tls is False
    for bad in ("http://mail.example", "smtps://h?starttls=1", "smtp://h?starttls=maybe", "smtp://h?timeout=0"):
        with pytest.raises(ValueError):
            SMTPMailer.from_url(bad)
