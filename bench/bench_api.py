"""Approval-queue API latency (issue 8): N pending approval items seeded through the ORM, then
``GET /api/v1/approvals?limit=50`` pages (p50/p95) and one ``POST /api/v1/approvals/bulk`` approving
1,000 items, over httpx against uvicorn on 127.0.0.1, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.bench_api --items 10000 --bulk 1000
Writes bench/results/api.json. Targets: list p95 < 50 ms, bulk approve of 1,000 < 2 s. Never fails on time.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bench.report import print_summary, write_result
from core.models import (
    CampaignBrief,
    Claim,
    Company,
    Contact,
    Draft,
    Evidence,
    Lead,
    Qualification,
    Sender,
)
from core.settings import Settings

NAME = "api"
BENCH_OPTIONS = {"quick": ["--quick"], "results_dir": "--results-dir"}
TARGET_LIST_P95_MS = 50.0
TARGET_BULK_SECONDS = 2.0
PASSWORD = "bench-password-not-secret-1"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.bench_api", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--items", type=int, default=10_000, help="pending approval items to seed")
    p.add_argument("--bulk", type=int, default=1000, help="items approved in one bulk request")
    p.add_argument("--pages", type=int, default=200, help="list requests to time")
    p.add_argument("--databases", default="sqlite,postgres",
                   help="comma separated: sqlite, postgres (default both)")
    p.add_argument("--postgres-server", default=POSTGRES_SERVER,
                   help=f"PostgreSQL server URL without a database (default {POSTGRES_SERVER})")
    p.add_argument("--quick", action="store_true", help="items=400, bulk=100, pages=40")
    p.add_argument("--results-dir", type=Path, default=None, help="where the JSON goes")
    args = p.parse_args(argv)
    if args.quick:
        args.items, args.bulk, args.pages = min(args.items, 400), min(args.bulk, 100), min(args.pages, 40)
    return args


class RecordingLauncher:
    """Keeps resume requests instead of running the graph: the bulk request is timed, not the
    asynchronous sending it triggers (which a worker does in production)."""

    def __init__(self) -> None:
        self.resumes: list[tuple[str, int]] = []

    async def start(self, campaign_id: str) -> None:
        return None

    async def resume(self, campaign_id: str, decisions: dict[str, dict]) -> None:
        self.resumes.append((campaign_id, len(decisions)))

    async def aclose(self) -> None:
        return None


def bench_brief() -> CampaignBrief:
    return CampaignBrief(
        name="API bench", offer="a managed evaluation service for LLM features",
        sender=Sender(name="Dana Bench", company="Benchco", email="dana@benchco.example",
                      postal_address="1 Bench Street, Springfield 12345"),
    )


def synthetic_lead(i: int, rng: random.Random, brief: CampaignBrief) -> Lead:
    """A qualified lead with a sourced fact, one contact and ``brief.sequence_steps`` drafts."""
    domain = f"company{i:05d}.bench.example"
    about, team = f"https://{domain}/about", f"https://{domain}/team"
    fact = f"Company {i} opened an office in city {i % 97}"
    email = f"ada{i}@{domain}"
    company = Company(name=f"Company {i}", domain=domain, industry="software", team_size=20 + i % 80,
                      facts=[Evidence(claim=fact, source_url=about)],
                      pages={about: f"About us. {fact} this year.", team: "Ada Example, CTO"})
    drafts = [Draft(step=step, subject=f"Step {step} for Company {i}", to_email=email, to_name="Ada",
                    body=f"Hi Ada,\n\nI read that {fact}. {brief.offer}.\n\n{brief.sender.name}",
                    claims=[Claim(text=fact, source_url=about)] if step == 1 else [])
              for step in range(1, brief.sequence_steps + 1)]
    return Lead(url=f"https://{domain}/", status="qualified", index=i, company=company,
                contacts=[Contact(name="Ada Example", title="CTO", email=email, source_url=team,
                                  email_status="found")],
                qualification=Qualification(fit=True, score=rng.randint(50, 100),
                                            reasons=["Software company"],
                                            evidence=[Evidence(claim=fact, source_url=about)]),
                drafts=drafts)


def seed(database_url: str, items: int) -> dict[str, Any]:
    """Migrate, create a reviewer and a campaign, and store leads (one transaction per 250)."""
    from api.accounts import create_user
    from core.db.engine import make_engine, session_factory
    from core.db.lead_store import store_lead
    from core.db.migrate import upgrade
    from core.db.repository import Repository
    from core.db.tables import Campaign

    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    repo = Repository(sessions)
    email = f"reviewer-{uuid.uuid4().hex[:8]}@bench.example"
    create_user(sessions, email, PASSWORD, "reviewer", "bench")
    workspace_id = repo.ensure_workspace("bench")
    brief = bench_brief()
    n_leads = -(-items // brief.sequence_steps)
    rng = random.Random(7)
    leads = [synthetic_lead(i, rng, brief) for i in range(n_leads)]
    campaign_id = repo.create_campaign(brief, [lead.url for lead in leads], workspace_id=workspace_id)
    started = time.perf_counter()
    for first in range(0, n_leads, 250):
        with sessions.begin() as session:
            campaign = session.get(Campaign, campaign_id)
            assert campaign is not None
            for lead in leads[first:first + 250]:
                store_lead(session, campaign, lead)
    seconds = time.perf_counter() - started
    pending = repo.campaign_counts(campaign_id)["approvals"]["pending"]
    engine.dispose()
    return {"email": email, "campaign_id": campaign_id, "pending": pending,
            "seed_seconds": round(seconds, 1)}


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The real app (create_app) under uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    from api.app import create_app
    from api.rate_limits import Rate

    # The default per-user rate limit (20/s) would turn a latency benchmark into a 429 benchmark.
    app = create_app(settings, launcher=RecordingLauncher(),
                     rate=Rate(per_second=100_000.0, burst=100_000))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(database_url: str, label: str, args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    seeded = seed(database_url, args.items)
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=database_url,  # type: ignore[call-arg]
                        secret_key="bench-secret-" + "0123456789abcdef" * 3)
    with serve(settings) as base, httpx.Client(base_url=base, timeout=60) as client:
        token = client.post("/api/v1/auth/token", data={"username": seeded["email"], "password": PASSWORD})
        token.raise_for_status()
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        max_offset = max(0, seeded["pending"] - 50)
        offsets = [0, *(random.Random(1).randint(0, max_offset) for _ in range(args.pages - 1))]
        client.get("/api/v1/approvals", params={"limit": 50}).raise_for_status()  # warm-up
        latencies, first_page = [], []
        for k, offset in enumerate(offsets):
            t0 = time.perf_counter()
            response = client.get("/api/v1/approvals", params={"limit": 50, "offset": offset})
            elapsed = (time.perf_counter() - t0) * 1000
            response.raise_for_status()
            latencies.append(elapsed)
            if k % 4 == 0:
                t0 = time.perf_counter()
                client.get("/api/v1/approvals", params={"limit": 50}).raise_for_status()
                first_page.append((time.perf_counter() - t0) * 1000)
        ids: list[str] = []
        while len(ids) < args.bulk:
            page = client.get("/api/v1/approvals", params={"limit": 200, "offset": len(ids)}).json()
            if not page["items"]:
                break
            ids += [item["id"] for item in page["items"]]
        ids = ids[: args.bulk]
        t0 = time.perf_counter()
        bulk = client.post("/api/v1/approvals/bulk", json={"action": "approve", "ids": ids})
        bulk_seconds = time.perf_counter() - t0
        bulk.raise_for_status()
        decided = len(bulk.json()["decided"])
    list_p95 = percentile(latencies, 0.95)
    return {
        "database": label, "pending_items": seeded["pending"], "seed_seconds": seeded["seed_seconds"],
        "list_requests": len(latencies),
        "list_p50_ms": round(statistics.median(latencies), 1),
        "list_p95_ms": round(list_p95, 1),
        "list_max_ms": round(max(latencies), 1),
        "first_page_p50_ms": round(statistics.median(first_page), 1),
        "first_page_p95_ms": round(percentile(first_page, 0.95), 1),
        "bulk_items": len(ids), "bulk_decided": decided, "bulk_seconds": round(bulk_seconds, 2),
        "meets_list_target": list_p95 < TARGET_LIST_P95_MS,
        "meets_bulk_target": bulk_seconds < TARGET_BULK_SECONDS,
    }


@contextmanager
def scratch_database(kind: str, tmp: Path, postgres_server: str) -> Iterator[str]:
    from core.db.provision import create_database, drop_database

    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'api-bench.db'}"
        return
    url = f"{postgres_server.rstrip('/')}/leadgen_bench_{uuid.uuid4().hex[:10]}"
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    result: dict[str, Any] = {
        "transport": "httpx.Client over TCP to uvicorn on 127.0.0.1 (server in a thread of this process)",
        "app": "api.app.create_app with a recording launcher and the rate limit raised",
        "items": args.items, "bulk": args.bulk,
        "targets": {"list_p95_ms": TARGET_LIST_P95_MS, "bulk_seconds": TARGET_BULK_SECONDS},
        "runs": {},
    }
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        with tempfile.TemporaryDirectory(prefix=f"bench-api-{kind}-") as tmp, \
                scratch_database(kind, Path(tmp), args.postgres_server) as url:
            run = measure(url, "postgresql" if kind == "postgres" else "sqlite", args, Path(tmp))
        result["runs"][kind] = run
        print_summary(f"API on {run['database']}: {run['pending_items']} pending items", {
            k: run[k] for k in ("list_p50_ms", "list_p95_ms", "first_page_p95_ms", "bulk_items",
                                "bulk_seconds", "meets_list_target", "meets_bulk_target")})
    path = write_result(NAME, result, args.results_dir)
    print(f"wrote {path}", flush=True)
    return result


if __name__ == "__main__":
    main()
