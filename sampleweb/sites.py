"""Renders one company record into a small static website (pages, robots.txt, sitemap.xml) from its plan."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from sampleweb import hostile
from sampleweb.dataset import Record
from sampleweb.email_forms import render_email
from sampleweb.layouts import LAYOUT_CLASSES, NAV_LABELS, PageView, PersonView, PostLink, Section
from sampleweb.plan import BOT_TOKEN, SitePlan, make_plan

HTML = "text/html; charset=utf-8"
PAGE_ORDER = ("about", "team", "careers", "blog", "contact")
INBOX_LABELS = {
    "hello": "Say hello",
    "info": "General enquiries",
    "sales": "Sales",
    "contact": "Contact",
    "press": "Press",
    "careers": "Careers",
    "jobs": "Jobs",
}
HEADINGS = {
    "about": ("About us", "Our story", "Who we are", "About"),
    "team": ("Team", "Leadership", "Meet the team", "The people behind it"),
    "careers": ("Careers", "Open roles", "Work with us", "Join us"),
    "contact": ("Contact", "Get in touch", "Contact us"),
    "blog": ("News", "Blog", "Latest updates"),
}
STABLE_LASTMOD = "2025-06-01"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Site:
    plan: SitePlan
    pages: dict[str, Response] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return self.plan.domain

    def lookup(self, target: str) -> Response:
        """The response for a request target (path plus optional query; fragments never reach a server)."""
        path = urlsplit(target).path or "/"
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        if len(path) > 1:
            path = path.rstrip("/")
        return self.pages.get(path) or self.pages["/__404__"]


class _SiteBuilder:
    def __init__(self, plan: SitePlan) -> None:
        self.plan = plan
        self.layout = LAYOUT_CLASSES[plan.layout]
        self.rng = random.Random(f"render:{plan.record['id']}")
        self.slots: dict[str, list[Section]] = {"/": []}
        self.heads: dict[str, str] = {}
        self.titles: dict[str, str] = {"/": plan.name}
        self._email_ids = 0

    # -- content ------------------------------------------------------------------------
    def email(self, address: str, form: str) -> str:
        self._email_ids += 1
        return render_email(address, form, f"eml-{self._email_ids}")

    def put(self, kind: str, section: Section) -> None:
        path = self.plan.page_of(kind)
        self.slots.setdefault(path, []).append(section)
        if path != "/":
            self.titles.setdefault(path, f"{NAV_LABELS[self.plan.layout][kind]} | {self.plan.name}")

    def heading(self, kind: str) -> str:
        return self.rng.choice(HEADINGS[kind])

    def build_sections(self) -> None:
        plan, record = self.plan, self.plan.record
        hero = f'<h1>{escape(plan.name)}</h1><p class="tagline">{escape(record["one_liner"].strip())}</p>'
        self.put("home", Section("top", None, hero))
        industry = f"<p>{escape(plan.industry_text)}</p>"
        if plan.tags_shown and self.rng.random() < 0.5:
            chips = "".join(f'<span class="tag">{escape(t)}</span> ' for t in plan.tags_shown)
            industry += f'<div class="tags">{chips}</div>'
        self.put("home", Section("what-we-do", None, industry))

        about = "".join(
            f"<p>{escape(p)}</p>" for p in _paragraphs(record.get("long_description") or "")
        )
        if plan.location_text:
            about += f'<p class="location">{escape(plan.location_text)}</p>'
        if plan.team_size.text:
            about += f"<p>{escape(plan.team_size.text)}</p>"
        if "visible_injection" in plan.hostile:
            about += hostile.visible_injection(plan.planted_emails)
        if "reveal_prompt" in plan.hostile:
            about += hostile.reveal_prompt()
        self.put("about", Section("about", self.heading("about"), about))

        if plan.people:
            views = [
                PersonView(
                    p, self.email(p.email, p.email_form) if p.email and p.email_form else None
                )
                for p in plan.people
            ]
            self.put("team", Section("team", self.heading("team"), self.layout.team(views)))
            if plan.jsonld:
                people_ld = [
                    {
                        "@context": "https://schema.org",
                        "@type": "Person",
                        "name": p.name,
                        "jobTitle": p.title,
                        "worksFor": {"@type": "Organization", "name": plan.name},
                    }
                    for p in plan.people
                ]
                self.add_jsonld(plan.page_of("team"), people_ld)

        if plan.roles:
            body = f"<p>We're hiring! {len(plan.roles)} open {'role' if len(plan.roles) == 1 else 'roles'}:</p>"
            self.put(
                "careers",
                Section("careers", self.heading("careers"), body + self.layout.roles(plan.roles)),
            )
        elif plan.no_roles_text:
            self.put(
                "careers",
                Section("careers", self.heading("careers"), f"<p>{escape(plan.no_roles_text)}</p>"),
            )

        contact = "".join(
            f"<p>{INBOX_LABELS[i.email.split('@')[0]]}: {self.email(i.email, i.form)}</p>"
            for i in plan.inboxes
        )
        if plan.address and not plan.address_in_footer:
            contact += f"<address>{escape(plan.name)}<br>{escape(plan.address)}</address>"
        if "planted_recipient" in plan.hostile:
            contact += hostile.planted_recipient(plan.planted_emails)
        contact += '<form class="contact-form" action="#" method="post"><input name="email" placeholder="Your email"><textarea name="message"></textarea><button>Send</button></form>'
        self.put("contact", Section("contact", self.heading("contact"), contact))

        self.build_posts()
        if "hidden_injection" in plan.hostile:
            self.put(
                "home",
                Section("notice", None, hostile.hidden_injection(plan.planted_emails, self.rng)),
            )
        if plan.jsonld:
            self.add_jsonld("/", self.organization_ld())

    def build_posts(self) -> None:
        plan = self.plan
        if not plan.posts:
            return
        blog = plan.paths.get("blog")
        if blog is None:  # single-page site: the news are a section of the home page
            articles = "".join(
                f'<article><h3>{escape(p.title)}</h3><time datetime="{p.date.isoformat()}">'
                f"{p.date.strftime('%B %d, %Y')}</time>{''.join(f'<p>{escape(t)}</p>' for t in p.paragraphs)}</article>"
                for p in plan.posts
            )
            self.put("blog", Section("news", self.heading("blog"), articles))
            return
        links = [
            PostLink(p.title, p.date.isoformat(), plan.post_path(p), p.paragraphs[0])
            for p in reversed(plan.posts)
        ]
        self.put("blog", Section("blog", self.heading("blog"), self.layout.posts(links)))
        for post in plan.posts:
            path = plan.post_path(post)
            body = f'<p class="meta">Posted on <time datetime="{post.date.isoformat()}">{post.date.strftime("%B %d, %Y")}</time></p>'
            body += "".join(f"<p>{escape(t)}</p>" for t in post.paragraphs)
            self.slots[path] = [
                Section("post", None, f"<article><h1>{escape(post.title)}</h1>{body}</article>")
            ]
            self.titles[path] = f"{post.title} | {plan.name}"

    def organization_ld(self) -> dict:
        plan = self.plan
        org: dict = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": plan.name,
            "url": plan.base_url + "/",
            "description": plan.record["one_liner"].strip(),
        }
        places = [loc for loc in plan.locations if loc != "Remote"]
        if places:
            org["address"] = {"@type": "PostalAddress", "addressLocality": places[0]}
        if plan.team_size.exact is not None:
            org["numberOfEmployees"] = {"@type": "QuantitativeValue", "value": plan.team_size.exact}
        return org

    def add_jsonld(self, path: str, data: object) -> None:
        blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        self.heads[path] = (
            self.heads.get(path, "") + f'<script type="application/ld+json">{blob}</script>'
        )

    # -- pages ----------------------------------------------------------------------------
    def nav(self) -> list[tuple[str, str]]:
        labels = NAV_LABELS[self.plan.layout]
        if self.plan.single_page:
            anchors = {s.anchor for s in self.slots["/"]}
            kinds = [k for k in PAGE_ORDER if (k if k != "blog" else "news") in anchors]
            return [("Home", "#top")] + [
                (labels[k], "#" + (k if k != "blog" else "news")) for k in kinds
            ]
        kinds = [
            k for k in PAGE_ORDER if self.plan.paths.get(k) and self.plan.paths[k] in self.slots
        ]
        return [("Home", "/")] + [(labels[k], self.plan.paths[k] or "/") for k in kinds]

    def footer(self) -> list[str]:
        plan = self.plan
        lines = []
        if plan.address and plan.address_in_footer:
            lines.append(f"<address>{escape(plan.name)}, {escape(plan.address)}</address>")
        lines.append(escape(plan.domain))
        return lines

    def render_pages(self) -> dict[str, Response]:
        nav, footer = self.nav(), self.footer()
        pages: dict[str, Response] = {}
        for path, sections in self.slots.items():
            view = PageView(
                self.plan.name, self.titles.get(path, self.plan.name), nav, sections, footer
            )
            head_extra = self.heads.get(path, "")
            if self.plan.js_only:
                html = _js_only_page(self.layout.render(view), view.title, head_extra)
            else:
                view.head_extra = head_extra
                html = self.layout.render(view)
            pages[path] = Response(200, HTML, html.encode())
        missing = PageView(
            self.plan.name,
            f"Not found | {self.plan.name}",
            nav,
            [Section("nf", "Page not found", "<p>Sorry, that page does not exist.</p>")],
            footer,
        )
        pages["/__404__"] = Response(404, HTML, self.layout.render(missing).encode())
        pages["/robots.txt"] = Response(
            200, "text/plain; charset=utf-8", robots_txt(self.plan).encode()
        )
        if self.plan.has_sitemap:
            pages["/sitemap.xml"] = Response(
                200, "application/xml", _sitemap(self.plan, list(self.slots)).encode()
            )
        return pages


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def _js_only_page(full_html: str, title: str, head_extra: str) -> str:
    inner = full_html.split("<body>", 1)[1].rsplit("</body>", 1)[0] + head_extra
    payload = base64.b64encode(inner.encode()).decode()
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title></head><body><div id="root"></div>'
        "<noscript>You need to enable JavaScript to run this app.</noscript>"
        '<script>(function(){var b=atob("' + payload + '");'
        "var u=Uint8Array.from(b,function(c){return c.charCodeAt(0)});"
        "document.getElementById('root').innerHTML=new TextDecoder().decode(u);})();</script>"
        "</body></html>\n"
    )


def robots_txt(plan: SitePlan) -> str:
    lines = [f"# robots.txt for {plan.domain}"]
    bot_rules = [p for agent, p in plan.robots_rules if agent == BOT_TOKEN]
    if bot_rules:
        lines += [f"User-agent: {BOT_TOKEN}"] + [f"Disallow: {p}" for p in bot_rules] + [""]
    lines += ["User-agent: *", "Disallow: /admin/"]
    lines += [f"Disallow: {p}" for agent, p in plan.robots_rules if agent == "*"]
    if plan.has_sitemap:
        lines += ["", f"Sitemap: {plan.base_url}/sitemap.xml"]
    return "\n".join(lines) + "\n"


def _sitemap(plan: SitePlan, paths: list[str]) -> str:
    lastmod = max((p.date.isoformat() for p in plan.posts), default=STABLE_LASTMOD)
    urls = "".join(
        f"<url><loc>{escape(plan.base_url + path)}</loc><lastmod>{lastmod}</lastmod></url>"
        for path in sorted(paths)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'


def build_site(record: Record) -> Site:
    """The whole site of one record; same record in, same bytes out."""
    builder = _SiteBuilder(make_plan(record))
    builder.build_sections()
    return Site(builder.plan, builder.render_pages())
