"""Campaign results as files: CSV for spreadsheets, JSON Lines in the `leadgen run` shape."""

from __future__ import annotations

import csv
import io
import json

from core.models import Lead

CSV_COLUMNS = [
    "url", "status", "company", "domain", "industry", "team_size", "country", "score", "fit",
    "reasons", "contact_name", "contact_title", "contact_email", "contact_source",
    "subjects", "error",
]


def to_jsonl(leads: list[Lead]) -> str:
    return "".join(json.dumps(lead.result_line(), ensure_ascii=False) + "\n" for lead in leads)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading =, +, - or @ makes spreadsheets run the cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(leads: list[Lead]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for lead in leads:
        company, qual = lead.company, lead.qualification
        contact = lead.contacts[0] if lead.contacts else None
        writer.writerow([_cell(v) for v in (
            lead.url, lead.status, company and company.name, company and company.domain,
            company and company.industry, company and company.team_size, company and company.country,
            qual and qual.score, qual and qual.fit, qual and " | ".join(qual.reasons),
            contact and contact.name, contact and contact.title, contact and contact.email,
            contact and contact.source_url, " | ".join(d.subject for d in lead.drafts), lead.error,
        )])
    return out.getvalue()
