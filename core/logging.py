"""Structured logging: one JSON object a line (or a human line on a terminal), carrying the ids
of the campaign, lead, request and task being worked on (``log_context``)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from types import MappingProxyType
from typing import IO, Any

from core.settings import Settings

CONTEXT_KEYS = ("campaign_id", "lead_url", "request_id", "task_id")
_RESERVED = frozenset({"ts", "level", "logger", "msg", "exc", "stack"})
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName",
}
_context: ContextVar[Mapping[str, str]] = ContextVar(
    "leadgen_log_context", default=MappingProxyType({})
)


def bind_log_context(**ids: Any) -> Token[Mapping[str, str]]:
    """Add ids to the current context (until ``reset_log_context(token)``); None removes one."""
    bad = _RESERVED.intersection(ids)
    if bad:
        raise ValueError(f"reserved log field(s): {', '.join(sorted(bad))}")
    merged = dict(_context.get())
    for key, value in ids.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return _context.set(MappingProxyType(merged))


def reset_log_context(token: Token[Mapping[str, str]]) -> None:
    _context.reset(token)


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """``with log_context(campaign_id=c, lead_url=u): ...`` - every log line inside carries them.

    Context variables follow asyncio tasks and ``asyncio.to_thread``, so ids set around
    ``gather`` reach the work it starts."""
    token = bind_log_context(**ids)
    try:
        yield
    finally:
        reset_log_context(token)


def current_log_context() -> dict[str, str]:
    return dict(_context.get())


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", <context ids>, <extra=...>, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(_context.get())
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and key not in _RESERVED and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``12:00:01 INFO  leadgen.graph: message  campaign_id=... lead_url=...`` for people."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = _context.get()
        if ids:
            first, _, rest = text.partition("\n")
            text = first + "  " + " ".join(f"{k}={v}" for k, v in ids.items()) + (f"\n{rest}" if rest else "")
        return text


class _LeadgenHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler ``configure_logging`` installed, so a second call replaces it."""


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Install one handler on the root logger, at ``settings.log_level``.

    ``log_format``: json, text, or auto (text when the stream is a terminal, json otherwise)."""
    stream = stream if stream is not None else sys.stderr
    fmt = settings.log_format
    if fmt == "auto":
        fmt = "text" if _isatty(stream) else "json"
    handler = _LeadgenHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LeadgenHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level.strip().upper())
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    # Libraries that log every request or migration step at INFO would drown our own lines;
    # they speak up at WARNING, or everything shows with LEADGEN_LOG_LEVEL=DEBUG.
    quiet = logging.WARNING if root.level > logging.DEBUG else logging.NOTSET
    for name in _CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)
    return handler


_CHATTY_LIBRARIES = ("httpx", "httpcore", "alembic", "chromadb", "urllib3", "openai", "langsmith", "celery.redirected")


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
