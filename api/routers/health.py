"""Liveness, readiness (database, broker) and Prometheus metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.context import Context
from core.metrics_export import exposition_registry
from core.settings import Settings

router = APIRouter(tags=["health"])
PING_TIMEOUT = 3.0


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


def _ping_database(ctx) -> None:
    with ctx.sessions() as session:
        session.execute(text("SELECT 1"))


def _ping_broker(settings: Settings) -> None:
    from kombu import Connection

    with Connection(settings.broker_url, connect_timeout=PING_TIMEOUT) as connection:
        connection.ensure_connection(max_retries=1, timeout=PING_TIMEOUT)


@router.get("/readyz")
async def readyz(ctx: Context) -> JSONResponse:
    checks: dict[str, str] = {}
    probes = {"database": lambda: _ping_database(ctx)}
    if ctx.settings.broker_url:
        probes["broker"] = lambda: _ping_broker(ctx.settings)
    for name, probe in probes.items():
        try:
            await asyncio.wait_for(asyncio.to_thread(probe), PING_TIMEOUT + 1)
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; the kind is enough detail
            checks[name] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics() -> Response:
    """Every leadgen metric of this process (or of all processes in multiprocess mode); the
    ratios query the database, so the exposition is built off the event loop."""
    body = await asyncio.to_thread(lambda: generate_latest(exposition_registry()))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
