"""Smoke test: bench_agents runs end to end on a few leads (rules + fake LLM) and writes its JSON."""

from __future__ import annotations

import json

from bench import bench_agents


def test_agents_bench_writes_rules_and_llm_results(tmp_path):
    result = bench_agents.main(["--n", "4", "--llm-latency-ms", "0", "--llm-concurrency", "2",
                                "--results-dir", str(tmp_path)])
    saved = json.loads((tmp_path / "agents.json").read_text())
    assert saved["rules"] == result["rules"]
    assert {"cpu_count", "python", "date"} <= set(saved["machine"])
    assert {"leads_per_minute", "ms_per_lead_p95", "drafts", "meets_target"} <= set(saved["rules"])
    assert saved["rules"]["leads"] == 4
    llm = saved["llm"]
    assert {"leads_per_minute", "calls_per_lead", "tokens_per_lead", "meets_target"} <= set(llm)
    # The fake server's tool calls validate: every qualification and draft came from the LLM path.
    assert llm["qualification_engines"] == {"llm": 4}
    assert set(llm["draft_engines"]) == {"llm"}
    assert llm["calls_per_lead"] >= 2 and llm["tokens_per_lead"] > 0
