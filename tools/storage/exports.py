"""Campaign results exported to the object store: CSV (one flat row a lead) or JSON lines."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from core.errors import InvalidInput
from core.models import Lead
from tools.storage.base import EXPORTS_PREFIX, ObjectStore

ExportFormat = Literal["csv", "jsonl"]
CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
LEAD_COLUMNS = [
    "url", "status", "error", "fit", "score", "company_name", "domain", "industry", "country",
    "locations", "team_size", "is_hiring", "description", "signals", "reasons", "evidence",
    "contacts", "contact_emails",
]
# A cell starting with one of these is a formula in spreadsheet programs; the text comes
# from untrusted web pages, so it is quoted with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SPOOL_BYTES = 8 * 1024 * 1024


class CampaignLeads(Protocol):
    """The one repository method an export needs (``core.db.repository.Repository`` has it)."""

    def campaign_leads(self, campaign_id: str, workspace_id: str | None = None) -> list[Lead]: ...


def export_key(campaign_id: str, fmt: str) -> str:
    return f"{EXPORTS_PREFIX}{campaign_id}/results.{fmt}"


def export_campaign(
    repository: CampaignLeads,
    store: ObjectStore,
    campaign_id: str,
    fmt: str,
    *,
    workspace_id: str | None = None,
) -> str:
    """Write every lead of the campaign to ``exports/<campaign_id>/results.<fmt>``; returns the key.

    Raises ``NotFound`` for an unknown campaign (or one of another workspace)."""
    if fmt not in CONTENT_TYPES:
        raise InvalidInput(f"export format must be one of {', '.join(CONTENT_TYPES)}, got {fmt!r}")
    leads = repository.campaign_leads(campaign_id, workspace_id)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        if fmt == "csv":
            write_csv(leads, text)
        else:
            write_jsonl(leads, text)
        text.flush()
        spool.seek(0)
        key = store.put(export_key(campaign_id, fmt), spool, CONTENT_TYPES[fmt])  # type: ignore[arg-type]
        text.detach()
    return key


def write_jsonl(leads: Iterable[Lead], out: io.TextIOBase | Any) -> None:
    for lead in leads:
        out.write(json.dumps(lead.result_line(), ensure_ascii=False) + "\n")


def write_csv(leads: Iterable[Lead], out: io.TextIOBase | Any) -> None:
    rows = [lead_row(lead) for lead in leads]
    draft_columns = sorted({c for row in rows for c in row if c.startswith("draft_")},
                           key=_draft_order)
    writer = csv.DictWriter(out, fieldnames=LEAD_COLUMNS + draft_columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _cell(value) for name, value in row.items()})


def lead_row(lead: Lead) -> dict[str, Any]:
    """The public result line of a lead flattened into spreadsheet columns."""
    line = lead.result_line()
    company = line.get("company") or {}
    qualification = line.get("qualification") or {}
    contacts = line.get("contacts") or []
    row: dict[str, Any] = {
        "url": line["url"],
        "status": line.get("status"),
        "error": line.get("error"),
        "fit": qualification.get("fit"),
        "score": qualification.get("score"),
        "company_name": company.get("name"),
        "domain": company.get("domain"),
        "industry": company.get("industry"),
        "country": company.get("country"),
        "locations": "; ".join(company.get("locations") or []),
        "team_size": company.get("team_size"),
        "is_hiring": company.get("is_hiring"),
        "description": company.get("description"),
        "signals": " | ".join(
            f"{s['kind']}: {s['text']} ({s['source_url']})" for s in company.get("signals") or []
        ),
        "reasons": " | ".join(qualification.get("reasons") or []),
        "evidence": " | ".join(
            f"{e['claim']} ({e['source_url']})" for e in qualification.get("evidence") or []
        ),
        "contacts": "; ".join(_contact(c) for c in contacts),
        "contact_emails": "; ".join(c["email"] for c in contacts if c.get("email")),
    }
    for draft in line.get("drafts") or []:
        row[f"draft_{draft['step']}_subject"] = draft["subject"]
        row[f"draft_{draft['step']}_body"] = draft["body"]
    return row


def _contact(contact: dict[str, Any]) -> str:
    text = contact.get("name") or ""
    if contact.get("title"):
        text = f"{text}, {contact['title']}" if text else contact["title"]
    if contact.get("email"):
        text = f"{text} <{contact['email']}>" if text else contact["email"]
    return text


def _draft_order(column: str) -> tuple[int, bool]:
    _, step, part = column.split("_", 2)
    return int(step), part != "subject"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
