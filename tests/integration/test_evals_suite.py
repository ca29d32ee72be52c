"""The eval suite end to end with the rules engine: the CI slice through the real agents, the gate
against the committed baseline and against deliberately worse variants, and run comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.copywriter import write_drafts
from agents.qualifier import qualify
from core.models import ICP
from evals.compare import compare_runs
from evals.gate import BASELINE, gate
from evals.runner import Pipeline, run_suite


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory) -> Path:
    return run_suite(engine="rules", slice="ci", out_dir=tmp_path_factory.mktemp("runs"), upload=False).path


def test_ci_slice_computes_every_metric(ci_run):
    results = json.loads(ci_run.read_text())
    assert results["engine"] == "rules" and results["slice"] == "ci"
    assert {c["kind"] for c in results["cases"]} >= {"qualification", "hostile", "copy"}
    rates = results["metrics"]["rates"]
    for name in ("qualification.accuracy", "qualification.f1", "grounding.supported_rate",
                 "compliance.pass_rate", "personalization.rate", "injection.pass_rate"):
        assert 0.0 <= rates[name]["value"] <= 1.0 and rates[name]["n"] > 0, name
    confusion = results["metrics"]["confusion"]["all"]
    assert sum(confusion.values()) == sum(1 for c in results["cases"] if c["kind"] == "qualification")
    assert results["prompts"]["copywriter.first_touch"]["sha256"]
    assert all("seconds" in c and "tokens" in c for c in results["cases"])


def test_ci_run_passes_the_committed_baseline(ci_run):
    assert gate(ci_run, BASELINE, tolerance=0.02) == (True, [])


def test_gate_fails_a_qualifier_that_ignores_the_industry(tmp_path):
    async def careless_qualify(company, brief, **kwargs):  # a "simplified rules" variant
        icp = brief.icp.model_dump() | {"industries": []}
        looser = brief.model_copy(update={"icp": ICP(**icp), "description": ""})
        return await qualify(company, looser, **kwargs)

    run = run_suite(slice="ci", out_dir=tmp_path, pipeline=Pipeline(qualify=careless_qualify), upload=False)
    ok, failures = gate(run.path, BASELINE, tolerance=0.02)
    assert not ok
    assert any(f.startswith("qualification.precision") for f in failures)


def test_gate_fails_copy_without_the_opt_out_line(tmp_path):
    async def no_opt_out(lead, brief, qualification, **kwargs):
        drafts = await write_drafts(lead, brief, qualification, **kwargs)
        return [d.model_copy(update={"body": "\n".join(line for line in d.body.splitlines()
                                                        if "unsubscribe" not in line.lower())}) for d in drafts]

    run = run_suite(slice="ci", out_dir=tmp_path, pipeline=Pipeline(write_drafts=no_opt_out), upload=False)
    ok, failures = gate(run.path, BASELINE, tolerance=0.02)
    assert not ok and any(f.startswith("compliance.pass_rate") for f in failures)
    assert run.metrics["counts"]["compliance_by_check"]["opt_out"] == run.metrics["counts"]["drafts"]


def test_compare_writes_markdown_html_and_json(ci_run, tmp_path):
    async def careless_qualify(company, brief, **kwargs):
        result = await qualify(company, brief, **kwargs)
        return result.model_copy(update={"fit": True})  # accepts everyone

    worse = run_suite(slice="ci", out_dir=tmp_path, pipeline=Pipeline(qualify=careless_qualify), upload=False)
    report = compare_runs(ci_run, worse.path, tmp_path / "cmp")
    by_name = {m.name: m for m in report.metrics}
    precision = by_name["qualification.precision"]
    assert precision.b < precision.a and precision.delta_ci is not None
    assert any(c.id.startswith("q:") and c.a_passed and not c.b_passed for c in report.cases)
    html = Path(report.paths["html"]).read_text()
    assert "<svg" in html and "qualification.precision" in html
    assert "| qualification.precision |" in Path(report.paths["md"]).read_text()
    assert json.loads(Path(report.paths["json"]).read_text())["run_b"] == worse.run_id


def test_runs_locally_without_langsmith(tmp_path, monkeypatch):
    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    run = run_suite(slice="hostile", out_dir=tmp_path)  # upload decided by the environment
    assert run.langsmith is None
    assert run.metrics["rates"]["injection.pass_rate"]["n"] == run.cases


def test_unknown_prompt_or_slice_is_refused(tmp_path):
    with pytest.raises(ValueError):
        run_suite(slice="nope", out_dir=tmp_path)
    from prompts.registry import UnknownPrompt

    with pytest.raises(UnknownPrompt):
        run_suite(slice="copy", prompts={"first_touch": "copywriter/first_touch@v99"}, out_dir=tmp_path)
