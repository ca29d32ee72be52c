"""Decides whether a page fetched over plain HTTP needs a real browser to show its content: a
JavaScript-only page, or a page whose contact addresses are written into it by a script."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode

MIN_VISIBLE_CHARS = 200
APP_ROOT_IDS = ("root", "app", "__next", "__nuxt", "___gatsby", "svelte")
# <script type> values a browser executes; anything else (ld+json, templates) is data.
_EXECUTABLE_TYPES = frozenset({"", "text/javascript", "application/javascript", "module",
                               "text/ecmascript", "application/ecmascript", "text/jscript"})
_NOSCRIPT_WALL = re.compile(
    r"(enable|turn on|activate|allow)\s+javascript|javascript\s+(is\s+)?(required|disabled|needed)"
    r"|requires?\s+javascript|need\s+javascript|javascript\s+must\s+be\s+enabled",
    re.I,
)
_INVISIBLE = ("script", "style", "noscript", "template", "svg", "head")
# A script that puts text or markup into the page.
_DOM_WRITE = re.compile(
    r"\.(?:innerHTML|outerHTML|textContent|innerText)\s*=|document\.write(?:ln)?\s*\("
    r"|\.insertAdjacent(?:HTML|Text)\s*\(|createTextNode\s*\(|\.(?:append|prepend|replaceWith)\s*\(",
)
# Ways a script assembles an e-mail address so that the HTML never contains it whole.
_ADDRESS_ASSEMBLY = re.compile(
    r"mailto|fromCharCode\s*\(\s*(?:64|0x40)\s*\)|\\x40|\\u0040|\\u\{40\}|&#0*64;|&#x0*40;|&commat;"
    r"|[\"'`]\s*@\s*[\"'`]|[\"'`]\s*(?:\[|\()?\s*at\s*(?:\]|\))?\s*[\"'`]",
    re.I,
)
_MAIL_WORDS = re.compile(r"e-?mail|\bmail\b|write to (?:us|me)|reach (?:us|me) at", re.I)
NEAR_BLOCK_CHARS = 300  # a small block (a line, a card), not a whole footer or section


def _visible_text(tree: HTMLParser) -> str:
    body = tree.body
    if body is None:
        return ""
    clone = HTMLParser(body.html or "")
    clone.strip_tags(list(_INVISIBLE))
    root = clone.body
    return " ".join((root.text(separator=" ") if root else "").split())


def _executable_scripts(tree: HTMLParser) -> list[LexborNode]:
    return [s for s in tree.css("script")
            if (s.attributes.get("type") or "").strip().lower() in _EXECUTABLE_TYPES]


def _is_script_only(tree: HTMLParser, scripts: list[LexborNode]) -> bool:
    text = _visible_text(tree)
    for noscript in tree.css("noscript"):
        if _NOSCRIPT_WALL.search(noscript.text(separator=" ") or "") and len(text) < 4 * MIN_VISIBLE_CHARS:
            return True
    if scripts:
        for app_id in APP_ROOT_IDS:
            root = tree.css_first(f"#{app_id}")
            if root is not None and not " ".join((root.text(separator=" ") or "").split()):
                if len(text) < 4 * MIN_VISIBLE_CHARS:
                    return True
    # Without scripts a browser would show the same little text, so rendering cannot help.
    return bool(scripts) and len(text) < MIN_VISIBLE_CHARS


def _near_mail_text(script: LexborNode) -> bool:
    """A small block around an inline script (two levels up at most) talks about e-mail."""
    node = script.parent
    for _level in range(2):
        if node is None or node.tag in ("body", "html", "head"):
            return False
        block = HTMLParser(node.html or "")
        block.strip_tags(list(_INVISIBLE))
        text = " ".join((block.body.text(separator=" ") if block.body else "").split())
        if len(text) > NEAR_BLOCK_CHARS:
            return False
        if _MAIL_WORDS.search(text):
            return True
        node = node.parent
    return False


def _writes_contact_by_script(scripts: list[LexborNode]) -> bool:
    for script in scripts:
        if script.attributes.get("src"):
            continue  # external code: the surrounding markup alone cannot tell what it writes
        code = script.text(deep=True) or ""
        if not _DOM_WRITE.search(code):
            continue
        if _ADDRESS_ASSEMBLY.search(code) or _near_mail_text(script):
            return True
    return False


def needs_rendering(html: str) -> bool:
    """True for JavaScript-only pages (a noscript "enable JavaScript" wall, an empty app root
    such as ``<div id="root">`` with scripts, or scripts with almost no visible text) and for
    pages where an inline script writes an e-mail address or contact details into the DOM
    (assembled from pieces, reversed, char codes): only the rendered page shows those."""
    if not html.strip():
        return False
    tree = HTMLParser(html)
    scripts = _executable_scripts(tree)
    return _is_script_only(tree, scripts) or _writes_contact_by_script(scripts)


def site_needs_browser(home_fetched_with: str) -> bool:
    """A site whose home page could only be read in the browser is read in the browser
    throughout: fetching its other pages over HTTP first would only show the same empty shell."""
    return home_fetched_with == "browser"
