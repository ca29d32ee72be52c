"""run_all finds the bench modules, runs the selected ones and writes summary.json."""

from __future__ import annotations

import json

import pytest

from bench import run_all


def test_discovers_every_bench_module():
    assert {"research", "agents", "api"} <= set(run_all.discover())


def test_runs_selected_benchmark_and_writes_summary(tmp_path):
    assert run_all.main(["--quick", "--only", "agents", "--results-dir", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert list(summary["benchmarks"]) == ["agents"]
    outcome = summary["benchmarks"]["agents"]
    assert outcome["ok"] and outcome["result"]["rules"]["leads"] == 40
    assert (tmp_path / "agents.json").is_file()


def test_unknown_benchmark_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        run_all.main(["--only", "nope", "--results-dir", str(tmp_path)])
