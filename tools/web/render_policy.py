"""Decides whether a page fetched over plain HTTP needs a real browser to show its content."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

MIN_VISIBLE_CHARS = 200
APP_ROOT_IDS = ("root", "app", "__next", "__nuxt", "___gatsby", "svelte")
_NOSCRIPT_WALL = re.compile(
    r"(enable|turn on|activate|allow)\s+javascript|javascript\s+(is\s+)?(required|disabled|needed)"
    r"|requires?\s+javascript|need\s+javascript|javascript\s+must\s+be\s+enabled",
    re.I,
)
_INVISIBLE = ("script", "style", "noscript", "template", "svg", "head")


def _visible_text(tree: HTMLParser) -> str:
    body = tree.body
    if body is None:
        return ""
    clone = HTMLParser(body.html or "")
    clone.strip_tags(list(_INVISIBLE))
    root = clone.body
    return " ".join((root.text(separator=" ") if root else "").split())


def needs_rendering(html: str) -> bool:
    """True for JavaScript-only pages: a noscript "enable JavaScript" wall, an empty app root
    (``<div id="root|app|__next">``) with scripts, or scripts with almost no visible text."""
    if not html.strip():
        return False
    tree = HTMLParser(html)
    has_scripts = bool(tree.css("script"))
    text = _visible_text(tree)
    for noscript in tree.css("noscript"):
        if _NOSCRIPT_WALL.search(noscript.text(separator=" ") or "") and len(text) < 4 * MIN_VISIBLE_CHARS:
            return True
    if has_scripts:
        for app_id in APP_ROOT_IDS:
            root = tree.css_first(f"#{app_id}")
            if root is not None and not " ".join((root.text(separator=" ") or "").split()):
                if len(text) < 4 * MIN_VISIBLE_CHARS:
                    return True
    # Without scripts a browser would show the same little text, so rendering cannot help.
    return has_scripts and len(text) < MIN_VISIBLE_CHARS
