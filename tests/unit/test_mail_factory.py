"""build_mailer picks SMTP, then SendGrid, then the file outbox."""

from __future__ import annotations

from tools.mail.factory import build_mailer
from tools.mail.file_outbox import FileOutboxMailer
from tools.mail.sendgrid import SendGridMailer
from tools.mail.smtp import SMTPMailer


def test_default_is_file_outbox_under_data_dir(settings):
    mailer = build_mailer(settings)
    assert isinstance(mailer, FileOutboxMailer)
    assert mailer.directory == settings.data_dir / "outbox"


def test_sendgrid_when_key_set(settings):
    mailer = build_mailer(settings.model_copy(update={"sendgrid_api_key": "SG.k", "sendgrid_host": "http://127.0.0.1:9"}))
    assert isinstance(mailer, SendGridMailer) and mailer.host == "http://127.0.0.1:9"


def test_smtp_wins_over_sendgrid(settings):
    mailer = build_mailer(
        settings.model_copy(update={"sendgrid_api_key": "SG.k", "smtp_url": "smtps://u:p@mail.example"})
    )
    assert isinstance(mailer, SMTPMailer) and mailer.use_tls and mailer.port == 465
