"""The `leadgen` command: parse arguments, call the graph/API/worker layer, print."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import InvalidInput, LeadgenError
from core.settings import Settings

app = typer.Typer(
    help="leadgen: research, qualify, write, approve and send - a self-hostable lead-generation agent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
approvals_app = typer.Typer(help="The approval queue from the terminal.", no_args_is_help=True)
campaigns_app = typer.Typer(help="Campaigns.", no_args_is_help=True)
sampleweb_app = typer.Typer(help="The bundled sample web (company sites on loopback).", no_args_is_help=True)
users_app = typer.Typer(help="Accounts of reviewers, admins and viewers.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(approvals_app, name="approvals")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(sampleweb_app, name="sampleweb")
app.add_typer(users_app, name="users")


def _register_subapps() -> None:
    from cli.discover import discover_app
    from cli.evals import eval_app
    from cli.experiments import experiments_app
    from cli.ops import ops_app
    from cli.outbox import outbox_app

    app.add_typer(eval_app, name="eval")
    app.add_typer(ops_app, name="ops")
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(discover_app, name="discover")
    app.add_typer(experiments_app, name="experiments")


@app.callback()
def _configure(ctx: typer.Context) -> None:
    """Logging for every command: JSON lines when not on a terminal (or LEADGEN_LOG_FORMAT=json)."""
    from core.logging import configure_logging

    configure_logging(Settings())


_register_subapps()


def _fail(exc: LeadgenError) -> typer.Exit:
    typer.echo(f"error: {exc.detail}", err=True)
    return typer.Exit(2 if isinstance(exc, InvalidInput) else 1)


def _settings(proxy: str | None = None) -> Settings:
    settings = Settings()
    if proxy:
        settings.http_proxy = proxy
    return settings


@app.command()
def run(
    brief: Annotated[Path, typer.Option(help="Campaign brief (YAML or JSON).")],
    companies: Annotated[Path, typer.Option(help="Company URLs/domains, one a line, or a CSV with a 'website' column.")],
    out: Annotated[str, typer.Option(help="Results file (JSON lines); '-' for stdout.")] = "results.jsonl",
    proxy: Annotated[str | None, typer.Option(help="HTTP proxy for every web request (overrides LEADGEN_HTTP_PROXY).")] = None,
    workspace: Annotated[str, typer.Option(help="Workspace that owns the campaign.")] = "default",
) -> None:
    """Run a campaign up to the approval gate and write one JSON line per input company."""
    from cli.database import ensure_database
    from cli.run import run_to_gate
    from core.briefs import load_brief
    from tools.sources.files import read_company_file

    try:
        parsed = load_brief(brief)
        lines = read_company_file(companies)
        settings = _settings(proxy)
        ensure_database(settings)
        stream = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")  # noqa: SIM115
        try:
            campaign_id, leads, status = asyncio.run(
                run_to_gate(settings, parsed, lines, stream, workspace=workspace)
            )
        finally:
            if stream is not sys.stdout:
                stream.close()
    except LeadgenError as exc:
        raise _fail(exc) from exc
    qualified = sum(1 for lead in leads if lead.status == "qualified")
    typer.echo(
        f"campaign {campaign_id}: {len(leads)} companies, {qualified} qualified; status {status}."
        + (f" Results in {out}." if out != "-" else ""),
        err=True,
    )


@app.command()
def demo(
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API and review page afterwards.")] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
    companies: Annotated[int, typer.Option(help="How many sample companies to research.")] = 40,
) -> None:
    """Run a sample campaign on the bundled sample web up to the approval gate, then serve."""
    from cli.demo import run_demo

    try:
        code = run_demo(serve=serve, host=host, port=port, n_companies=companies)
    except LeadgenError as exc:
        raise _fail(exc) from exc
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
) -> None:
    """Serve the API (docs at /docs) and the reviewer web page."""
    import uvicorn

    from api.app import create_app
    from cli.database import ensure_database

    settings = Settings()
    ensure_database(settings)
    if settings.secret_key == Settings.model_fields["secret_key"].default:
        typer.echo("warning: LEADGEN_SECRET_KEY is the built-in placeholder; set your own before real use", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower())


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Worker processes/threads.")] = 2,
    beat: Annotated[bool, typer.Option(help="Also run the scheduler (delivers due mail every minute); one per deployment.")] = False,
) -> None:
    """Start a Celery worker that runs campaigns out of process (needs LEADGEN_BROKER_URL)."""
    settings = Settings()
    if not settings.broker_url:
        typer.echo("error: LEADGEN_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/0)", err=True)
        raise typer.Exit(2)
    from workers.app import start_worker

    settings.ensure_dirs()
    start_worker(settings, concurrency=concurrency, beat=beat)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations (creates the embedded SQLite database when needed)."""
    from core.db.migrate import upgrade

    settings = Settings()
    settings.ensure_dirs()
    upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}: {_redact(settings.resolved_database_url)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    from core.db.migrate import downgrade

    settings = Settings()
    downgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url


def _repo():
    from cli.database import ensure_database
    from core.db.repository import Repository

    settings = Settings()
    ensure_database(settings)
    return settings, Repository.from_url(settings.resolved_database_url)


@campaigns_app.command("list")
def campaigns_list(workspace: str = "default") -> None:
    """List campaigns with their status (and LLM spend, for campaigns that used the LLM)."""
    _, repo = _repo()
    ws = repo.ensure_workspace(workspace)
    campaigns = repo.list_campaigns(ws)
    spend = repo.llm_spend_by_campaign(c.id for c in campaigns)
    for c in campaigns:
        llm = spend.get(c.id)
        used = f"  llm: {llm.tokens} tokens, ${llm.cost_usd:.4f}, {llm.calls} calls" if llm else ""
        typer.echo(f"{c.id}  {c.status:<18} {c.name}{used}")


@approvals_app.command("list")
def approvals_list(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
    status: str = "pending",
) -> None:
    """List approval items (draft e-mails waiting for a decision)."""
    _, repo = _repo()
    for item in repo.approval_items(campaign, status=status, limit=1000):
        company = (item.company.name or item.company.domain) if item.company else item.lead_url
        to = (item.contact.email if item.contact else None) or "-"
        flags = ",".join(item.flags) or "-"
        typer.echo(
            f"{item.id}  score={item.score!s:>3}  step={item.draft.step}  {company}  to={to}  "
            f"flags={flags}  subject={item.draft.subject!r}"
        )


def _decide(approval_id: str, action: str, actor: str) -> None:
    from graph.deps import open_deps
    from graph.runner import CampaignRunner

    settings, repo = _repo()
    try:
        item = repo.decide(approval_id, action, actor)
    except LeadgenError as exc:
        raise _fail(exc) from exc

    async def wake() -> str:
        async with open_deps(settings, repository=repo) as deps:
            return await CampaignRunner(settings, deps).resume(
                item.campaign_id, {approval_id: {"action": action}}
            )

    status = asyncio.run(wake())
    typer.echo(f"{approval_id}: {action}d; campaign {item.campaign_id} is {status}")


@approvals_app.command("approve")
def approvals_approve(approval_id: str, actor: str = "cli") -> None:
    """Approve a draft; the campaign resumes and the message goes to the outbox."""
    _decide(approval_id, "approve", actor)


@approvals_app.command("reject")
def approvals_reject(approval_id: str, actor: str = "cli") -> None:
    """Reject a draft; it is never sent."""
    _decide(approval_id, "reject", actor)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login e-mail.")],
    password: Annotated[str, typer.Option(help="Password (at least 8 characters).", prompt=True, hide_input=True)],
    role: Annotated[str, typer.Option(help="admin, reviewer or viewer.")] = "reviewer",
    workspace: Annotated[str, typer.Option(help="Workspace (created when new).")] = "default",
) -> None:
    """Create a user in a workspace; the workspace is created when it does not exist."""
    from api.accounts import create_user
    from cli.database import ensure_database
    from core.db.engine import make_engine, session_factory

    if role not in ("admin", "reviewer", "viewer"):
        raise _fail(InvalidInput(f"role must be admin, reviewer or viewer, not {role!r}"))
    if len(password) < 8:
        raise _fail(InvalidInput("password must be at least 8 characters"))
    settings = Settings()
    ensure_database(settings)
    try:
        user_id = create_user(session_factory(make_engine(settings.resolved_database_url)), email, password, role, workspace)
    except LeadgenError as exc:
        raise _fail(exc) from exc
    typer.echo(f"user {user_id}: {email} ({role}) in workspace {workspace}")


@sampleweb_app.command("serve")
def sampleweb_serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    latency_ms: Annotated[int, typer.Option(help="Added latency per response.")] = 0,
) -> None:
    """Serve the sample company sites (also usable as an HTTP proxy: LEADGEN_HTTP_PROXY)."""
    from sampleweb.server import serve_forever

    typer.echo(f"sample web on http://{host}:{port} - use LEADGEN_HTTP_PROXY=http://{host}:{port}")
    serve_forever(host, port, latency_ms=latency_ms)


if __name__ == "__main__":
    app()
