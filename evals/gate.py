"""The regression gate: a run passes when no gated rate fell more than ``tolerance`` below the
committed baseline (``evals/baseline.json``) for the same slice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.compare import load_run
from evals.metrics import RATES

BASELINE = Path(__file__).parent / "baseline.json"
DEFAULT_TOLERANCE = 0.02


def _slice_key(run: dict[str, Any]) -> str:
    return run.get("slice") or "all"


def gate(run: Path, baseline: Path = BASELINE, tolerance: float = DEFAULT_TOLERANCE) -> tuple[bool, list[str]]:
    """``(ok, failures)``; each failure names the metric, the baseline and the run value."""
    results = load_run(run)
    data = json.loads(Path(baseline).read_text(encoding="utf-8"))
    key = _slice_key(results)
    expected = data.get("slices", {}).get(key)
    if expected is None:
        return False, [f"baseline {baseline} has no entry for slice {key!r}"]
    rates = results["metrics"]["rates"]
    failures = []
    for name, want in sorted(expected["rates"].items()):
        got = rates.get(name)
        if got is None:
            failures.append(f"{name}: missing from the run (baseline {want:.4f})")
        elif got["value"] < want - tolerance:
            failures.append(f"{name}: {got['value']:.4f} < baseline {want:.4f} - tolerance {tolerance}")
    return not failures, failures


def update_baseline(run: Path, baseline: Path = BASELINE) -> Path:
    """Write the run's rates as the baseline for its slice (other slices are kept)."""
    results = load_run(run)
    path = Path(baseline)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"slices": {}}
    data.setdefault("slices", {})[_slice_key(results)] = {
        "run_id": results["run_id"], "engine": results["engine"],
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rates": {n: r["value"] for n, r in results["metrics"]["rates"].items() if n in RATES},
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
