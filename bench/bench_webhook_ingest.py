"""Webhook ingest throughput: N SendGrid events signed with our own P-256 key, verified, parsed
and applied to a migrated SQLite database in webhook-sized batches. Prints events/s and writes
bench/results/webhook_ingest.json. Never fails on time.

    .venv/bin/python bench/bench_webhook_ingest.py --events 20000 --batch 500
"""

from __future__ import annotations

import argparse
import base64
import json
import platform
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.db import Repository, make_engine, migrate, session_factory  # noqa: E402
from core.db.tables import OutboxMessage  # noqa: E402
from core.models import CampaignBrief, Sender  # noqa: E402
from tools.tracking.apply import apply_events  # noqa: E402
from tools.tracking.sendgrid_events import (  # noqa: E402
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_request,
)

# A realistic mix: most traffic is delivery and engagement; a few events suppress and stop.
MIX = [("processed", 25), ("delivered", 25), ("open", 25), ("click", 10), ("deferred", 5),
       ("bounce", 4), ("blocked", 2), ("spamreport", 1), ("unsubscribe", 2), ("dropped", 1)]


def seed(url: str, recipients: int) -> tuple[Repository, str, list[tuple[str, str]]]:
    migrate.upgrade(url)
    repo = Repository(session_factory(make_engine(url)))
    workspace_id = repo.ensure_workspace("bench")
    campaign_id = repo.create_campaign(
        CampaignBrief(name="bench", offer="Data pipelines",
                      sender=Sender(name="Ana", company="Pipewise", email="ana@bench.example",
                                    postal_address="1 Main St")),
        [], workspace_id=workspace_id)
    sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
    targets = []
    with repo._sessions.begin() as s:  # noqa: SLF001 - bench fixture writes outbox rows directly
        rows = []
        for i in range(recipients):
            email = f"person{i}@company{i % 97}.example"
            for step in (1, 2, 3):
                message_id = f"<{uuid.uuid4().hex}@bench.example>"
                rows.append(OutboxMessage(
                    workspace_id=workspace_id, campaign_id=campaign_id, to_email=email, step=step,
                    idempotency_key=f"{campaign_id}:{i}:{step}", message_id=message_id,
                    subject="s", body="b", content_hash="0" * 64,
                    status="sent" if step == 1 else "queued",
                    due_at=sent + timedelta(days=3 * step), attempts=0,
                    sent_at=sent if step == 1 else None,
                ))
                if step == 1:
                    targets.append((email, message_id))
        s.add_all(rows)
    return repo, workspace_id, targets


def make_batches(n: int, batch: int, targets: list[tuple[str, str]], rng: random.Random) -> list[list[dict]]:
    kinds = [k for k, weight in MIX for _ in range(weight)]
    events = []
    base = int(time.time()) - 60
    for i in range(n):
        kind = rng.choice(kinds)
        email, message_id = rng.choice(targets)
        raw = {"email": email, "timestamp": base + i % 60, "event": kind,
               "sg_event_id": uuid.uuid4().hex, "sg_message_id": f"x{i}.filter0001.0",
               "leadgen_message_id": message_id, "smtp-id": message_id}
        if kind == "blocked":
            raw.update(event="bounce", type="blocked", status="5.7.1", reason="550 5.7.1 blocked")
        elif kind == "bounce":
            raw.update(type="bounce", status="5.1.1", reason="550 5.1.1 unknown user")
        elif kind == "dropped":
            raw.update(reason="Bounced Address", status="5.0.0")
        events.append(raw)
    # SendGrid retries: about 2% of events arrive a second time.
    events += [dict(e) for e in rng.sample(events, max(1, n // 50))]
    return [events[i:i + batch] for i in range(0, len(events), batch)]


def sign(key: ec.EllipticCurvePrivateKey, body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    signature = key.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {SIGNATURE_HEADER: base64.b64encode(signature).decode(), TIMESTAMP_HEADER: ts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "webhook_ingest.json")
    args = parser.parse_args()

    rng = random.Random(7)
    key = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        repo, workspace_id, targets = seed(url, args.recipients)
        requests = []
        for batch in make_batches(args.events, args.batch, targets, rng):
            body = (json.dumps(batch, separators=(",", ":")) + "\r\n").encode()
            requests.append((sign(key, body), body))
        totals = {"received": 0, "recorded": 0, "duplicates": 0, "suppressed": 0, "stopped": 0,
                  "blocked": 0}
        verify_s = apply_s = 0.0
        started = time.perf_counter()
        for headers, body in requests:
            t0 = time.perf_counter()
            events = verify_request(public, headers, body)
            t1 = time.perf_counter()
            summary = apply_events(repo, workspace_id, events)
            apply_s += time.perf_counter() - t1
            verify_s += t1 - t0
            totals["received"] += summary.received
            totals["recorded"] += summary.recorded
            totals["duplicates"] += summary.duplicates
            totals["suppressed"] += len(summary.suppressed)
            totals["stopped"] += summary.stopped
            totals["blocked"] += len(summary.blocked)
        elapsed = time.perf_counter() - started
    rate = totals["received"] / elapsed if elapsed else 0.0
    result = {
        "benchmark": "webhook_ingest",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite (file, WAL)",
        "events": totals["received"], "batch_size": args.batch, "requests": len(requests),
        "seconds": round(elapsed, 3), "events_per_second": round(rate, 1),
        "verify_parse_seconds": round(verify_s, 3), "apply_seconds": round(apply_s, 3),
        "target_events_per_second": 2000, "meets_target": rate >= 2000,
        "totals": totals,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{totals['received']} events in {elapsed:.2f}s: {rate:,.0f} events/s "
          f"(verify+parse {verify_s:.2f}s, apply {apply_s:.2f}s); "
          f"recorded {totals['recorded']}, duplicates {totals['duplicates']}, "
          f"suppressed {totals['suppressed']}, stopped {totals['stopped']} -> {args.out}")


if __name__ == "__main__":
    main()
