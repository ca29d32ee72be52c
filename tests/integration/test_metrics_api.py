"""GET /metrics of the real API after reviewer decisions and unsubscribes: every catalogued metric
is exposed, decisions and unsubscribes are counted once, and the review accuracy ratio is read
from the database."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from core import tokens
from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import SECRET
from tests.unit.test_metrics import CAT, family_name


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def test_decisions_are_counted_once_with_qualification_feedback(client, world, as_role):
    headers = as_role("reviewer")
    first, second = world.approvals(world.a.campaigns[0])[:2]
    approved = value("leadgen_approvals_total", decision="approved")
    rejected = value("leadgen_approvals_total", decision="rejected")
    correct = value("leadgen_qualification_feedback_total", verdict="correct")
    incorrect = value("leadgen_qualification_feedback_total", verdict="incorrect")

    for _ in range(2):  # the repeat is a no-op and must not count again
        assert client.post(f"/api/v1/approvals/{first.id}/approve", headers=headers).status_code == 200
    assert client.post(f"/api/v1/approvals/{second.id}/reject", headers=headers).status_code == 200

    assert value("leadgen_approvals_total", decision="approved") == approved + 1
    assert value("leadgen_approvals_total", decision="rejected") == rejected + 1
    # The seeded leads are all qualified as fit: approving agrees, rejecting overrules.
    assert value("leadgen_qualification_feedback_total", verdict="correct") == correct + 1
    assert value("leadgen_qualification_feedback_total", verdict="incorrect") == incorrect + 1

    families = scrape(client)
    [review] = [s for s in families["leadgen_qualification_accuracy_ratio"].samples
                if s.labels == {"source": "review"}]
    assert review.value == 0.5  # one approved, one rejected in this database
    [evaluated] = [s for s in families["leadgen_qualification_accuracy_ratio"].samples
                   if s.labels == {"source": "eval"}]
    assert 0.0 <= evaluated.value <= 1.0


def test_unsubscribes_by_source_and_every_catalog_metric_on_metrics(client, world):
    messages = []
    for item in world.approvals(world.a.campaigns[0])[:2]:
        world.repo.decide(item.id, "approve", "tester")
        messages.append(world.repo.enqueue_outbox(item.id)[0])
    link, one_click = (tokens.sign(m.message_id, SECRET) for m in messages)
    by_link = value("leadgen_unsubscribes_total", source="link")
    by_click = value("leadgen_unsubscribes_total", source="one_click")

    form = {"content-type": "application/x-www-form-urlencoded"}
    for _ in range(2):  # a second click changes nothing and is not counted
        client.post(f"/u/{link}", content="List-Unsubscribe=One-Click&via=page", headers=form)
    client.post(f"/u/{one_click}", content="List-Unsubscribe=One-Click", headers=form)
    assert 'name="via" value="page"' in client.get(f"/u/{link}").text  # the page's form says so

    assert value("leadgen_unsubscribes_total", source="link") == by_link + 1
    assert value("leadgen_unsubscribes_total", source="one_click") == by_click + 1
    families = scrape(client)
    assert {family_name(name) for name in CAT} <= set(families)
    [errors] = families["leadgen_api_error_ratio"].samples
    assert 0.0 <= errors.value <= 1.0
