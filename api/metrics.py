"""The API's request metrics middleware: requests and latency per route template (never raw paths),
recorded in core.metrics as ``leadgen_http_requests_total`` / ``leadgen_http_request_duration_seconds``."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import metrics


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            # Unmatched paths share one label so random URLs cannot grow the series count.
            template = getattr(route, "path", None) or "unmatched"
            metrics.record_http_request(scope["method"], template, status,
                                        time.perf_counter() - started)
