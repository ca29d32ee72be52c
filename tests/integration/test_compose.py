"""docker-compose.yml: validates with docker-compose, runs the whole stack, pins images, wires monitoring."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

APP_SERVICES = {"api", "worker", "migrate"}
REQUIRED_SERVICES = APP_SERVICES | {
    "postgres", "redis", "chroma", "mailpit", "minio", "prometheus", "grafana",
}  # fmt: skip
# One-shot jobs exit when done, and Chroma's image ships no tool to probe it with.
NO_HEALTHCHECK = {"migrate", "minio-init", "chroma"}
APP_ENV = {
    "LEADGEN_DATABASE_URL": "postgresql+psycopg://leadgen:leadgen@postgres:5432/leadgen",
    "LEADGEN_BROKER_URL": "redis://redis:6379/0",
    "LEADGEN_CHROMA_URL": "http://chroma:8000",
    "LEADGEN_SMTP_URL": "smtp://mailpit:1025",
    "LEADGEN_OBJECT_STORE_URL": "s3://leadgen",
    "LEADGEN_S3_ENDPOINT_URL": "http://minio:9000",
}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}")


def interpolate(value, env: dict[str, str]):
    """Compose-style ``${VAR:-default}`` substitution over a parsed document ($$ is a literal $)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        name, colon, default = match.groups()
        value = env.get(name)
        if value is None or (colon and value == ""):
            return default or ""
        return value

    return _VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def load_compose(env: dict[str, str] | None = None) -> dict:
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), env or {})


def compose_binary() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        if IN_CI:
            pytest.fail("docker-compose not installed (CI=true: a missing tool is a failure)")
        pytest.skip("docker-compose not installed")
    return path


def run_compose(*args: str, env_overrides: dict[str, str] | None = None):
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEADGEN_")}
    env.update(env_overrides or {})
    return subprocess.run(
        [compose_binary(), "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_of(service: dict) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else command


# --- docker-compose itself ------------------------------------------------------------------


def test_interpolate_handles_defaults_overrides_and_escapes() -> None:
    doc = {"a": "${X:-one}", "b": ["${Y-two}", "$${Z}"], "c": 3, "d": "${X}"}
    assert interpolate(doc, {}) == {"a": "one", "b": ["two", "${Z}"], "c": 3, "d": ""}
    assert interpolate(doc, {"X": "set"})["a"] == "set"
    # `:-` replaces an empty value, `-` only an unset one
    assert interpolate(doc, {"X": "", "Y": ""}) == {"a": "one", "b": ["", "${Z}"], "c": 3, "d": ""}


def test_docker_compose_validates_the_file() -> None:
    result = run_compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_docker_compose_lists_every_service() -> None:
    result = run_compose("config", "--services")
    assert result.returncode == 0, result.stderr
    assert REQUIRED_SERVICES <= set(result.stdout.split())


def test_managed_database_and_redis_override_the_bundled_ones() -> None:
    """docs/deploy.md: pointing the same images at managed services is only environment."""
    managed = {
        "LEADGEN_DATABASE_URL": "postgresql+psycopg://app:pw@db.example.internal:5432/leadgen",
        "LEADGEN_BROKER_URL": "rediss://cache.example.internal:6380/0",
        "LEADGEN_REDIS_URL": "rediss://cache.example.internal:6380/1",
        "LEADGEN_SECRET_KEY": "s3cret-from-env",
        "LEADGEN_OBJECT_STORE_URL": "s3://company-exports",
        "LEADGEN_S3_ENDPOINT_URL": "",
    }
    result = run_compose("config", env_overrides=managed)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in APP_SERVICES:
        env = environment_of(services[name])
        for key, value in managed.items():
            assert env[key] == value, f"{name}.{key}"


# --- the file's content -----------------------------------------------------------------------


def test_all_services_are_defined() -> None:
    assert REQUIRED_SERVICES <= set(load_compose()["services"])


def test_every_image_is_pinned_to_a_tag() -> None:
    for name, service in load_compose()["services"].items():
        image = service.get("image")
        assert image, f"{name} has no image"
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest" and tag, f"{name}: {image} is not pinned"
        if "build" not in service:  # pulled from a registry, so the tag must name a release
            assert re.search(r"\d", tag), f"{name}: {image} should name a version"


def test_app_services_share_the_image_and_run_their_own_command() -> None:
    services = load_compose()["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        assert services[name]["build"] in (".", {"context": "."})
    assert command_of(services["api"]) == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert command_of(services["worker"]) == ["worker"]
    assert command_of(services["migrate"]) == ["db", "upgrade"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "8000" in services["api"]["ports"][0].split(":")[-1]


def test_app_services_point_at_the_bundled_backends() -> None:
    services = load_compose()["services"]
    for name in APP_SERVICES:
        env = environment_of(services[name])
        for key, value in APP_ENV.items():
            assert env[key] == value, f"{name}.{key}"
        assert env["LEADGEN_REDIS_URL"].startswith("redis://redis:6379/")
        assert env["LEADGEN_SECRET_KEY"], "secret key must have a (dev) default"
        assert env["AWS_ACCESS_KEY_ID"] == environment_of(services["minio"])["MINIO_ROOT_USER"]
        assert (
            env["AWS_SECRET_ACCESS_KEY"] == environment_of(services["minio"])["MINIO_ROOT_PASSWORD"]
        )
    assert environment_of(services["worker"])["PROMETHEUS_MULTIPROC_DIR"]


def test_backends_match_the_urls_the_app_uses() -> None:
    services = load_compose()["services"]
    pg = environment_of(services["postgres"])
    assert (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_DB"]) == ("leadgen",) * 3
    assert services["postgres"]["image"] == "postgres:15-alpine"
    assert services["redis"]["image"] == "redis:7-alpine"
    assert services["chroma"]["image"].startswith("chromadb/chroma:")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    mailpit_ports = {port.rsplit(":", 1)[-1] for port in services["mailpit"]["ports"]}
    assert mailpit_ports == {"1025", "8025"}
    assert command_of(services["minio"]) == ["server", "/data", "--console-address", ":9001"]
    bucket = APP_ENV["LEADGEN_OBJECT_STORE_URL"].removeprefix("s3://")
    assert f"local/{bucket}" in " ".join(command_of(services["minio-init"]))


def test_long_running_services_have_healthchecks() -> None:
    for name, service in load_compose()["services"].items():
        check = service.get("healthcheck", {})
        if name in NO_HEALTHCHECK:
            continue
        assert not check.get("disable"), name
        test = check.get("test")
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), f"{name}: no healthcheck"
    services = load_compose()["services"]
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert services["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    assert "/healthz" in services["api"]["healthcheck"]["test"][-1]
    assert ":9100/metrics" in services["worker"]["healthcheck"]["test"][-1]


def test_start_order_waits_for_health_and_migrations() -> None:
    services = load_compose()["services"]
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "test" in services[dependency].get("healthcheck", {}), (
                    f"{name} waits for {dependency} to be healthy, but it has no healthcheck"
                )


def test_bind_mounts_exist_and_monitoring_paths_line_up() -> None:
    services = load_compose()["services"]
    mounts: dict[str, str] = {}
    for service in services.values():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{source} is mounted but missing"
                mounts[source] = target
    prometheus_dir = mounts["./deploy/prometheus"]
    assert f"--config.file={prometheus_dir}/prometheus.yml" in command_of(services["prometheus"])
    provider = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/leadgen.yml").read_text()
    )["providers"][0]
    assert provider["options"]["path"] == mounts["./deploy/grafana/dashboards"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    home = environment_of(services["grafana"])["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(provider["options"]["path"] + "/")
    assert (ROOT / "deploy/grafana/dashboards" / Path(home).name).exists()


def test_prometheus_targets_are_compose_services() -> None:
    services = load_compose()["services"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for target in jobs["leadgen-api"]["static_configs"][0]["targets"]:
        host, port = target.split(":")
        assert host in services
        assert command_of(services[host])[-1] == port
    discovery = jobs["leadgen-worker"]["dns_sd_configs"][0]
    for host in discovery["names"]:
        assert host in services
        assert str(discovery["port"]) in services[host]["expose"]
