"""Job boards read through the product's WebFetcher: a company site and the providers' real host
names (boards-api.greenhouse.io, api.lever.co) are all served by a local proxy on loopback, the
board APIs over https through CONNECT, so robots.txt, TLS, the proxy and the size cap are real
and no request leaves the machine."""

from __future__ import annotations

import asyncio
import json

import pytest

from agents.researcher import research
from tests.fixtures.web.server import hang, page
from tests.fixtures.web.virtual_hosts import virtual_hosts
from tools.web.fetcher import WebFetcher

SITE = "acme-robotics.test"
GREENHOUSE = "boards-api.greenhouse.io"
JOBS_PATH = "/v1/boards/acmerobotics/jobs"
HOME = """<html><head><title>Acme Robotics</title></head><body>
<nav><a href="/about">About</a> <a href="/careers">Careers</a></nav>
<p>Acme Robotics builds picking robots for warehouses. We are a team of 40 in Berlin, Germany.</p>
</body></html>"""
ABOUT = "<html><body><h1>About</h1><p>Acme Robotics was founded in 2021 in Berlin.</p></body></html>"
CAREERS = """<html><head><title>Careers at Acme Robotics</title></head><body>
<h1>Careers</h1><p>We are hiring! See our open roles below.</p>
<h3>Robotics Software Engineer</h3>
<div id="grnhse_app"></div>
<script src="https://boards.greenhouse.io/embed/job_board/js?for=acmerobotics"></script>
</body></html>"""
# The documented "List jobs" shape (developers.greenhouse.io/job-board.html).
BOARD = {"jobs": [
    {"id": 4012001, "internal_job_id": 3100001, "title": "Robotics Software Engineer",
     "updated_at": "2026-01-14T10:55:28-05:00", "requisition_id": "R-101", "location": {"name": "Berlin"},
     "absolute_url": "https://boards.greenhouse.io/acmerobotics/jobs/4012001", "metadata": None},
    {"id": 4012002, "internal_job_id": 3100002, "title": "Field Service Technician",
     "updated_at": "2026-01-15T09:00:00-05:00", "requisition_id": "R-102", "location": {"name": "Hamburg"},
     "absolute_url": "https://boards.greenhouse.io/acmerobotics/jobs/4012002", "metadata": None},
], "meta": {"total": 2}}
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


def _site(careers: str = CAREERS) -> dict:
    return {"/": page(HOME), "/about": page(ABOUT), "/careers": page(careers),
            "/robots.txt": page("User-agent: *\nAllow: /\n", content_type=TEXT)}


def _fetcher(settings, proxy_url: str, **update) -> WebFetcher:
    return WebFetcher(settings.model_copy(update={
        "http_proxy": proxy_url, "browser": False, "per_host_delay": 0.0, "fetch_retries": 0, **update,
    }))


async def _research(settings, hosts, monkeypatch, **kwargs):
    monkeypatch.setenv("SSL_CERT_FILE", str(hosts.ca_file))  # httpx trusts the test hosts' certificate
    fetcher = _fetcher(settings, hosts.url, **kwargs.pop("fetcher", {}))
    try:
        return await asyncio.wait_for(research(f"http://{SITE}/", fetcher, **kwargs), timeout=30)
    finally:
        await fetcher.aclose()


async def test_roles_on_the_embedded_greenhouse_board(settings, tmp_path, monkeypatch):
    sites = {SITE: _site(), GREENHOUSE: {JOBS_PATH: page(json.dumps(BOARD), content_type=JSON)}}
    with virtual_hosts(sites, tmp_path) as hosts:
        lead = await _research(settings, hosts, monkeypatch)
        board = hosts.host(GREENHOUSE)
        assert [r.path for r in board.requests] == ["/robots.txt", JOBS_PATH]  # robots.txt first, one read
        assert board.requests[-1].headers.get("User-Agent", "").startswith("leadgen-bot/")
        assert set(hosts.tunnels) == {GREENHOUSE} and hosts.refused == []
    api = f"https://{GREENHOUSE}{JOBS_PATH}"
    company = lead.company
    assert lead.status is None and lead.error is None
    assert company.open_roles == ["Robotics Software Engineer", "Field Service Technician"]
    assert company.is_hiring is True and company.team_size == 40
    assert company.sources["open_roles"] == f"http://{SITE}/careers"
    assert any(s.kind == "hiring" and s.source_url == api and "Field Service Technician (Hamburg)" in s.text
               for s in company.signals)
    assert "Field Service Technician" in company.pages[api]


async def test_a_lever_board_linked_from_the_home_page(settings, tmp_path, monkeypatch):
    home = HOME.replace('<a href="/careers">Careers</a>', '<a href="https://jobs.lever.co/acmerobotics">Jobs</a>')
    postings = [{"id": "5ac21346-8e0c-4494-8e7a-3eb92ff77902", "text": "Controls Engineer",
                 "categories": {"location": "Munich", "commitment": "Full-time", "team": "Hardware"},
                 "hostedUrl": "https://jobs.lever.co/acmerobotics/5ac21346-8e0c-4494-8e7a-3eb92ff77902",
                 "applyUrl": "https://jobs.lever.co/acmerobotics/5ac21346-8e0c-4494-8e7a-3eb92ff77902/apply",
                 "workplaceType": "on-site", "descriptionPlain": "Tune the arms."}]
    no_board = "<html><body><h1>Careers</h1><p>Come build robots with us.</p></body></html>"
    sites = {SITE: {**_site(no_board), "/": page(home)},
             "api.lever.co": {"/v0/postings/acmerobotics?mode=json": page(json.dumps(postings), content_type=JSON)}}
    with virtual_hosts(sites, tmp_path) as hosts:
        lead = await _research(settings, hosts, monkeypatch)
        assert hosts.host("api.lever.co").hits("/v0/postings/acmerobotics?mode=json") == 1
        assert hosts.tunnels == ["api.lever.co", "api.lever.co"]  # robots.txt, then the API; no board HTML
    assert lead.company.open_roles == ["Controls Engineer"]
    assert lead.company.sources["open_roles"] == "https://api.lever.co/v0/postings/acmerobotics?mode=json"


@pytest.mark.parametrize("board_routes", [
    {JOBS_PATH: page('{"status": 404, "error": "Job not found"}', 404, content_type=JSON)},
    {JOBS_PATH: page("<html><body>Our board moved</body></html>")},  # 200, but not the documented JSON
    {JOBS_PATH: page('{"jobs": [{"title": "Robotics', content_type=JSON)},  # cut short
    {JOBS_PATH: page("busy", 503, content_type=TEXT)},
    {"/robots.txt": page("User-agent: *\nDisallow: /v1/\n", content_type=TEXT),
     JOBS_PATH: page(json.dumps(BOARD), content_type=JSON)},
    {JOBS_PATH: page(json.dumps(BOARD) + " " * 5000, content_type=JSON)},  # over the size cap
], ids=["404", "html", "truncated_json", "503", "robots_disallow", "too_large"])
async def test_a_failing_board_never_fails_the_lead(settings, tmp_path, monkeypatch, board_routes):
    sites = {SITE: _site(), GREENHOUSE: board_routes}
    with virtual_hosts(sites, tmp_path) as hosts:
        lead = await _research(settings, hosts, monkeypatch, fetcher={"fetch_max_bytes": 4000})
        assert hosts.host(GREENHOUSE).hits(JOBS_PATH) <= 1
    assert lead.status is None and lead.error is None
    assert lead.company.open_roles == ["Robotics Software Engineer"]  # the careers page's own
    assert lead.company.is_hiring is True
    assert f"https://{GREENHOUSE}{JOBS_PATH}" not in lead.company.pages


async def test_a_hanging_board_stops_at_the_company_deadline(settings, tmp_path, monkeypatch):
    sites = {SITE: _site(), GREENHOUSE: {JOBS_PATH: hang()}}
    with virtual_hosts(sites, tmp_path) as hosts:
        started = asyncio.get_running_loop().time()
        lead = await _research(settings, hosts, monkeypatch, deadline=3.0, fetcher={"fetch_timeout": 30.0})
        elapsed = asyncio.get_running_loop().time() - started
        assert hosts.host(GREENHOUSE).hits(JOBS_PATH) == 1
    assert lead.status is None and lead.company.open_roles == ["Robotics Software Engineer"]
    assert lead.company.team_size == 40
    assert elapsed < 15  # a guard that the deadline, not the 30 s request timeout, ended it


async def test_other_hosts_are_refused_not_fetched(settings, tmp_path, monkeypatch):
    careers = CAREERS.replace("boards.greenhouse.io/embed/job_board/js?for=acmerobotics",
                              "jobs.ashbyhq.com/acmerobotics/embed?version=2")
    with virtual_hosts({SITE: _site(careers)}, tmp_path) as hosts:
        lead = await _research(settings, hosts, monkeypatch)
        assert hosts.refused == ["api.ashbyhq.com:443"]  # asked for, answered 502 by the test proxy
    assert lead.status is None and lead.company.open_roles == ["Robotics Software Engineer"]
