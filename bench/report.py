"""Where benchmark results go (bench/results/<name>.json) and the machine facts stored with them."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine_info() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "memory_mb": round(psutil.virtual_memory().total / 2**20),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_result(name: str, data: dict[str, Any], results_dir: Path | None = None) -> Path:
    """Write ``data`` (plus machine facts) to ``<results_dir>/<name>.json`` and return the path."""
    out_dir = results_dir or RESULTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    payload = {"benchmark": name, **data, "machine": machine_info()}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def print_summary(title: str, rows: dict[str, Any], stream=None) -> None:
    """A short human-readable table of the headline numbers."""
    stream = stream or sys.stdout
    print(f"== {title}", file=stream)
    width = max((len(k) for k in rows), default=0)
    for key, value in rows.items():
        print(f"   {key.ljust(width)}  {value}", file=stream)
    stream.flush()
