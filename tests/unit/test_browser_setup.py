"""How the renderer picks its chromium binary and caps the Playwright driver's heap."""

from __future__ import annotations

import stat

from core.settings import Settings
from tools.web import browser
from tools.web.browser import chromium_executable, driver_node_options


def _settings(**kw) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def _executable(path) -> str:
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_a_configured_binary_is_used_as_is(tmp_path):
    assert chromium_executable(_settings(browser_executable="/opt/chrome/chrome")) == "/opt/chrome/chrome"


def test_the_first_installed_candidate_wins(tmp_path, monkeypatch):
    shell = tmp_path / "chromium-headless-shell"
    full = _executable(tmp_path / "chromium")
    monkeypatch.setattr(browser, "CHROMIUM_CANDIDATES", (str(shell), full))
    assert chromium_executable(_settings()) == full  # the headless shell is not installed
    _executable(shell)
    assert chromium_executable(_settings()) == str(shell)


def test_with_nothing_installed_the_last_candidate_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM_CANDIDATES", (str(tmp_path / "a"), str(tmp_path / "b")))
    assert chromium_executable(_settings()) == str(tmp_path / "b")  # launching it names the path


def test_node_options_add_the_heap_caps():
    options = driver_node_options(None).split()
    assert "--max-semi-space-size=1" in options
    assert any(o.startswith("--max-old-space-size=") for o in options)


def test_node_options_keep_the_users_own_settings():
    options = driver_node_options("--max-old-space-size=512 --trace-warnings").split()
    assert options.count("--max-old-space-size=512") == 1
    assert not [o for o in options if o.startswith("--max-old-space-size=") and o != "--max-old-space-size=512"]
    assert "--trace-warnings" in options and "--max-semi-space-size=1" in options

