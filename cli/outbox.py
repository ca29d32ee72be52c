"""`leadgen outbox`: send what is due at a given time (injectable clock) and list the queue with
why each message is due when."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from agents import sequencer
from agents.send_policy import SendPolicy
from core.db import Repository, migrate
from core.settings import Settings
from tools.mail.factory import build_mailer

outbox_app = typer.Typer(help="The outbox: deliver due messages, inspect the queue.", no_args_is_help=True)


def _repository(settings: Settings) -> Repository:
    settings.ensure_dirs()
    migrate.upgrade(settings.resolved_database_url)
    return Repository.from_url(settings.resolved_database_url)


def _when(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise typer.BadParameter("--now needs a UTC offset, e.g. 2026-12-01T10:00:00+01:00")
    return parsed


@outbox_app.command("send-due")
def send_due(
    now: Annotated[str | None, typer.Option(help="Act as if it were this time (ISO 8601 with offset).")] = None,
    campaign: Annotated[str | None, typer.Option(help="Only this campaign id.")] = None,
    limit: Annotated[int, typer.Option(help="Messages looked at, at most.")] = 500,
) -> None:
    """Recover interrupted sends, then deliver what is due once; prints a JSON summary."""
    settings = Settings()
    repository = _repository(settings)
    report = asyncio.run(sequencer.deliver_due(
        repository, build_mailer(settings), now=_when(now), public_base_url=settings.public_base_url,
        secret_key=settings.secret_key, campaign_id=campaign, limit=limit,
        policy=SendPolicy.from_settings(settings),
    ))
    typer.echo(json.dumps({
        "sent": len(report.sent), "deferred": report.deferred, "skipped": report.skipped,
        "failed": report.failed, "recovered": report.recovered,
    }, indent=2))


@outbox_app.command("list")
def list_outbox(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign id.")] = None,
    status: Annotated[str | None, typer.Option(help="queued, sending, sent, failed, cancelled, unconfirmed.")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown, at most.")] = 200,
) -> None:
    """One line per message: id, status, due time, recipient, step, then why it is due then."""
    repository = _repository(Settings())
    for row in repository.outbox_list(campaign_id=campaign, status=status, limit=limit):
        due = row.due_at.isoformat() if row.due_at else "-"
        typer.echo(f"{row.id} {row.status:<11} due={due} to={row.to_email} step={row.step} attempts={row.attempts}")
        for key, why in (row.explain or {}).items():
            if key != "tz":
                typer.echo(f"    {key}: {why}")
        if row.last_error:
            typer.echo(f"    last_error: {row.last_error}")
