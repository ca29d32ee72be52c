"""`leadgen demo` / `make demo`: a whole campaign on the bundled sample web, then serve."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cli.database import ensure_database
from cli.run import run_to_gate
from core.briefs import load_brief
from core.models import Lead
from core.settings import Settings

DEMO_BRIEF = Path(__file__).parent / "data" / "demo_brief.yaml"
DEMO_USER = ("reviewer@demo.local", "demo-reviewer")


def results_table(leads: list[Lead]) -> Table:
    table = Table(title="Sample campaign - up to the approval gate", show_lines=False)
    table.add_column("Company")
    table.add_column("Status")
    table.add_column("Score", justify="right")
    table.add_column("Why")
    table.add_column("Draft subjects")
    order = {"qualified": 0, "disqualified": 1, "error": 2}
    for lead in sorted(leads, key=lambda x: (order.get(x.status or "error", 3), -(x.qualification.score if x.qualification else 0))):
        name = (lead.company.name if lead.company else None) or lead.url
        score = str(lead.qualification.score) if lead.qualification else "-"
        # The qualifier ends its reasons with the verdict sentence.
        why = (lead.qualification.reasons[-1] if lead.qualification and lead.qualification.reasons else lead.error or "")
        subjects = " | ".join(d.subject for d in lead.drafts) or "-"
        style = {"qualified": "green", "disqualified": "yellow"}.get(lead.status or "", "red")
        table.add_row(name, f"[{style}]{lead.status}[/{style}]", score, why[:90], subjects)
    return table


def _ensure_demo_user(settings: Settings) -> None:
    from api.accounts import create_user
    from core.db.engine import make_engine, session_factory

    factory = session_factory(make_engine(settings.resolved_database_url))
    try:
        create_user(factory, DEMO_USER[0], DEMO_USER[1], "admin", "default")
    except Exception as exc:  # already exists on a second run
        if "exist" not in str(exc).lower() and "conflict" not in type(exc).__name__.lower():
            raise


def run_demo(*, serve: bool, host: str, port: int, n_companies: int) -> int:
    from sampleweb.server import SampleWeb

    console = Console(stderr=False, width=max(140, Console().width))
    settings = Settings()
    ensure_database(settings)
    brief = load_brief(DEMO_BRIEF)
    with SampleWeb(port=0) as web:
        settings.http_proxy = web.proxy_url
        os.environ["LEADGEN_HTTP_PROXY"] = web.proxy_url  # for the API process below
        lines = [site.url for site in web.sites()][:n_companies]
        out_path = settings.data_dir / "demo-results.jsonl"
        console.print(
            f"[bold]leadgen demo[/bold]: sample web on {web.proxy_url} (as HTTP proxy), "
            f"{len(lines)} companies, brief '{brief.name}'"
        )
        with open(out_path, "w", encoding="utf-8") as out:
            campaign_id, leads, status = asyncio.run(run_to_gate(settings, brief, lines, out))
        console.print(results_table(leads))
        qualified = sum(1 for lead in leads if lead.status == "qualified")
        drafts = sum(len(lead.drafts) for lead in leads)
        console.print(
            f"Campaign [bold]{campaign_id}[/bold]: {qualified} qualified of {len(leads)}, "
            f"{drafts} drafts waiting for approval (status: {status}). Results: {out_path}"
        )
        if not serve:
            return 0
        _ensure_demo_user(settings)
        import uvicorn

        from api.app import create_app

        console.print(
            f"Review queue: http://{host}:{port}/  (log in as {DEMO_USER[0]} / {DEMO_USER[1]}); "
            f"API docs: http://{host}:{port}/docs. Ctrl-C to stop."
        )
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    return 0
