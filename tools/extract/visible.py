"""What a person sees on a page: the HTML tree minus scripts and hidden elements, and its text."""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tools.extract.emails import reveal_protected

_ALWAYS_DROP = ("script", "style", "template", "svg", "iframe", "object", "embed", "canvas", "head")
# Utility classes of common CSS frameworks and site builders whose only job is to hide an element
# (Bootstrap, Tailwind, WordPress, Elementor, Webflow conditional visibility, Foundation, Bulma, UIkit).
_HIDING_CLASSES = {
    "hidden", "d-none", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
    "invisible", "hide", "elementor-screen-only", "screen-reader-only", "w-condition-invisible", "w-dyn-hide",
    "show-for-sr", "is-hidden", "uk-hidden", "a11y-hidden", "hidden-visually", "slds-assistive-text",
}
# Tailwind/Bootstrap: `hidden md:flex` / `d-none d-lg-block` are visible on a desktop screen.
_RESPONSIVE_SHOW = re.compile(r"^(?:(?:sm|md|lg|xl|2xl):(?:block|flex|grid|inline|inline-block|inline-flex|table|contents)|d-(?:sm|md|lg|xl|xxl)-(?:block|flex|grid|inline|inline-block|table))$")
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "nav", "aside", "main", "h1", "h2", "h3",
    "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "thead", "tbody", "blockquote",
    "pre", "form", "address", "figure", "figcaption", "hr", "fieldset", "details", "summary", "option",
    "body", "html", "caption", "label", "legend",
}
_CELL = {"td", "th"}
_MARK = "data-leadgen-hidden"
_LENGTH = re.compile(r"^(-?\d*\.?\d+)\s*(px|em|rem|pt|%|vw|vh)?$")
_TRANSLATE = re.compile(r"translate(?:x|y|3d)?\(\s*([^,)]+)(?:,\s*([^,)]+))?")
_NAMED_COLOURS = {"white": "#ffffff", "black": "#000000"}


def _px(value: str) -> float | None:
    m = _LENGTH.match(value.strip())
    if not m:
        return None
    number = float(m.group(1))
    return number * 16 if m.group(2) in ("em", "rem") else number


def _off_screen(value: str) -> bool:
    """A negative offset that moves an element out of any viewport: -1000px or more, or -100vw/-100%."""
    m = _LENGTH.match(value.strip())
    if not m:
        return False
    number, unit = float(m.group(1)), m.group(2)
    if unit in ("%", "vw", "vh"):
        return number <= -100
    return (number * 16 if unit in ("em", "rem") else number) <= -1000


def _colour(value: str) -> str:
    value = _NAMED_COLOURS.get(value.strip(), value.strip())
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value.replace(" ", "")


def style_hides(style: str) -> bool:
    """True when an inline style (or a CSS rule body) makes the element invisible to a reader."""
    decls: dict[str, str] = {}
    for decl in style.split(";"):
        prop, _, value = decl.partition(":")
        decls[prop.strip().lower()] = value.replace("!important", "").strip().lower()
    if decls.get("display") == "none" or decls.get("visibility") in ("hidden", "collapse"):
        return True
    if decls.get("color") == "transparent" or decls.get("content-visibility") == "hidden":
        return True
    opacity = _px(decls.get("opacity", "x"))
    if opacity is not None and opacity <= 0:
        return True
    font_size = _px(decls.get("font-size", "x"))
    if font_size is not None and font_size <= 1:  # 1px text is a known way to hide an injected instruction
        return True
    if any(_off_screen(decls.get(p, "x")) for p in ("left", "top", "right", "text-indent", "margin-left", "margin-top")):
        return True
    if any(_off_screen(v) for m in _TRANSLATE.finditer(decls.get("transform", "")) for v in m.groups() if v):
        return True
    background = decls.get("background-color") or decls.get("background", "")
    if decls.get("color") and background and _colour(decls["color"]) == _colour(background):
        return True  # text in the colour of its own background
    clip = decls.get("clip", "") + " " + decls.get("clip-path", "")
    if re.search(r"rect\(\s*0[a-z]*[\s,]+0|rect\(\s*1px[\s,]+1px|inset\(\s*(50|100)%|circle\(\s*0", clip):
        return True
    if re.search(r"scale\(\s*0(\.0+)?\s*[,)]", decls.get("transform", "")):
        return True
    if decls.get("overflow") in ("hidden", "clip"):
        sizes = [_px(decls.get(p, "x")) for p in ("width", "height", "max-width", "max-height")]
        if any(s is not None and s <= 1 for s in sizes):
            return True
    return False


def _classes_hide(classes: str) -> bool:
    names = classes.split()
    return any(n in _HIDING_CLASSES for n in names) and not any(_RESPONSIVE_SHOW.match(n) for n in names)


def _stylesheet_rules(css: str) -> list[tuple[str, str]]:
    """Top-level ``selector { body }`` pairs; @media/@supports blocks are skipped (they may not apply)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[tuple[str, str]] = []
    i, n = 0, len(css)
    while i < n:
        open_at = css.find("{", i)
        if open_at < 0:
            break
        selector = css[i:open_at].strip()
        depth, j = 1, open_at + 1
        while j < n and depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        if not selector.startswith("@"):
            rules.append((selector, css[open_at + 1 : j - 1]))
        i = j
    return rules


def _styled_by_stylesheets(tree: LexborHTMLParser, applies: Callable[[str], bool]) -> list[LexborNode]:
    """Elements matched by a top-level rule of an inline <style> whose body ``applies``."""
    found: list[LexborNode] = []
    for style in tree.css("style"):
        for selector, body in _stylesheet_rules(style.text(deep=True)):
            if "{" in body or not applies(body):
                continue
            for part in selector.split(","):
                part = part.strip()
                if not part or ":" in part or not re.fullmatch(r"[\w\-.#\[\]=\"' >*]+", part):
                    continue
                try:
                    found.extend(tree.css(part))
                except Exception:  # noqa: BLE001 - selectolax raises plain errors on selectors it cannot parse
                    continue
    return found


def _has_marked_ancestor(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent.tag not in ("html", "-document"):
        if _MARK in (parent.attributes or {}):
            return True
        parent = parent.parent
    return False


def _reverses_text(style: str) -> bool:
    """``direction: rtl; unicode-bidi: bidi-override``: the source text is shown back to front."""
    compact = style.replace(" ", "").lower()
    return "direction:rtl" in compact and "bidi-override" in compact


def _unreverse(tree: LexborHTMLParser) -> None:
    """Put text that CSS displays reversed (an e-mail obfuscation) into reading order."""
    nodes = [n for n in tree.css("[style]") if _reverses_text(n.attributes.get("style") or "")]
    nodes += _styled_by_stylesheets(tree, _reverses_text)
    for node in nodes:
        if node.parent is not None and not any(child.is_element_node for child in node.iter()):
            node.replace_with(node.text(deep=True)[::-1])


def visible_tree(html: str) -> LexborHTMLParser:
    """Parse ``html`` and remove everything a reader cannot see (the tree is then safe to read text from).

    Addresses behind Cloudflare's e-mail protection are decoded first: a browser shows them to the reader.
    """
    tree = LexborHTMLParser(reveal_protected(html or ""))
    candidates = _styled_by_stylesheets(tree, style_hides)
    for node in tree.css("[style]"):
        if style_hides(node.attributes.get("style") or ""):
            candidates.append(node)
    candidates.extend(tree.css('[hidden], [aria-hidden="true"], input[type="hidden"]'))
    candidates.extend(n for n in tree.css("dialog") if "open" not in (n.attributes or {}))
    candidates.extend(n for n in tree.css("[class]") if _classes_hide(n.attributes.get("class") or ""))
    for node in candidates:
        if node.tag not in ("html", "body"):
            node.attrs[_MARK] = "1"
    for node in tree.css(f"[{_MARK}]"):
        if not _has_marked_ancestor(node):
            node.decompose()
    _unreverse(tree)  # before <style> goes: a stylesheet rule may do the reversing
    for tag in _ALWAYS_DROP:
        for node in tree.css(tag):
            if tag != "head" or node.parent is not None:
                node.decompose()
    noscripts = tree.css("noscript")
    if noscripts:
        keep = not _render(tree.body, skip_noscript=True).strip() if tree.body else True
        for node in noscripts:
            node.unwrap() if keep else node.decompose()
    return tree


def _render(root: LexborNode | None, *, mailto: bool = False, skip_noscript: bool = False) -> str:
    """Text of ``root`` with block elements on their own lines and table cells tab-separated.

    ``mailto=True`` also writes each mailto link's address as `` <addr> `` so the contact
    extractor can see which name an address sits next to.
    """
    if root is None:
        return ""
    out: list[str] = []
    stack: list[tuple[LexborNode, str | None]] = [(root, None)]
    while stack:
        node, closing = stack.pop()
        if closing is not None:
            out.append(closing)
            continue
        tag = node.tag
        if tag == "-text":
            out.append(node.text_content or "")
            continue
        if not tag or tag.startswith(("-", "!")) or (skip_noscript and tag == "noscript"):
            continue
        if tag in ("br", "hr"):
            out.append("\n")
            continue
        if tag in _BLOCK:
            out.append("\n")
            stack.append((node, "\n"))
        elif tag in _CELL:
            stack.append((node, "\t"))
        elif tag == "img":
            continue
        if tag in ("a", "button") and node.next is not None and node.next.is_element_node:
            stack.append((node, " "))  # adjacent nav links and buttons are separate words on screen
        if mailto and tag == "a":
            href = (node.attributes.get("href") or "").strip()
            if href.lower().startswith("mailto:"):
                stack.append((node, f" <{href[7:]}> "))
        stack.extend((child, None) for child in reversed(list(node.iter(include_text=True))))
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    lines = []
    for raw in text.split("\n"):
        cells = [" ".join(cell.split()) for cell in raw.split("\t")]
        line = " | ".join(c for c in cells if c)
        if line:
            lines.append(line)
    return "\n".join(lines)


def class_words(node: LexborNode) -> set[str]:
    """The words of an element's class and id ("team-card grid" -> team, card, grid), for telling
    what a block is (a testimonial, a careers section, a cookie banner)."""
    attributes = node.attributes or {}
    return set(re.split(r"[\s_-]+", f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()))


def node_text(node: LexborNode) -> str:
    """Text of one element of a cleaned tree, laid out like ``tree_text``."""
    return _render(node)


def tree_text(tree: LexborHTMLParser, *, mailto: bool = False) -> str:
    """Text of an already-cleaned tree (see ``visible_tree``)."""
    return _render(tree.body, mailto=mailto)


def visible_text(html: str) -> str:
    """Visible text of a page, one block per line."""
    return tree_text(visible_tree(html))
