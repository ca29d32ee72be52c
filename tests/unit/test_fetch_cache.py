"""The content-addressed page cache on disk."""

from __future__ import annotations

from tools.web.cache import PageCache
from tools.web.types import Page


def make_page(url: str, html: str, final_url: str | None = None) -> Page:
    return Page(url=url, final_url=final_url or url, status=200, html=html,
                headers={"content-type": "text/html", "set-cookie": "secret"})


async def test_round_trip_marks_the_page_as_cached(tmp_path):
    cache = PageCache.for_data_dir(tmp_path)
    await cache.put(make_page("https://a.example/", "<p>héllo</p>", "https://a.example/home"))
    hit = await cache.get("https://a.example/")
    assert hit is not None
    page, origin = hit
    assert (page.html, page.final_url, page.status, page.fetched_with, origin) == (
        "<p>héllo</p>", "https://a.example/home", 200, "cache", "httpx")
    assert "set-cookie" not in page.headers
    assert await cache.get("https://a.example/other") is None
    assert (tmp_path / "cache" / "pages").is_dir()


def test_identical_bodies_share_one_blob(tmp_path):
    cache = PageCache(tmp_path)
    sha1 = cache.put_sync(make_page("https://a.example/1", "<p>same</p>"))
    sha2 = cache.put_sync(make_page("https://b.example/2", "<p>same</p>"))
    assert sha1 == sha2
    assert len([p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]) == 1


def test_entries_expire_after_max_age(tmp_path):
    now = [1000.0]
    cache = PageCache(tmp_path, max_age=60, clock=lambda: now[0])
    cache.put_sync(make_page("https://a.example/", "<p>x</p>"))
    now[0] += 59
    assert cache.get_sync("https://a.example/") is not None
    now[0] += 2
    assert cache.get_sync("https://a.example/") is None


def test_a_damaged_blob_is_a_miss(tmp_path):
    cache = PageCache(tmp_path)
    sha = cache.put_sync(make_page("https://a.example/", "<p>x</p>"))
    (tmp_path / "blobs" / sha[:2] / sha).write_bytes(b"tampered")
    assert cache.get_sync("https://a.example/") is None
