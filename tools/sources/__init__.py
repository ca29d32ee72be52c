"""Where companies come from: files, directory listings and web search, behind the `Source` seam."""

from tools.sources.directory import DirectorySource
from tools.sources.discovery import discover_companies, write_companies_file
from tools.sources.files import FileSource
from tools.sources.search import SearchSource, build_search_provider
from tools.sources.search_queries import search_queries
from tools.sources.types import DiscoveredCompany, Source

__all__ = [
    "DirectorySource", "DiscoveredCompany", "FileSource", "SearchSource", "Source",
    "build_search_provider", "discover_companies", "search_queries", "write_companies_file",
]
