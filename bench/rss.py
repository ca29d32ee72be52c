"""Peak memory of this process and its children (chromium included), sampled in a thread: summed
RSS (counts shared pages once per process) and summed PSS (shared pages split between sharers)."""

from __future__ import annotations

import threading

import psutil


def tree_memory(root: psutil.Process, exclude: frozenset[int] = frozenset(),
                by_name: dict[str, list[int]] | None = None) -> tuple[int, int]:
    """(RSS, PSS) bytes of ``root`` and every descendant not in ``exclude`` (nor under one);
    ``by_name``, when given, gets [RSS, PSS] per process name (python, node, chromium...)."""
    rss = pss = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    skip = set(exclude)
    for proc in procs:
        try:
            if proc.pid in skip or proc.ppid() in skip:
                skip.add(proc.pid)
                continue
            info = proc.memory_full_info()
        except psutil.Error:  # a child exited between listing and reading
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
        if by_name is not None:
            try:
                name = proc.name()
            except psutil.Error:
                name = "?"
            entry = by_name.setdefault(name, [0, 0, 0, 0])
            entry[0] += info.rss
            entry[1] += getattr(info, "pss", info.rss)
            entry[2] += getattr(info, "shared", 0)  # resident file-backed pages (program code, libraries)
            entry[3] += 1
    return rss, pss


class PeakRss:
    """``with PeakRss(exclude={server_pid}) as peak: ...``; then ``peak.peak_mb`` / ``peak.peak_pss_mb``."""

    def __init__(self, interval: float = 0.2, exclude: set[int] | None = None) -> None:
        self.interval = interval
        self.exclude = frozenset(exclude or ())
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self.samples = 0
        self.peak_by_name: dict[str, list[int]] = {}  # [RSS, PSS, file RSS, processes] per process name at the PSS peak
        self._root = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def _sample(self) -> None:
        by_name: dict[str, list[int]] = {}
        rss, pss = tree_memory(self._root, self.exclude, by_name)
        self.peak_bytes = max(self.peak_bytes, rss)
        if pss >= self.peak_pss_bytes:
            self.peak_by_name = by_name
        self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / 2**20, 1)

    @property
    def peak_pss_mb(self) -> float:
        return round(self.peak_pss_bytes / 2**20, 1)

    @property
    def breakdown_mb(self) -> dict[str, dict[str, float]]:
        """RSS, PSS, file-backed RSS (code) and process count per process name at the moment of the PSS peak."""
        return {name: {"rss_mb": round(r / 2**20, 1), "pss_mb": round(p / 2**20, 1),
                       "file_mb": round(f / 2**20, 1), "processes": n}
                for name, (r, p, f, n) in sorted(self.peak_by_name.items())}

    def __enter__(self) -> PeakRss:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
