"""Misbehaving hosts under ``.trap.test`` that a polite, safe fetcher must survive (see sampleweb/README.md)."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

TRAP_HOSTS: dict[str, str] = {
    "slow.trap.test": "answers every request after `slow_seconds` (default 8 s)",
    "hang.trap.test": "reads the request and never answers",
    "loop.trap.test": "redirects forever: /a -> /b -> /a ...",
    "huge.trap.test": "streams 64 MiB of HTML without Content-Length, then closes",
    "error.trap.test": "answers 500 Internal Server Error on every path",
    "ratelimit.trap.test": "answers 429 (Retry-After: 1) to the first request for each path, then 200",
    "robots503.trap.test": "robots.txt answers 503; other pages answer 200",
}
HUGE_BYTES = 64 * 1024 * 1024
_CHUNK = (b"<p>" + b"All work and no play makes a crawler dull. " * 30 + b"</p>\n") * 40


class TrapState:
    """Per-server state: stop signal for hanging handlers, per-path counters for the rate limiter."""

    def __init__(self, slow_seconds: float) -> None:
        self.slow_seconds = slow_seconds
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()

    def hit(self, key: str) -> int:
        with self._lock:
            self._hits[key] += 1
            return self._hits[key]


def _page(host: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>{host}</title></head><body><h1>{host}</h1>"
        f"<p>{TRAP_HOSTS[host]}.</p></body></html>\n"
    ).encode()


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def serve_trap(handler: BaseHTTPRequestHandler, host: str, target: str, state: TrapState) -> None:
    path = urlsplit(target).path or "/"
    if host == "slow.trap.test":
        if state.stopping.wait(state.slow_seconds):
            handler.close_connection = True
            return
        _send(handler, 200, _page(host))
    elif host == "hang.trap.test":
        state.stopping.wait()
        handler.close_connection = True
    elif host == "loop.trap.test":
        nxt = "/b" if path == "/a" else "/a"
        _send(handler, 302, b"", {"Location": f"http://{host}{nxt}"})
    elif host == "huge.trap.test":
        _stream_huge(handler)
    elif host == "error.trap.test":
        _send(handler, 500, b"<h1>500 Internal Server Error</h1>")
    elif host == "ratelimit.trap.test":
        if state.hit(path) == 1:
            _send(handler, 429, b"<h1>Too Many Requests</h1>", {"Retry-After": "1"})
        else:
            _send(handler, 200, _page(host))
    elif host == "robots503.trap.test":
        if path == "/robots.txt":
            _send(handler, 503, b"<h1>Service Unavailable</h1>", {"Retry-After": "30"})
        else:
            _send(handler, 200, _page(host))
    else:
        raise KeyError(host)


def _stream_huge(handler: BaseHTTPRequestHandler) -> None:
    # No Content-Length and no chunking: the body ends when the connection closes (RFC 9112 §6.3).
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Connection", "close")
    handler.end_headers()
    if handler.command == "HEAD":
        return
    sent = 0
    try:
        handler.wfile.write(b"<!doctype html><html><body>")
        while sent < HUGE_BYTES:
            handler.wfile.write(_CHUNK)
            sent += len(_CHUNK)
        handler.wfile.write(b"</body></html>")
    except (BrokenPipeError, ConnectionResetError):
        return
