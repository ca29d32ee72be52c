"""The sample web served from a child process, so its threads and memory are not the benchmark's own."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from sampleweb.dataset import BUNDLED_DATASET, DATASET_ENV

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


def _serve(latency_ms: float, dataset: str, conn: Connection) -> None:
    from sampleweb.server import SampleWeb

    with SampleWeb(port=0, latency_ms=latency_ms, dataset=dataset) as web:
        conn.send(web.proxy_url)
        conn.recv()  # block until the parent says stop (or goes away)


@dataclass(frozen=True)
class RunningWeb:
    proxy_url: str
    pid: int


@contextmanager
def sample_web_process(latency_ms: float, dataset: Path) -> Iterator[RunningWeb]:
    """``SampleWeb(port=0, latency_ms=..., dataset=...)`` in a spawned child process."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(latency_ms, str(dataset), child), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the sample web did not start within 60 s")
        yield RunningWeb(parent.recv(), proc.pid or 0)
    finally:
        try:
            parent.send("stop")
        except (BrokenPipeError, OSError):
            pass
        proc.join(10)
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
