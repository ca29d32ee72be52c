"""`leadgen discover`: find companies for a brief (files, directory listings, web search) and write
a companies file that `leadgen run --companies` reads."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import FetchError, InvalidInput, LeadgenError
from core.models import CampaignBrief
from core.settings import Settings

discover_app = typer.Typer(help="Find companies to research for a brief.", pretty_exceptions_enable=False)


async def discover(
    settings: Settings,
    brief: CampaignBrief,
    *,
    directories: list[str],
    search: bool,
    files: list[Path],
    limit: int | None,
) -> list:
    """Run the chosen sources in order (files, directories, search) and return the companies."""
    from agents.icp import effective_icp
    from tools.sources import (
        DirectorySource,
        FileSource,
        SearchSource,
        build_search_provider,
        discover_companies,
        search_queries,
    )
    from tools.web.fetcher import build_fetcher

    icp = effective_icp(brief)
    sources: list = [FileSource(p) for p in files]
    fetcher = build_fetcher(settings) if directories else None
    provider = None
    try:
        if fetcher is not None:
            sources += [DirectorySource(u, fetcher, max_pages=settings.directory_page_cap) for u in directories]
        if search:
            try:
                provider = build_search_provider(settings)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
            if provider is None:
                raise InvalidInput("--search needs LEADGEN_SEARCH_PROVIDER=brave or searxng")
            queries = search_queries(icp, max_queries=settings.search_max_queries)
            sources.append(SearchSource(provider, queries, per_query=settings.search_results_per_query))
        return await discover_companies(sources, limit=limit, exclude=icp.exclude)
    finally:
        if fetcher is not None:
            await fetcher.aclose()
        if provider is not None:
            await provider.aclose()


@discover_app.callback(invoke_without_command=True)
def discover_command(
    brief: Annotated[Path, typer.Option(help="Campaign brief (YAML or JSON); its ICP drives search queries.")],
    out: Annotated[str, typer.Option(help="Companies file to write; '-' for stdout.")] = "companies.txt",
    directory: Annotated[list[str] | None, typer.Option(help="Listing page URL to crawl (repeatable).")] = None,
    search: Annotated[bool, typer.Option("--search", help="Query the configured web search API.")] = False,
    from_file: Annotated[list[Path] | None, typer.Option(help="URL/domain list, CSV or JSONL to import (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Companies at most.")] = None,
    proxy: Annotated[str | None, typer.Option(help="HTTP proxy for directory pages (overrides LEADGEN_HTTP_PROXY).")] = None,
) -> None:
    """Discover companies and write one URL a line with a '# source' comment."""
    from core.briefs import load_brief
    from tools.sources import write_companies_file

    if not (directory or search or from_file):
        typer.echo("error: give --directory, --search or --from-file", err=True)
        raise typer.Exit(2)
    settings = Settings()
    if proxy:
        settings.http_proxy = proxy
    try:
        parsed = load_brief(brief)
        found = asyncio.run(discover(settings, parsed, directories=directory or [], search=search,
                                     files=from_file or [], limit=limit))
    except FetchError as exc:
        typer.echo(f"error: {exc.kind}: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    except LeadgenError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2 if isinstance(exc, InvalidInput) else 1) from exc
    if not found:
        typer.echo("error: no companies found", err=True)
        raise typer.Exit(1)
    title = f"leadgen discover for brief {parsed.name!r}: {len(found)} companies"
    if out == "-":
        write_companies_file(found, sys.stdout, title=title)
    else:
        with open(out, "w", encoding="utf-8") as handle:
            write_companies_file(found, handle, title=title)
        typer.echo(f"leadgen: {len(found)} companies written to {out}", err=True)
