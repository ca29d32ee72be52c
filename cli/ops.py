"""`leadgen ops`: operator chores - the retention purge and campaign exports to the object store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import InvalidInput, LeadgenError
from core.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

ops_app = typer.Typer(help="Operations: data retention and exports.", no_args_is_help=True)
retention_app = typer.Typer(help="Data retention (LEADGEN_RETENTION_DAYS_*).", no_args_is_help=True)
ops_app.add_typer(retention_app, name="retention")


def _fail(exc: LeadgenError) -> typer.Exit:
    typer.echo(f"error: {exc.detail}", err=True)
    return typer.Exit(2 if isinstance(exc, InvalidInput) else 1)


def _sessions(settings: Settings) -> sessionmaker[Session]:
    from core.db import make_engine, session_factory
    from core.db.migrate import upgrade

    settings.ensure_dirs()
    upgrade(settings.resolved_database_url)
    return session_factory(make_engine(settings.resolved_database_url))


@retention_app.command("purge")
def retention_purge(
    days: Annotated[int | None, typer.Option(
        min=0, help="Use this many days for both windows (snapshots and personal data); 0 keeps everything. "
        "Default: LEADGEN_RETENTION_DAYS_SNAPSHOTS and LEADGEN_RETENTION_DAYS_PERSONAL.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go; change nothing.")] = False,
) -> None:
    """Delete old cached pages and snapshots, erase personal data of old finished leads."""
    from tools.retention import purge

    settings = Settings()
    if days is not None:
        settings = settings.model_copy(update={"retention_days_snapshots": days, "retention_days_personal": days})
    try:
        report = purge(settings, _sessions(settings), datetime.now(UTC), dry_run=dry_run)
    except LeadgenError as exc:
        raise _fail(exc) from exc
    typer.echo(json.dumps(report.as_dict(), indent=2))


@ops_app.command("export")
def export(
    campaign_id: Annotated[str, typer.Argument(help="Campaign id (see `leadgen campaigns list`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "csv",
) -> None:
    """Write a campaign's results to the object store; prints the key and a download URL."""
    from core.db import Repository
    from tools.storage import build_object_store, export_campaign

    settings = Settings()
    try:
        store = build_object_store(settings)
        key = export_campaign(Repository(_sessions(settings)), store, campaign_id, fmt.lower())
        typer.echo(json.dumps({"key": key, "url": store.url(key)}))
    except LeadgenError as exc:
        raise _fail(exc) from exc
