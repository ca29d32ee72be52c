"""Comparing two runs: per-metric values with Wilson intervals, the paired-bootstrap interval of
each difference, and the cases whose outcome changed; written as Markdown, HTML and JSON."""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evals.metrics import ADVISORY, RATES

BOOTSTRAP_SAMPLES = 1000
Z95 = 1.959964


@dataclass
class MetricDiff:
    name: str
    a: float | None
    b: float | None
    delta: float | None
    a_ci: tuple[float, float] | None
    b_ci: tuple[float, float] | None
    delta_ci: tuple[float, float] | None  # paired bootstrap over the cases both runs share


@dataclass
class CaseDiff:
    id: str
    kind: str
    a_passed: bool | None
    b_passed: bool | None


@dataclass
class Report:
    run_a: str
    run_b: str
    metrics: list[MetricDiff]
    cases: list[CaseDiff]  # only cases whose pass/fail changed (or exist in one run only)
    prompts_changed: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_run(path: Path) -> dict[str, Any]:
    """A run's results.json, given the file or its run directory."""
    path = Path(path)
    return json.loads((path / "results.json" if path.is_dir() else path).read_text(encoding="utf-8"))


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion k/n (None when n == 0)."""
    if n <= 0:
        return None
    p = min(max(k / n, 0.0), 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def paired_bootstrap(pairs: list[tuple[int, int, int, int]], samples: int = BOOTSTRAP_SAMPLES,
                     seed: int = 0) -> tuple[float, float] | None:
    """95% interval of ratio(B) - ratio(A) resampling cases; pairs are (kA, nA, kB, nB) per case."""
    if not pairs:
        return None
    rng = random.Random(seed)
    size, deltas = len(pairs), []
    for _ in range(samples):
        pick = [pairs[rng.randrange(size)] for _ in range(size)]
        na, nb = sum(p[1] for p in pick), sum(p[3] for p in pick)
        if na and nb:
            deltas.append(sum(p[2] for p in pick) / nb - sum(p[0] for p in pick) / na)
    if not deltas:
        return None
    deltas.sort()
    return round(deltas[int(0.025 * len(deltas))], 4), round(deltas[min(len(deltas) - 1, int(0.975 * len(deltas)))], 4)


def _metric(name: str, run_a: dict[str, Any], run_b: dict[str, Any]) -> MetricDiff:
    ra, rb = run_a["metrics"]["rates"].get(name), run_b["metrics"]["rates"].get(name)
    cases_a = {c["id"]: c.get("contributions", {}) for c in run_a["cases"]}
    pairs = []
    for case in run_b["cases"]:  # paired: only cases both runs scored
        if case["id"] not in cases_a:
            continue
        a, b = cases_a[case["id"]].get(name), case.get("contributions", {}).get(name)
        if a is not None or b is not None:
            pairs.append((*(a or (0, 0)), *(b or (0, 0))))
    delta = round(rb["value"] - ra["value"], 4) if ra and rb else None
    return MetricDiff(
        name=name, a=ra["value"] if ra else None, b=rb["value"] if rb else None, delta=delta,
        a_ci=wilson(ra["k"], ra["n"]) if ra else None, b_ci=wilson(rb["k"], rb["n"]) if rb else None,
        delta_ci=paired_bootstrap(pairs) if ra and rb else None,
    )


def _case_diffs(run_a: dict[str, Any], run_b: dict[str, Any]) -> list[CaseDiff]:
    a = {c["id"]: c for c in run_a["cases"]}
    b = {c["id"]: c for c in run_b["cases"]}
    out = []
    for cid in sorted(a.keys() | b.keys()):
        pa = a[cid].get("passed") if cid in a else None
        pb = b[cid].get("passed") if cid in b else None
        if pa != pb:
            out.append(CaseDiff(cid, (a.get(cid) or b[cid])["kind"], pa, pb))
    return out


def compare_runs(run_a: Path, run_b: Path, out_dir: Path) -> Report:
    """Compare run A (before) with run B (after); writes compare.md, compare.html and compare.json."""
    from evals.report import render_html, render_markdown

    a, b = load_run(run_a), load_run(run_b)
    names = [n for n in (*RATES, *ADVISORY) if n in a["metrics"]["rates"] or n in b["metrics"]["rates"]]
    prompts = {k: (a["prompts"].get(k, {}).get("ref"), b["prompts"].get(k, {}).get("ref"))
               for k in sorted(a["prompts"].keys() | b["prompts"].keys())
               if a["prompts"].get(k) != b["prompts"].get(k)}
    report = Report(run_a=a["run_id"], run_b=b["run_id"], metrics=[_metric(n, a, b) for n in names],
                    cases=_case_diffs(a, b), prompts_changed=prompts)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report.paths = {"md": str(out / "compare.md"), "html": str(out / "compare.html"), "json": str(out / "compare.json")}
    Path(report.paths["md"]).write_text(render_markdown(report), encoding="utf-8")
    Path(report.paths["html"]).write_text(render_html(report), encoding="utf-8")
    Path(report.paths["json"]).write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
    return report
