"""How an e-mail address is written into a page: mailto, plain, entities, obfuscated or built by JavaScript."""

from __future__ import annotations

import html
import json

STATIC_FORMS = ("mailto", "text", "entities", "at_dot", "paren_at")
SCRIPT_FORMS = ("js_reversed", "js_split")
ALL_FORMS = STATIC_FORMS + SCRIPT_FORMS


def _entities(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def render_email(email: str, form: str, element_id: str) -> str:
    """HTML for ``email`` in ``form``; script forms need a browser to become readable."""
    local, domain = email.split("@", 1)
    if form == "mailto":
        return f'<a href="mailto:{html.escape(email)}">{html.escape(email)}</a>'
    if form == "text":
        return html.escape(email)
    if form == "entities":
        return f'<a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;{_entities(email)}">{_entities(email)}</a>'
    if form == "at_dot":
        spaced = " [dot] ".join(domain.split("."))
        return html.escape(f"{local} [at] {spaced}")
    if form == "paren_at":
        return html.escape(f"{local}(at){domain}")
    if form == "js_reversed":
        reversed_email = json.dumps(email[::-1])
        return (
            f'<span id="{element_id}" class="eml">(enable JavaScript to see this address)</span>'
            f"<script>(function(){{var r={reversed_email}.split('').reverse().join('');"
            f"var el=document.getElementById('{element_id}');"
            f"el.innerHTML='<a href=\"mailto:'+r+'\">'+r+'</a>';}})();</script>"
        )
    if form == "js_split":
        labels = domain.split(".")
        parts = json.dumps([local, labels])
        return (
            f'<span id="{element_id}" class="eml"></span>'
            f"<script>(function(){{var p={parts};var a=p[0]+String.fromCharCode(64)+p[1].join('.');"
            f"document.getElementById('{element_id}').textContent=a;}})();</script>"
        )
    raise ValueError(f"unknown e-mail form {form!r}")
