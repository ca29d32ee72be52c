"""core.logging: JSON lines with context ids, the human format on a terminal, levels."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os

import pytest

from core.logging import (
    bind_log_context,
    configure_logging,
    current_log_context,
    log_context,
    reset_log_context,
)
from core.settings import Settings


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def configured(settings: Settings, **changes) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(settings.model_copy(update=changes), stream=stream)
    return stream


def test_json_line_has_the_standard_fields_and_context_ids(settings):
    stream = configured(settings, log_format="json")
    log = logging.getLogger("leadgen.test")
    log.info("outside")
    with log_context(campaign_id="c-1", request_id="r-9"):
        log.warning("researching %s", "acme.example")
    first, second = json_lines(stream)
    assert first["msg"] == "outside"
    assert "campaign_id" not in first
    assert second["level"] == "WARNING"
    assert second["logger"] == "leadgen.test"
    assert second["msg"] == "researching acme.example"
    assert second["campaign_id"] == "c-1"
    assert second["request_id"] == "r-9"
    assert second["ts"].endswith("+00:00")


def test_nested_contexts_merge_and_unwind(settings):
    stream = configured(settings, log_format="json")
    log = logging.getLogger("leadgen.test")
    with log_context(campaign_id="c-1"):
        with log_context(lead_url="https://acme.example/"):
            log.info("inner")
            assert current_log_context() == {"campaign_id": "c-1", "lead_url": "https://acme.example/"}
        log.info("outer")
    assert current_log_context() == {}
    inner, outer = json_lines(stream)
    assert inner["lead_url"] == "https://acme.example/" and inner["campaign_id"] == "c-1"
    assert "lead_url" not in outer and outer["campaign_id"] == "c-1"


def test_bind_and_reset_for_code_that_cannot_use_a_with_block(settings):
    token = bind_log_context(task_id="t-1")
    try:
        assert current_log_context() == {"task_id": "t-1"}
        inner = bind_log_context(task_id=None)
        assert current_log_context() == {}
        reset_log_context(inner)
        assert current_log_context() == {"task_id": "t-1"}
    finally:
        reset_log_context(token)
    assert current_log_context() == {}


def test_reserved_fields_cannot_be_overwritten():
    with pytest.raises(ValueError, match="msg"):
        bind_log_context(msg="spoofed")


async def test_each_asyncio_task_and_thread_keeps_its_own_ids(settings):
    stream = configured(settings, log_format="json")
    log = logging.getLogger("leadgen.test")

    async def research(url: str) -> None:
        with log_context(lead_url=url):
            await asyncio.sleep(0)
            log.info("fetched")
            await asyncio.to_thread(log.info, "parsed")

    with log_context(campaign_id="c-7"):
        await asyncio.gather(*(research(f"https://site{i}.example/") for i in range(4)))
    lines = json_lines(stream)
    assert len(lines) == 8
    assert {line["campaign_id"] for line in lines} == {"c-7"}
    for i in range(4):
        mine = [line["msg"] for line in lines if line["lead_url"] == f"https://site{i}.example/"]
        assert sorted(mine) == ["fetched", "parsed"]


def test_exceptions_and_extra_fields_stay_on_one_json_line(settings):
    stream = configured(settings, log_format="json")
    log = logging.getLogger("leadgen.test")
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        log.exception("step failed", extra={"attempt": 2, "elapsed": object()})
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert "RuntimeError: boom" in record["exc"]
    assert record["attempt"] == 2
    assert record["elapsed"].startswith("<object")


def test_level_comes_from_settings(settings):
    stream = configured(settings, log_format="json", log_level="warning")
    log = logging.getLogger("leadgen.test")
    log.info("hidden")
    log.error("shown")
    assert [line["msg"] for line in json_lines(stream)] == ["shown"]


def test_configuring_twice_replaces_the_handler(settings):
    configured(settings, log_format="json")
    second = configured(settings, log_format="json")
    logging.getLogger("leadgen.test").warning("once")
    assert [line["msg"] for line in json_lines(second)] == ["once"]


def _terminal():
    """A real pseudo-terminal: what ``isatty`` answers for a person's shell."""
    master, slave = os.openpty()
    return master, os.fdopen(slave, "w", buffering=1)


def _read(master: int) -> str:
    return os.read(master, 65536).decode()


def test_auto_is_human_on_a_terminal(settings):
    master, tty = _terminal()
    try:
        configure_logging(settings.model_copy(update={"log_format": "auto"}), stream=tty)
        with log_context(campaign_id="c-1"):
            logging.getLogger("leadgen.test").warning("hello")
        tty.flush()
        text = _read(master)
    finally:
        tty.close()
        os.close(master)
    assert "WARNING" in text and "leadgen.test: hello" in text and "campaign_id=c-1" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.strip())


def test_auto_is_json_when_not_a_terminal(settings):
    stream = configured(settings, log_format="auto")
    logging.getLogger("leadgen.test").warning("piped")
    assert json_lines(stream)[0]["msg"] == "piped"


def test_env_forces_json_on_a_terminal(settings, monkeypatch):
    monkeypatch.setenv("LEADGEN_LOG_FORMAT", "json")
    master, tty = _terminal()
    try:
        configure_logging(Settings(data_dir=settings.data_dir), stream=tty)
        logging.getLogger("leadgen.test").warning("forced")
        tty.flush()
        text = _read(master)
    finally:
        tty.close()
        os.close(master)
    assert json.loads(text.strip())["msg"] == "forced"


def test_text_format_can_be_forced_when_piped(settings):
    stream = configured(settings, log_format="text")
    logging.getLogger("leadgen.test").info("plain")
    assert stream.getvalue().rstrip().endswith("leadgen.test: plain")
