"""The image recipe: layer order, non-root user, entrypoint, build context and a working healthcheck."""

from __future__ import annotations

import fnmatch
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` (relative, '/'-separated) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        variants = {pattern, pattern.removeprefix("**/")}
        if any(
            fnmatch.fnmatchcase(candidate, variant)
            for candidate in candidates
            for variant in variants
        ):
            excluded = not negated
    return excluded


def read_dockerignore() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    return parse_dockerfile(DOCKERFILE.read_text())


def test_parse_dockerfile_joins_continuations_and_drops_comments() -> None:
    text = '# comment\nFROM python:3.11\nRUN a \\\n    # inner\n    && b\n\nCMD ["x"]\n'
    assert parse_dockerfile(text) == [("FROM", "python:3.11"), ("RUN", "a && b"), ("CMD", '["x"]')]


def test_dockerignore_matching_follows_docker_rules() -> None:
    patterns = [".git", "**/__pycache__", ".env", ".env.*", "!.env.example", "bench/results"]
    assert dockerignore_excludes(".git/config", patterns)
    assert dockerignore_excludes("core/__pycache__/x.pyc", patterns)
    assert dockerignore_excludes(".env", patterns)
    assert dockerignore_excludes(".env.prod", patterns)
    assert not dockerignore_excludes(".env.example", patterns)
    assert dockerignore_excludes("bench/results/run.json", patterns)
    assert not dockerignore_excludes("bench/run.py", patterns)
    assert not dockerignore_excludes("core/settings.py", patterns)


def test_base_image_and_uv_are_pinned(instructions: list[tuple[str, str]]) -> None:
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms == ["python:3.11-slim-bookworm"]
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert re.search(r"pip install \"?uv==\d+\.\d+\.\d+\"?", runs), "uv must be pinned"


def test_dependencies_install_before_source_is_copied(instructions: list[tuple[str, str]]) -> None:
    steps = [f"{keyword} {args}" for keyword, args in instructions]

    def position(pattern: str) -> int:
        matches = [index for index, step in enumerate(steps) if re.search(pattern, step)]
        assert matches, f"no step matches {pattern!r}"
        return matches[0]

    copy_lock = position(r"^COPY (?=.*pyproject\.toml)(?=.*uv\.lock)")
    sync_deps = position(r"^RUN .*uv sync --frozen --no-dev --no-install-project")
    copy_all = position(r"^COPY \. ")
    sync_project = position(r"^RUN .*uv sync --frozen --no-dev(?! --no-install-project)")
    assert copy_lock < sync_deps < copy_all < sync_project
    copied_first = steps[copy_lock].split()[1:-1]
    assert set(copied_first) <= {"pyproject.toml", "uv.lock", "README.md"}, (
        "only lock inputs before the dependency layer, or every source edit rebuilds it"
    )


def test_chromium_comes_from_debian(instructions: list[tuple[str, str]]) -> None:
    installs = [
        args for keyword, args in instructions if keyword == "RUN" and "apt-get install" in args
    ]
    assert any(re.search(r"\bchromium-headless-shell\b", args) for args in installs)
    assert all("rm -rf /var/lib/apt/lists" in args for args in installs)


def test_runs_as_non_root_with_leadgen_entrypoint(instructions: list[tuple[str, str]]) -> None:
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    last_user = max(index for index, (keyword, _) in enumerate(instructions) if keyword == "USER")
    last_run = max(index for index, (keyword, _) in enumerate(instructions) if keyword == "RUN")
    assert last_run < last_user
    entrypoint = [json.loads(args) for keyword, args in instructions if keyword == "ENTRYPOINT"]
    assert entrypoint == [["leadgen"]]
    cmd = [json.loads(args) for keyword, args in instructions if keyword == "CMD"]
    assert cmd == [["serve", "--host", "0.0.0.0"]]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "leadgen" in scripts, "ENTRYPOINT names a console script pyproject.toml does not define"


def test_build_context_keeps_what_the_build_needs() -> None:
    patterns = read_dockerignore()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = ["pyproject.toml", "uv.lock", project["project"]["readme"]]
    needed += project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    for path in needed:
        assert (ROOT / path).exists(), f"{path} is missing from the repository"
        assert not dockerignore_excludes(path, patterns), f".dockerignore drops {path}"
    for secret_or_junk in (
        ".env",
        ".git",
        ".venv",
        ".leadgen/leadgen.db",
        "core/__pycache__/x.pyc",
    ):
        assert dockerignore_excludes(secret_or_junk, patterns), f"{secret_or_junk} enters the image"


def test_lock_file_matches_pyproject_for_frozen_sync() -> None:
    """`uv sync --frozen` trusts uv.lock blindly; a stale lock would build an image missing deps."""
    # The Makefile installs uv into .venv-tools; a uv on PATH does as well.
    tools_uv = ROOT / ".venv-tools" / "bin" / "uv"
    uv = str(tools_uv) if tools_uv.exists() else shutil.which("uv")
    if uv is None:
        if IN_CI:
            pytest.fail("uv not installed (CI=true)")
        pytest.skip("uv not installed")
    result = subprocess.run(
        [uv, "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


class _HealthServer(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        code = self.status if self.path == "/healthz" else 404
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[http.server.ThreadingHTTPServer, type[_HealthServer]]]:
    handler = type("Handler", (_HealthServer,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def healthcheck_command(instructions: list[tuple[str, str]]) -> list[str]:
    [args] = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]
    exec_form = args[args.index("CMD ") + len("CMD ") :]
    command = json.loads(exec_form)
    assert command[0] == "python", "the slim image has no curl; the healthcheck uses python"
    assert "http://127.0.0.1:8000/healthz" in command[-1]
    return command


def run_healthcheck(command: list[str], port: int) -> int:
    script = command[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    result = subprocess.run(
        [sys.executable, *command[1:-1], script], capture_output=True, timeout=30
    )
    return result.returncode


def test_healthcheck_passes_when_healthz_answers_200(instructions, health_server) -> None:
    server, _ = health_server
    assert run_healthcheck(healthcheck_command(instructions), server.server_address[1]) == 0


def test_healthcheck_fails_when_healthz_answers_503(instructions, health_server) -> None:
    server, handler = health_server
    handler.status = 503
    assert run_healthcheck(healthcheck_command(instructions), server.server_address[1]) != 0


def test_healthcheck_fails_when_nothing_listens(instructions) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HealthServer)
    port = server.server_address[1]
    server.server_close()
    assert run_healthcheck(healthcheck_command(instructions), port) != 0
