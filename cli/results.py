"""Writing `leadgen run` results: one JSON line per input line, in input order, flushed
as soon as every earlier line is done; and progress on stderr."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import IO

from core.models import Lead


def unique_inputs(lines: list[str]) -> tuple[list[str], list[int]]:
    """Unique company inputs (first occurrence order) and, per input line, its unique index."""
    seen: dict[str, int] = {}
    mapping = []
    for line in lines:
        key = line.strip().lower().rstrip("/")
        if key not in seen:
            seen[key] = len(seen)
        mapping.append(seen[key])
    unique = [""] * len(seen)
    for line, idx in zip(lines, mapping, strict=True):
        unique[idx] = unique[idx] or line
    return unique, mapping


class OrderedResultWriter:
    def __init__(self, out: IO[str], lines: list[str], mapping: list[int]) -> None:
        self.out = out
        self.lines = lines
        self.mapping = mapping
        self.done: dict[int, Lead] = {}
        self.next_line = 0

    def add(self, lead: Lead) -> None:
        self.done[lead.index] = lead
        while self.next_line < len(self.lines) and self.mapping[self.next_line] in self.done:
            result = self.done[self.mapping[self.next_line]]
            line = result.result_line() | {"url": self.lines[self.next_line]}
            self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.next_line += 1
        self.out.flush()

    @property
    def complete(self) -> bool:
        return self.next_line == len(self.lines)


class Progress:
    """A live bar on a terminal; a line every few seconds otherwise (logs, CI)."""

    def __init__(self, total: int, stream: IO[str] | None = None, every: float = 5.0) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.every = every
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self.last = 0.0
        self.tty = self.stream.isatty()

    def update(self, lead: Lead) -> None:
        self.counts[lead.status or "error"] += 1
        now = time.monotonic()
        if self.tty or now - self.last >= self.every or self.done == self.total:
            self.last = now
            self._print(final=False)

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def _print(self, final: bool) -> None:
        rate = self.done / max(time.monotonic() - self.started, 1e-6) * 60
        summary = (
            f"{self.done}/{self.total} companies  qualified {self.counts['qualified']}  "
            f"disqualified {self.counts['disqualified']}  errors {self.counts['error']}  "
            f"({rate:.0f}/min)"
        )
        if self.tty:
            width = 24
            filled = int(width * self.done / max(self.total, 1))
            bar = "█" * filled + "░" * (width - filled)
            end = "\n" if final else ""
            self.stream.write(f"\r[{bar}] {summary}" + end)
        else:
            self.stream.write(f"leadgen: {summary}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self._print(final=True)  # end the bar's line
        elif self.done < self.total or self.last == 0.0:
            self._print(final=True)
