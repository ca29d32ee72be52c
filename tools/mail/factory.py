"""Chooses the mail provider from settings: SMTP, else SendGrid, else the file outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.mail.base import Mailer
from tools.mail.file_outbox import FileOutboxMailer
from tools.mail.sendgrid import SendGridMailer
from tools.mail.smtp import SMTPMailer

if TYPE_CHECKING:
    from core.settings import Settings


def build_mailer(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SMTPMailer.from_url(settings.smtp_url)
    if settings.sendgrid_api_key:
        return SendGridMailer(settings.sendgrid_api_key, settings.sendgrid_host)
    return FileOutboxMailer(settings.data_dir / "outbox")
