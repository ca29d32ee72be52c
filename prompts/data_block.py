"""The ``<company_data>`` block: untrusted company facts and page text, trimmed and neutralised for prompts."""

from __future__ import annotations

import re

from core.models import Company

DEFAULT_BUDGET_CHARS = 6000
_SPACE = re.compile(r"\s+")


def neutralise(text: str) -> str:
    """Collapse whitespace and swap angle brackets so data can never close or open a prompt tag."""
    return _SPACE.sub(" ", text).replace("<", "‹").replace(">", "›").strip()


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _page_order(company: Company) -> list[str]:
    """Pages the structured facts point at come first, then the rest in crawl order."""
    cited = [s.source_url for s in company.signals] + [f.source_url for f in company.facts]
    cited += list(company.sources.values())
    order = [url for url in dict.fromkeys(cited) if url in company.pages]
    return order + [url for url in company.pages if url not in order]


def company_data_block(company: Company, *, budget_chars: int = DEFAULT_BUDGET_CHARS) -> str:
    """Everything known about ``company`` as plain lines, at most ``budget_chars`` characters.

    The caller wraps it in ``<company_data>...</company_data>``; the text inside is data only.
    """
    lines = [f"name: {neutralise(company.name or company.domain)}", f"domain: {neutralise(company.domain)}"]
    if company.description:
        source = company.sources.get("description")
        suffix = f" (source: {neutralise(source)})" if source else ""
        lines.append(f"description: {neutralise(company.description)}{suffix}")
    for label, value in (("industry", company.industry), ("country", company.country),
                         ("team_size", company.team_size)):
        if value is not None:
            lines.append(f"{label}: {neutralise(str(value))}")
    if company.locations:
        lines.append("locations: " + neutralise("; ".join(company.locations)))
    for signal in company.signals:
        lines.append(f"signal [{neutralise(signal.kind)}]: {neutralise(signal.text)} "
                     f"(source: {neutralise(signal.source_url)})")
    if company.open_roles:
        source = company.sources.get("open_roles")
        suffix = f" (source: {neutralise(source)})" if source else ""
        lines.append("open roles: " + neutralise("; ".join(company.open_roles)) + suffix)
    for fact in company.facts:
        lines.append(f"fact: {neutralise(fact.claim)} (source: {neutralise(fact.source_url)})")
    header = _clip("\n".join(lines), budget_chars // 3)

    pages = _page_order(company)
    remaining = budget_chars - len(header)
    chunks = [header]
    for index, url in enumerate(pages):
        share = remaining // (len(pages) - index)
        opening = f'<page url="{neutralise(url)}">\n'
        body = _clip(neutralise(company.pages[url]), max(share - len(opening) - 9, 0))
        if not body:
            break
        chunk = f"{opening}{body}\n</page>"
        chunks.append(chunk)
        remaining -= len(chunk) + 1
    return "\n".join(chunks)
