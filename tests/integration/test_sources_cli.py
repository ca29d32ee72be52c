"""`leadgen discover` end to end: a brief, a local listing site, a fake Brave API and a JSONL file."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from cli.discover import discover_app
from tests.fixtures.providers.listing_site import listing_routes
from tests.fixtures.providers.search_fake import BRAVE_TOKEN, brave_api
from tests.fixtures.web.server import serve
from tools.extract.domains import registrable_domain
from tools.sources.files import read_company_file

BRIEF = {
    "name": "Berlin logistics",
    "offer": "route planning",
    "icp": {"industries": ["logistics"], "locations": ["Berlin"], "exclude": ["gamma.co.uk"]},
    "sender": {"name": "A B", "company": "C", "email": "a@c.com", "postal_address": "1 Main St, Springfield"},
}
HITS = [("https://shipnorth.com/", "Shipnorth | Freight", ""), ("https://acme-robotics.com/", "Acme", ""),
        ("https://www.linkedin.com/company/x", "X - LinkedIn", "")]


def env(monkeypatch, tmp_path, **extra):
    values = {"LEADGEN_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "LEADGEN_PER_HOST_DELAY": "0", "LEADGEN_BROWSER": "false",
              "LEADGEN_PAGE_CACHE": "false", "LEADGEN_DATA_DIR": str(tmp_path / "data"), **extra}
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def test_discover_writes_a_companies_file_run_can_read(settings, tmp_path, monkeypatch):
    brief = tmp_path / "brief.yaml"
    brief.write_text(yaml.safe_dump(BRIEF))
    imported = tmp_path / "seed.jsonl"
    imported.write_text(json.dumps({"name": "Seed Co", "website": "https://seed-co.com/"}) + "\n")
    out = tmp_path / "companies.txt"
    with serve(listing_routes()) as web, brave_api(lambda q: HITS) as api:
        env(monkeypatch, tmp_path, LEADGEN_SEARCH_PROVIDER="brave", LEADGEN_SEARCH_BASE_URL=api.base_url,
            LEADGEN_SEARCH_API_KEY=BRAVE_TOKEN)
        result = CliRunner().invoke(discover_app, [
            "--brief", str(brief), "--from-file", str(imported), "--directory", web.url("/companies"),
            "--search", "--out", str(out),
        ])
        assert result.exit_code == 0, result.output
        assert api.calls_to("/res/v1/web/search")[0]["q"] == "logistics companies in Berlin"
    urls = read_company_file(out)
    domains = [registrable_domain(u) for u in urls]
    assert domains == ["seed-co.com", "acme-robotics.com", "beta-labs.io", "delta-health.de", "epsilon.ai",
                       "zeta-freight.com", "eta-energy.com", "shipnorth.com"]  # gamma.co.uk is excluded
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# leadgen discover for brief 'Berlin logistics'")
    assert lines[1].startswith("https://seed-co.com/  # file: file://") and lines[1].endswith("(Seed Co)")
    assert f"# directory: {web.url('/companies')} (Acme Robotics)" in lines[2]
    assert lines[-1] == "https://shipnorth.com/  # search:brave: https://shipnorth.com/ (Shipnorth)"


def test_limit_and_errors(settings, tmp_path, monkeypatch):
    brief = tmp_path / "brief.yaml"
    brief.write_text(yaml.safe_dump(BRIEF))
    env(monkeypatch, tmp_path)
    runner = CliRunner()
    with serve(listing_routes()) as web:
        limited = runner.invoke(discover_app, ["--brief", str(brief), "--directory", web.url("/companies"),
                                               "--limit", "3", "--out", "-"])
        assert limited.exit_code == 0, limited.output
        assert web.hits("/companies?page=3") == 0  # the crawl stops once the limit is reached
        missing = runner.invoke(discover_app, ["--brief", str(brief), "--directory", web.url("/gone"), "--out", "-"])
    assert [ln.split()[0] for ln in limited.stdout.splitlines()[1:]] == [
        "https://acme-robotics.com/", "https://www.beta-labs.io/", "https://delta-health.de/"]
    assert missing.exit_code == 1 and "http_404" in missing.output
    no_source = runner.invoke(discover_app, ["--brief", str(brief)])
    assert no_source.exit_code == 2
    no_provider = runner.invoke(discover_app, ["--brief", str(brief), "--search"])
    assert no_provider.exit_code == 2 and "LEADGEN_SEARCH_PROVIDER" in no_provider.output
