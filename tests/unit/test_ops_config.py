"""Monitoring config stays consistent: metrics catalog, alert rules, dashboard, Prometheus config."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CATALOG = DEPLOY / "metrics.md"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus" / "tests" / "alerts_test.yml"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "leadgen.json"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml"

METRIC_TYPES = {"counter", "gauge", "histogram"}
HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")
# Labels Prometheus attaches to every scraped series, usable in any expression.
TARGET_LABELS = {"job", "instance"}
# Series Prometheus makes itself; they need no application code.
BUILTIN_METRICS = {"up"}
REQUIRED_ALERTS = {
    "LeadgenApiErrorRateHigh",
    "LeadgenDeliverabilityLow",
    "LeadgenBounceRateHigh",
    "LeadgenComplaintRateHigh",
    "LeadgenQueueBacklogGrowing",
    "LeadgenLlmBudgetNearlySpent",
}
GRAFANA_RANGE_VARIABLES = re.compile(r"\$__(rate_interval|interval|range)")

_METRIC_NAME = re.compile(r"\b(leadgen_[a-z0-9_]+)\b")
_SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}")
_MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
_DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")


def parse_catalog(text: str) -> dict[str, dict]:
    """Rows of the markdown table in deploy/metrics.md: name -> {type, labels, meaning}."""
    metrics: dict[str, dict] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`leadgen_"):
            continue
        name = cells[0].strip("`")
        labels = set(re.findall(r"`([a-z_]+)`", cells[2]))
        if name in metrics:
            raise AssertionError(f"{name} is listed twice in metrics.md")
        metrics[name] = {"type": cells[1], "labels": labels, "meaning": cells[3]}
    return metrics


@pytest.fixture(scope="module")
def catalog() -> dict[str, dict]:
    metrics = parse_catalog(CATALOG.read_text())
    assert metrics, "deploy/metrics.md has no metric rows"
    return metrics


def resolve_metric(name: str, catalog: dict[str, dict]) -> str | None:
    """The catalog entry a series name belongs to (histograms expose _bucket/_sum/_count)."""
    if name in catalog:
        return name
    for suffix in HISTOGRAM_SERIES:
        base = name.removesuffix(suffix)
        if base != name and catalog.get(base, {}).get("type") == "histogram":
            return base
    return None


def expression_problems(expr: str, catalog: dict[str, dict]) -> list[str]:
    """Metrics missing from the catalog and labels a metric does not carry, in one PromQL expr."""
    problems = []
    used = set()
    for name in _METRIC_NAME.findall(expr):
        base = resolve_metric(name, catalog)
        if base is None:
            problems.append(f"{name} is not in deploy/metrics.md")
        else:
            used.add(base)
    for name, body in _SELECTOR.findall(expr):
        base = resolve_metric(name, catalog)
        if base is None:
            continue
        allowed = catalog[base]["labels"] | TARGET_LABELS
        if name.endswith("_bucket"):
            allowed = allowed | {"le"}
        for label in _MATCHER.findall(body):
            if label not in allowed:
                problems.append(f"{name} has no label {label!r}")
    known = set(TARGET_LABELS)
    for base in used:
        known |= catalog[base]["labels"]
        if catalog[base]["type"] == "histogram":
            known.add("le")
    for group in _GROUPING.findall(expr):
        for label in filter(None, (part.strip() for part in group.split(","))):
            if label not in known:
                problems.append(f"grouping label {label!r} is on none of {sorted(used)}")
    return problems


def load_alert_rules() -> list[dict]:
    document = yaml.safe_load(ALERTS.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def load_dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def dashboard_exprs(dashboard: dict) -> list[tuple[str, str]]:
    found = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            found.append((panel["title"], target["expr"]))
    return found


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool not installed (Debian package `prometheus` provides it)")
    return path


# --- the catalog ----------------------------------------------------------------------


def test_parse_catalog_reads_table_rows_and_labels() -> None:
    text = (
        "| name | type | labels | meaning |\n| --- | --- | --- | --- |\n"
        "| `leadgen_x_total` | counter | `a`, `b` | X happened. |\n"
        "| `leadgen_y_seconds` | histogram | (none) | Y took. |\n"
        "Some prose mentioning `leadgen_z_total` outside the table.\n"
    )
    assert parse_catalog(text) == {
        "leadgen_x_total": {"type": "counter", "labels": {"a", "b"}, "meaning": "X happened."},
        "leadgen_y_seconds": {"type": "histogram", "labels": set(), "meaning": "Y took."},
    }


def test_catalog_follows_prometheus_naming(catalog: dict[str, dict]) -> None:
    for name, entry in catalog.items():
        assert re.fullmatch(r"leadgen_[a-z][a-z0-9_]*[a-z0-9]", name), name
        assert entry["type"] in METRIC_TYPES, f"{name}: unknown type {entry['type']!r}"
        assert entry["meaning"], f"{name} has no meaning"
        if entry["type"] == "counter":
            assert name.endswith("_total"), f"counter {name} must end in _total"
        else:
            assert not name.endswith("_total"), f"{entry['type']} {name} must not end in _total"
        if entry["type"] == "histogram":
            assert name.endswith("_seconds"), f"histogram {name} must be a duration in _seconds"
        if "duration" in name or "latency" in name:
            assert name.endswith("_seconds"), f"{name}: durations are in seconds"
        assert not entry["labels"] & (TARGET_LABELS | {"le"}), f"{name} reuses a reserved label"


def test_expression_problems_reports_unknown_metrics_and_labels(catalog: dict[str, dict]) -> None:
    assert (
        expression_problems('sum by (stage) (rate(leadgen_leads_total{outcome="ok"}[5m]))', catalog)
        == []
    )
    assert (
        expression_problems(
            "histogram_quantile(0.9, sum by (le) (rate(leadgen_stage_duration_seconds_bucket[5m])))",
            catalog,
        )
        == []
    )
    assert expression_problems("rate(leadgen_nope_total[5m])", catalog) == [
        "leadgen_nope_total is not in deploy/metrics.md"
    ]
    assert expression_problems('rate(leadgen_leads_total{colour="red"}[5m])', catalog) == [
        "leadgen_leads_total has no label 'colour'"
    ]
    assert expression_problems("sum by (colour) (rate(leadgen_leads_total[5m]))", catalog) == [
        "grouping label 'colour' is on none of ['leadgen_leads_total']"
    ]
    # _bucket only exists for histograms
    assert expression_problems("rate(leadgen_leads_total_bucket[5m])", catalog) == [
        "leadgen_leads_total_bucket is not in deploy/metrics.md"
    ]


def test_every_catalog_metric_is_on_the_dashboard(catalog: dict[str, dict]) -> None:
    used = set()
    for _, expr in dashboard_exprs(load_dashboard()):
        used |= {resolve_metric(name, catalog) for name in _METRIC_NAME.findall(expr)}
    assert set(catalog) - used == set(), "catalogued but never charted"


# --- alert rules ------------------------------------------------------------------------


def test_alert_rules_are_well_formed() -> None:
    document = yaml.safe_load(ALERTS.read_text())
    assert document["groups"], "no rule groups"
    group_names = [group["name"] for group in document["groups"]]
    assert len(group_names) == len(set(group_names))
    rules = load_alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "duplicate alert names"
    assert REQUIRED_ALERTS <= set(names)
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert re.fullmatch(r"Leadgen[A-Z][A-Za-z0-9]+", rule["alert"])
        assert rule["expr"].strip()
        if "for" in rule:
            assert _DURATION.match(rule["for"]), rule["for"]
        assert rule["labels"]["severity"] in {"page", "warn"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_alert_exprs_use_only_catalogued_metrics(catalog: dict[str, dict]) -> None:
    for rule in load_alert_rules():
        assert expression_problems(rule["expr"], catalog) == [], rule["alert"]
        words = set(re.findall(r"\b[a-z_]+\b", rule["expr"]))
        names = set(_METRIC_NAME.findall(rule["expr"])) | (words & BUILTIN_METRICS)
        assert names, f"{rule['alert']} references no metric"


def test_every_alert_has_promtool_unit_tests() -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text())
    assert tests["rule_files"] == ["../alerts.yml"]
    tested = {case["alertname"] for test in tests["tests"] for case in test["alert_rule_test"]}
    firing = {
        case["alertname"]
        for test in tests["tests"]
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    names = {rule["alert"] for rule in load_alert_rules()}
    assert names == tested, "every alert needs a test, and every test an alert"
    assert names == firing, "every alert needs a case where it fires"


def test_promtool_accepts_config_and_rules() -> None:
    tool = promtool()
    for args in (["check", "config", str(PROMETHEUS_CONFIG)], ["check", "rules", str(ALERTS)]):
        result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_fire_and_stay_quiet_as_their_unit_tests_expect() -> None:
    tool = promtool()
    result = subprocess.run(
        [tool, "test", "rules", str(ALERT_TESTS)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Prometheus scrape config -------------------------------------------------------------


def test_prometheus_scrapes_api_and_every_worker() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    assert config["rule_files"] == ["alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api = jobs["leadgen-api"]
    assert api.get("metrics_path", "/metrics") == "/metrics"
    assert api["static_configs"] == [{"targets": ["api:8000"]}]
    worker = jobs["leadgen-worker"]
    [discovery] = worker["dns_sd_configs"]
    assert discovery == {**discovery, "names": ["worker"], "type": "A", "port": 9100}


# --- Grafana ------------------------------------------------------------------------------


def test_dashboard_is_well_formed_grafana_json() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] and dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    [datasource] = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    occupied: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (row, col)
            for row in range(grid["y"], grid["y"] + grid["h"])
            for col in range(grid["x"], grid["x"] + grid["w"])
        }
        assert not cells & occupied, f"panel {panel['title']!r} overlaps another"
        occupied |= cells
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": datasource["uid"]}
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert ref_ids and len(ref_ids) == len(set(ref_ids)), panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]
            assert target.get("datasource", panel["datasource"]) == panel["datasource"]


def test_dashboard_exprs_use_only_catalogued_metrics(catalog: dict[str, dict]) -> None:
    for title, expr in dashboard_exprs(load_dashboard()):
        assert expression_problems(expr, catalog) == [], title


def test_dashboard_covers_the_operating_questions() -> None:
    titles = " | ".join(panel["title"].lower() for panel in load_dashboard()["panels"])
    for topic in (
        "stage and outcome",
        "latency",
        "fetch errors",
        "robots",
        "tokens",
        "cost",
        "guard",
        "approvals",
        "queued / sent / deferred",
        "bounces",
        "complaint",
        "unsubscribes",
        "replies",
        "api requests",
        "error rate",
        "deliverability",
        "qualification accuracy",
    ):
        assert topic in titles, f"no panel about {topic!r}"


def test_promtool_parses_every_dashboard_expr(tmp_path: Path) -> None:
    tool = promtool()
    rules = [
        {
            "record": f"leadgen:dashboard_check:{index}",
            "expr": GRAFANA_RANGE_VARIABLES.sub("5m", expr),
        }
        for index, (_, expr) in enumerate(dashboard_exprs(load_dashboard()))
    ]
    rule_file = tmp_path / "dashboard_rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [tool, "check", "rules", str(rule_file)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
