"""`leadgen run` with LEADGEN_LLM_BASE_URL set goes through the LLM path (langchain-openai over
HTTP to a local OpenAI-compatible server answering with tool calls), and says so."""

from __future__ import annotations

import json

import jsonschema
import pytest

from bench.fake_openai import FakeOpenAI
from tests.e2e.conftest import ROOT, leadgen

SCHEMA = json.loads((ROOT / "core/schemas/lead_result.schema.json").read_text())


@pytest.mark.slow
def test_run_uses_the_configured_openai_compatible_endpoint(tmp_path, sample_web, cli_env):
    companies = tmp_path / "companies.txt"
    companies.write_text("\n".join(site.url for site in sample_web.sites()[:5]) + "\n")
    out = tmp_path / "results.jsonl"
    with FakeOpenAI(latency_ms=0) as llm:
        cli_env.update(LEADGEN_LLM_BASE_URL=llm.base_url, LEADGEN_LLM_API_KEY="local", LEADGEN_LLM_MODEL="fake-model")
        proc = leadgen("run", "--brief", str(ROOT / "cli/data/demo_brief.yaml"), "--companies", str(companies),
                       "--out", str(out), env=cli_env, cwd=tmp_path)
        calls = llm.calls
    assert "engine=llm" in proc.stderr
    results = [json.loads(line) for line in out.read_text().splitlines()]
    for result in results:
        jsonschema.validate(result, SCHEMA)
    judged = [r for r in results if r["qualification"]]
    assert judged and all(r["qualification"]["engine"] == "llm" for r in judged), [r["qualification"] for r in judged]
    drafts = [d for r in results for d in r["drafts"]]
    assert all(d["engine"] == "llm" for d in drafts)
    assert calls >= len(judged)
    assert all(r["usage"]["calls"] >= 1 and r["usage"]["input_tokens"] > 0 for r in judged)  # recorded per lead
