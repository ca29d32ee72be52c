"""`leadgen run` against hostile hosts: each costs bounded time and memory and becomes an
`error` line with a reason, while the good sites in the same run still finish."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest

from tests.e2e.conftest import ROOT, leadgen

SCHEMA = json.loads((ROOT / "core/schemas/lead_result.schema.json").read_text())


@pytest.mark.slow
def test_traps_become_error_lines_and_the_run_goes_on(tmp_path, sample_web, cli_env):
    traps = sample_web.trap_urls()
    good = [site.url for site in sample_web.sites()][:2]
    lines = [
        good[0],
        traps["hang.trap.test"],
        traps["loop.trap.test"],
        traps["huge.trap.test"],
        traps["error.trap.test"],
        traps["robots503.trap.test"],
        "ftp://files.example.com/",
        "http://169.254.169.254/latest/meta-data/",
        good[1],
    ]
    companies = tmp_path / "companies.txt"
    companies.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results.jsonl"
    cli_env.update(LEADGEN_FETCH_TIMEOUT="3", LEADGEN_FETCH_RETRIES="0", LEADGEN_FETCH_MAX_BYTES="1000000")
    started = time.monotonic()
    leadgen("run", "--brief", str(ROOT / "cli/data/demo_brief.yaml"), "--companies", str(companies),
            "--out", str(out), env=cli_env, cwd=tmp_path, timeout=300)
    elapsed = time.monotonic() - started

    results = [json.loads(line) for line in out.read_text().splitlines()]
    for result in results:
        jsonschema.validate(result, SCHEMA)
    assert [r["url"] for r in results] == lines
    by_url = {r["url"]: r for r in results}
    for url in good:
        assert by_url[url]["status"] in ("qualified", "disqualified"), by_url[url]
    expected_kind = {
        # robots.txt of a hanging host times out first; RFC 9309 then means disallow-all.
        traps["hang.trap.test"]: "robots: robots.txt unavailable (timeout",
        traps["loop.trap.test"]: "too_many_redirects",
        traps["huge.trap.test"]: "too_large",
        traps["error.trap.test"]: "robots: robots.txt unavailable (http_500",  # 5xx robots.txt: disallow-all
        traps["robots503.trap.test"]: "robots: robots.txt unavailable (http_503",
        "ftp://files.example.com/": "unsafe_url",
        "http://169.254.169.254/latest/meta-data/": "unsafe_url",
    }
    for url, kind in expected_kind.items():
        assert by_url[url]["status"] == "error", by_url[url]
        assert by_url[url]["error"].startswith(kind), (url, by_url[url]["error"])
    # Not a timing assertion on the product: a guard that a hang cannot stall the run forever.
    assert elapsed < 280
