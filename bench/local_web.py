"""The sample web served from a child process, so its threads and memory are not the benchmark's own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sampleweb.dataset import BUNDLED_DATASET, DATASET_ENV

ROOT = Path(__file__).resolve().parents[1]
FULL_DATASET = Path("/work/shared/datasets/companies/companies.jsonl")


@dataclass(frozen=True)
class DatasetChoice:
    path: Path
    full: bool
    note: str


def choose_dataset(explicit: str | None = None) -> DatasetChoice:
    """An explicit path, else $LEADGEN_SAMPLE_DATASET, else the shared full dataset; when none of
    those exists, the bundled subset (and a note saying so)."""
    for candidate in (explicit, os.environ.get(DATASET_ENV), str(FULL_DATASET)):
        if candidate and Path(candidate).is_file():
            return DatasetChoice(Path(candidate), True, f"dataset {candidate}")
    return DatasetChoice(
        BUNDLED_DATASET, False,
        f"full dataset not found (set {DATASET_ENV}); ran on the bundled subset {BUNDLED_DATASET}",
    )


@dataclass(frozen=True)
class RunningWeb:
    proxy_url: str
    pid: int


@contextmanager
def sample_web_process(latency_ms: float, dataset: Path) -> Iterator[RunningWeb]:
    """``python -m sampleweb --port 0`` (a ``SampleWeb``) in a child process; yields its proxy URL."""
    cmd = [sys.executable, "-m", "sampleweb", "--port", "0", "--latency-ms", str(latency_ms),
           "--dataset", str(dataset)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "sampleweb: N sites; LEADGEN_HTTP_PROXY=http://127.0.0.1:PORT"
        match = re.search(r"LEADGEN_HTTP_PROXY=(\S+)", line)
        if not match:
            raise RuntimeError(f"the sample web did not start (said {line!r}, exit {proc.poll()})")
        yield RunningWeb(match.group(1), proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
