"""Serves every sample site on loopback, by Host header and as a forward HTTP proxy that never leaves the box."""

from __future__ import annotations

import csv
import os
import sys
import threading
import time
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from sampleweb.dataset import Record, domain_of, load_records, records_by_domain
from sampleweb.sites import Response, Site, build_site
from sampleweb.traps import TRAP_HOSTS, TrapState, serve_trap

LOCAL_NAMES = ("127.0.0.1", "localhost", "::1", "")
DEFAULT_SLOW_SECONDS = 8.0


@dataclass(frozen=True)
class SiteInfo:
    domain: str
    url: str
    features: frozenset[str]


def site_features(site: Site) -> frozenset[str]:
    plan = site.plan
    flags = {
        "js_only": plan.js_only,
        "hostile": bool(plan.hostile),
        "robots_disallow": bool(plan.robots_rules),
        "jsonld": plan.jsonld,
        "single_page": plan.single_page,
        "no_sitemap": not plan.has_sitemap,
        "js_email": any(
            f and f.startswith("js_")
            for f in [p.email_form for p in plan.people] + [i.form for i in plan.inboxes]
        ),
        "hiring": bool(plan.roles),
    }
    return frozenset({name for name, on in flags.items() if on} | {f"layout:{plan.layout}"})


class _SampleWebServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512

    def handle_error(self, request, client_address) -> None:
        # Clients (crawlers under test) hang up mid-response all the time; that is not an error here.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def __init__(
        self,
        address: tuple[str, int],
        dataset: str | os.PathLike[str] | None,
        latency_ms: float,
        slow_seconds: float,
    ) -> None:
        self.records = records_by_domain(dataset)
        self.latency = latency_ms / 1000.0
        self.traps = TrapState(slow_seconds)
        self._sites: dict[str, Site] = {}
        self._sites_lock = threading.Lock()
        super().__init__(address, _SampleWebHandler)

    def site(self, domain: str) -> Site | None:
        site = self._sites.get(domain)
        if site is None and domain in self.records:
            with self._sites_lock:
                site = self._sites.get(domain) or build_site(self.records[domain])
                self._sites[domain] = site
        return site


class _SampleWebHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sampleweb/1.0"
    disable_nagle_algorithm = True  # headers and body go out in separate writes on keep-alive
    timeout = 60
    server: _SampleWebServer

    def log_message(self, format: str, *args: object) -> None:  # quiet: benchmarks hit it hard
        return

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._reply(
            Response(
                405, "text/plain; charset=utf-8", b"Method Not Allowed\n", (("Allow", "GET, HEAD"),)
            )
        )

    def do_CONNECT(self) -> None:
        self.close_connection = True
        self._reply(
            Response(
                502, "text/plain; charset=utf-8", b"sampleweb serves plain http only; no tunnels\n"
            )
        )

    def _target(self) -> tuple[str, str]:
        if self.path.startswith(
            ("http://", "https://")
        ):  # absolute-form: we are being used as a proxy
            parts = urlsplit(self.path)
            host = parts.hostname or ""
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        else:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
            target = self.path
        return host.lower().rstrip(".").removeprefix("www."), target

    def _serve(self) -> None:
        if self.server.latency:
            time.sleep(self.server.latency)
        host, target = self._target()
        if host in TRAP_HOSTS:
            serve_trap(self, host, target, self.server.traps)
            return
        if host in LOCAL_NAMES:
            self._reply(Response(200, "text/html; charset=utf-8", self._index()))
            return
        site = self.server.site(host)
        if site is None:
            body = (
                f"502 Bad Gateway: {host or '(no host)'} is not part of the sample web\n".encode()
            )
            self._reply(Response(502, "text/plain; charset=utf-8", body))
            return
        self._reply(site.lookup(target))

    def _reply(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers:
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _index(self) -> bytes:
        links = "".join(
            f'<li><a href="http://{d}/">{escape(d)}</a></li>' for d in sorted(self.server.records)
        )
        traps = "".join(f"<li>{h}: {escape(desc)}</li>" for h, desc in TRAP_HOSTS.items())
        return (
            "<!doctype html><html><head><title>sampleweb</title></head><body><h1>Sample web</h1>"
            f"<p>Use this server as an HTTP proxy to reach the sites.</p><ul>{links}</ul><h2>Traps</h2><ul>{traps}</ul>"
            "</body></html>\n"
        ).encode()


class SampleWeb:
    """The sample web on 127.0.0.1, running in a background thread while the context is open."""

    def __init__(
        self,
        port: int = 0,
        latency_ms: float = 0,
        dataset: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
    ) -> None:
        self._server = _SampleWebServer((host, port), dataset, latency_ms, slow_seconds)
        self._dataset = dataset
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def proxy_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SampleWeb:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="sampleweb", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        self._server.traps.stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SampleWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sites(self) -> list[SiteInfo]:
        """Every company site served, in dataset order."""
        out = []
        for domain in self._server.records:
            site = self._server.site(domain)
            assert site is not None
            out.append(SiteInfo(domain, f"http://{domain}/", site_features(site)))
        return out

    def url_for(self, domain: str, path: str = "/") -> str:
        return f"http://{domain.lower().removeprefix('www.')}{path if path.startswith('/') else '/' + path}"

    def trap_urls(self) -> dict[str, str]:
        return {host: f"http://{host}/" for host in TRAP_HOSTS}


def write_input_file(
    path: str | os.PathLike[str],
    n: int | None = None,
    kind: Literal["txt", "csv"] = "txt",
    include_traps: bool = False,
    dataset: str | os.PathLike[str] | None = None,
) -> Path:
    """Writes company URLs (first ``n`` of the dataset) for ``leadgen run --companies``; returns the path."""
    records: list[Record] = load_records(dataset)[:n]
    rows = [(r["name"], f"http://{domain_of(r)}/") for r in records]
    if include_traps:
        rows += [(f"Trap {host.split('.')[0]}", f"http://{host}/") for host in TRAP_HOSTS]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "txt":
        out.write_text("".join(url + "\n" for _, url in rows), encoding="utf-8")
    elif kind == "csv":
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["name", "website"])
            writer.writerows(rows)
    else:
        raise ValueError(f"kind must be 'txt' or 'csv', not {kind!r}")
    return out


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8765,
    latency_ms: float = 0,
    dataset: str | os.PathLike[str] | None = None,
    slow_seconds: float = DEFAULT_SLOW_SECONDS,
) -> None:
    """Blocking server for the CLI; prints the proxy URL to use as LEADGEN_HTTP_PROXY."""
    web = SampleWeb(
        port=port, latency_ms=latency_ms, dataset=dataset, host=host, slow_seconds=slow_seconds
    )
    print(
        f"sampleweb: {len(web._server.records)} sites; LEADGEN_HTTP_PROXY={web.proxy_url}",
        flush=True,
    )
    try:
        web._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        web._server.traps.stopping.set()
        web._server.server_close()


__all__ = ["SampleWeb", "SiteInfo", "serve_forever", "write_input_file"]
