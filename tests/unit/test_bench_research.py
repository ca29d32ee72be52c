"""Smoke test: bench_research runs the researcher and the whole graph over a few sample sites."""

from __future__ import annotations

import json

from bench import bench_research


def test_research_bench_writes_researcher_and_graph_results(tmp_path):
    bench_research.main(["--n", "3", "--latency-ms", "0", "--no-browser",
                         "--results-dir", str(tmp_path)])
    saved = json.loads((tmp_path / "research.json").read_text())
    researcher, graph = saved["researcher"], saved["graph"]
    assert {"companies_per_minute", "pages_fetched", "browser_renders", "fetch_errors_by_kind",
            "peak_rss_mb", "peak_pss_mb"} <= set(researcher)
    assert researcher["companies"] == 3 and researcher["pages_fetched"] > 0
    assert researcher["peak_rss_mb"] > 0
    assert {"companies_per_minute", "lead_statuses", "overhead_vs_researcher"} <= set(graph)
    assert sum(graph["lead_statuses"].values()) == 3
    assert {"cpu_count", "python", "date"} <= set(saved["machine"])
