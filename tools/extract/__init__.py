"""Pure, deterministic extraction over fetched HTML: visible text, JSON-LD, links, company facts, contacts,
and the hosted job boards a careers page points to."""

from tools.extract.company import extract_company
from tools.extract.contacts import extract_contacts, guess_email
from tools.extract.domains import registrable_domain, same_site
from tools.extract.job_boards import add_openings, board_at, find_job_boards, parse_openings
from tools.extract.links import discover_pages, page_kind, parse_sitemap
from tools.extract.visible import visible_text, visible_tree

__all__ = [
    "add_openings",
    "board_at",
    "discover_pages",
    "extract_company",
    "extract_contacts",
    "find_job_boards",
    "guess_email",
    "page_kind",
    "parse_openings",
    "parse_sitemap",
    "registrable_domain",
    "same_site",
    "visible_text",
    "visible_tree",
]
