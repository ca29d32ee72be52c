"""Mail tracking moves the mail metrics once per new event: SendGrid events (delivered, bounces,
complaints, unsubscribes) and inbound replies (classes, DSN bounces, unsubscribe requests)."""

from __future__ import annotations

import pytest

from tests.fixtures.mail.outbox_db import seed_outbox
from tests.unit.test_metrics import change, value
from tests.unit.test_tracking_apply import JO, SAM, sample
from tests.unit.test_tracking_replies import IDS, NOW, eml
from tools.tracking.apply import apply_events
from tools.tracking.replies import apply_reply, read_reply
from tools.tracking.sendgrid_events import parse_events


@pytest.fixture
def db(tmp_path):
    return seed_outbox(str(tmp_path / "m.db"), [JO, SAM], message_ids=IDS)


def test_sendgrid_events_count_once_by_kind(db):
    ref = db.message_id(JO)
    raw = [sample(kind, JO, leadgen_message_id=ref) for kind in ("delivered", "spamreport", "unsubscribe")]
    raw.append(sample("bounce", SAM, event_id="bounce-1", leadgen_message_id=db.message_id(SAM),
                      status="5.1.1"))
    raw.append(sample("blocked", SAM, event_id="blocked-1", leadgen_message_id=db.message_id(SAM)))
    events = parse_events(raw)
    with change("leadgen_messages_delivered_total", provider="sendgrid") as delivered, \
            change("leadgen_complaints_total", provider="sendgrid") as complaints, \
            change("leadgen_unsubscribes_total", source="link") as unsubscribes, \
            change("leadgen_bounces_total", provider="sendgrid", type="hard") as hard, \
            change("leadgen_bounces_total", provider="sendgrid", type="soft") as soft:
        apply_events(db.repo, db.workspace_id, events)
        apply_events(db.repo, db.workspace_id, events)  # a retried webhook batch counts nothing twice
    assert (delivered, complaints, unsubscribes, hard, soft) == ([1.0], [1.0], [1.0], [1.0], [1.0])


@pytest.mark.parametrize(("fixture", "metric", "labels"), [
    ("reply_positive_quoted.eml", "leadgen_replies_total", {"class": "interested"}),
    ("reply_unsubscribe.eml", "leadgen_unsubscribes_total", {"source": "reply"}),
])
def test_replies_count_once_by_class(db, fixture, metric, labels):
    result = read_reply(db.repo, db.workspace_id, eml(fixture))
    with change(metric, **labels) as moved:
        apply_reply(db.repo, db.workspace_id, result, now=NOW)
        apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert moved == [1.0]


def test_a_dsn_is_a_bounce_not_a_reply(db):
    result = read_reply(db.repo, db.workspace_id, eml("dsn_hard_bounce.eml"))
    assert result.kind == "bounce" and result.hard_bounce
    replies = sum(value("leadgen_replies_total", **{"class": c})
                  for c in ("interested", "not_interested", "out_of_office", "unsubscribe", "other"))
    with change("leadgen_bounces_total", provider="smtp", type="hard") as hard:
        apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert hard == [1.0]
    assert sum(value("leadgen_replies_total", **{"class": c})
               for c in ("interested", "not_interested", "out_of_office", "unsubscribe", "other")) == replies
