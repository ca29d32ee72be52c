"""Six page layouts for sample sites: nav, footer, and how team, roles and posts are marked up."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from sampleweb.people import Person
from sampleweb.plan import Role


@dataclass
class Section:
    anchor: str
    heading: str | None
    body: str  # trusted HTML built by sites.py


@dataclass
class PageView:
    site_name: str
    title: str
    nav: list[tuple[str, str]]  # (label, href)
    sections: list[Section]
    footer: list[str] = field(default_factory=list)  # trusted HTML lines
    head_extra: str = ""


@dataclass(frozen=True)
class PersonView:
    person: Person
    email_html: str | None


@dataclass(frozen=True)
class PostLink:
    title: str
    date: str
    href: str
    excerpt: str


class Layout:
    name = "base"
    css = "body{font-family:system-ui,sans-serif;margin:0;color:#222}main{max-width:60rem;margin:auto;padding:1rem}"

    def head(self, view: PageView) -> str:
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(view.title)}</title><style>{self.css}</style>{view.head_extra}</head>"
        )

    def nav(self, view: PageView) -> str:
        items = "".join(
            f'<li><a href="{escape(h)}">{escape(label)}</a></li>' for label, h in view.nav
        )
        return f'<nav class="topnav"><ul>{items}</ul></nav>'

    def section(self, s: Section) -> str:
        heading = f"<h2>{escape(s.heading)}</h2>" if s.heading else ""
        return f'<section id="{s.anchor}">{heading}{s.body}</section>'

    def footer(self, view: PageView) -> str:
        lines = "".join(f"<div>{line}</div>" for line in view.footer)
        return f'<footer class="site-footer">{lines}<p>&copy; {escape(view.site_name)}</p></footer>'

    def body(self, view: PageView) -> str:
        main = "".join(self.section(s) for s in view.sections)
        return (
            f"<body><header>{self.nav(view)}</header><main>{main}</main>{self.footer(view)}</body>"
        )

    def render(self, view: PageView) -> str:
        return self.head(view) + self.body(view) + "</html>\n"

    def team(self, people: list[PersonView]) -> str:
        cards = []
        for pv in people:
            email = f'<p class="email">{pv.email_html}</p>' if pv.email_html else ""
            cards.append(
                f'<div class="card"><h3>{escape(pv.person.name)}</h3><p class="role">{escape(pv.person.title)}</p>'
                f"<p>{escape(pv.person.bio)}</p>{email}</div>"
            )
        return f'<div class="cards">{"".join(cards)}</div>'

    def roles(self, roles: list[Role]) -> str:
        items = "".join(
            f"<li><strong>{escape(r.title)}</strong> &middot; {escape(r.location)}</li>"
            for r in roles
        )
        return f'<ul class="roles">{items}</ul>'

    def posts(self, posts: list[PostLink]) -> str:
        items = "".join(
            f'<article><h3><a href="{escape(p.href)}">{escape(p.title)}</a></h3>'
            f'<time datetime="{p.date}">{p.date}</time><p>{escape(p.excerpt)}</p></article>'
            for p in posts
        )
        return f'<div class="posts">{items}</div>'


class Classic(Layout):
    name = "classic"
    css = (
        Layout.css
        + ".topnav ul{display:flex;gap:1rem;list-style:none}.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem}.card{border:1px solid #ddd;padding:1rem;border-radius:8px}"
    )


class Startup(Layout):
    name = "startup"
    css = (
        Layout.css
        + "header{background:linear-gradient(90deg,#4f46e5,#06b6d4);color:#fff;padding:1rem}header a{color:#fff}table{border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #eee}"
    )

    def nav(self, view: PageView) -> str:
        links = " | ".join(f'<a href="{escape(h)}">{escape(label)}</a>' for label, h in view.nav)
        return f'<div class="brand">{escape(view.site_name)}</div><nav>{links}</nav>'

    def team(self, people: list[PersonView]) -> str:
        rows = "".join(
            f"<tr><td>{escape(pv.person.name)}</td><td>{escape(pv.person.title)}</td><td>{pv.email_html or ''}</td></tr>"
            for pv in people
        )
        return f'<table class="team"><thead><tr><th>Name</th><th>Role</th><th>Email</th></tr></thead><tbody>{rows}</tbody></table>'

    def roles(self, roles: list[Role]) -> str:
        cards = "".join(
            f'<div class="job"><h3>{escape(r.title)}</h3><p>Location: {escape(r.location)}</p><a href="#apply">Apply</a></div>'
            for r in roles
        )
        return f'<div class="jobs">{cards}</div>'

    def footer(self, view: PageView) -> str:
        lines = "".join(f"<p>{line}</p>" for line in view.footer)
        return f'<footer><div class="cols">{lines}</div><small>{escape(view.site_name)}. All rights reserved.</small></footer>'


class Sidebar(Layout):
    name = "sidebar"
    css = (
        Layout.css
        + ".wrap{display:flex}.sidebar{width:14rem;background:#f5f5f4;min-height:100vh;padding:1rem}dl dt{font-weight:bold;margin-top:.8rem}"
    )

    def nav(self, view: PageView) -> str:
        links = "".join(
            f'<a class="side-link" href="{escape(h)}">{escape(label)}</a><br>'
            for label, h in view.nav
        )
        return (
            f'<aside class="sidebar"><h1 class="logo">{escape(view.site_name)}</h1>{links}</aside>'
        )

    def body(self, view: PageView) -> str:
        main = "".join(self.section(s) for s in view.sections)
        return f'<body><div class="wrap">{self.nav(view)}<main>{main}{self.footer(view)}</main></div></body>'

    def team(self, people: list[PersonView]) -> str:
        items = "".join(
            f"<dt>{escape(pv.person.name)}</dt><dd>{escape(pv.person.title)}</dd>"
            + (f"<dd>Email: {pv.email_html}</dd>" if pv.email_html else "")
            for pv in people
        )
        return f'<dl class="team">{items}</dl>'

    def roles(self, roles: list[Role]) -> str:
        items = "".join(f"<li>{escape(r.title)} ({escape(r.location)})</li>" for r in roles)
        return f"<ol>{items}</ol>"


class Editorial(Layout):
    name = "editorial"
    css = (
        Layout.css
        + "body{font-family:Georgia,serif}details.menu{float:right}.people li{margin:.4rem 0}"
    )

    def nav(self, view: PageView) -> str:
        links = "".join(f'<a href="{escape(h)}">{escape(label)}</a> ' for label, h in view.nav)
        return f'<a class="wordmark" href="/">{escape(view.site_name)}</a><details class="menu"><summary>Menu</summary>{links}</details>'

    def team(self, people: list[PersonView]) -> str:
        items = "".join(
            f"<li><strong>{escape(pv.person.name)}</strong> &mdash; {escape(pv.person.title)}"
            + (
                f". Reach {escape(pv.person.name.split()[0])} at {pv.email_html}."
                if pv.email_html
                else ""
            )
            + "</li>"
            for pv in people
        )
        return f'<ul class="people">{items}</ul>'

    def footer(self, view: PageView) -> str:
        links = " &middot; ".join(
            f'<a href="{escape(h)}">{escape(label)}</a>' for label, h in view.nav
        )
        lines = "".join(f"<p>{line}</p>" for line in view.footer)
        return f"<footer><nav>{links}</nav>{lines}</footer>"


class Legacy(Layout):
    name = "legacy"
    css = "body{font-family:Verdana,Arial;font-size:13px}td.nav{background:#003366;color:#fff}td.nav a{color:#fff}"

    def body(self, view: PageView) -> str:
        links = "".join(
            f'<tr><td><a href="{escape(h)}">{escape(label)}</a></td></tr>' for label, h in view.nav
        )
        main = "".join(self.section(s) for s in view.sections)
        foot = "<br>".join(view.footer)
        return (
            '<body><table width="100%" cellpadding="8"><tr><td colspan="2"><b>'
            f"{escape(view.site_name)}</b></td></tr><tr>"
            f'<td class="nav" valign="top" width="180"><table>{links}</table></td>'
            f'<td valign="top">{main}</td></tr><tr><td colspan="2" class="footer">{foot}'
            f"<br>Copyright {escape(view.site_name)}</td></tr></table></body>"
        )

    def team(self, people: list[PersonView]) -> str:
        rows = "".join(
            f"<tr><td><b>{escape(pv.person.name)}</b><br>{escape(pv.person.title)}</td><td>{pv.email_html or '&nbsp;'}</td></tr>"
            for pv in people
        )
        return f'<table border="1" cellspacing="0" cellpadding="4">{rows}</table>'


class OnePage(Layout):
    name = "onepage"
    css = (
        Layout.css
        + "header{position:sticky;top:0;background:#fff;border-bottom:1px solid #eee}section{padding:3rem 0}figure{display:inline-block;margin:1rem}"
    )

    def nav(self, view: PageView) -> str:
        links = "".join(f'<a href="{escape(h)}">{escape(label)}</a> ' for label, h in view.nav)
        return f'<strong>{escape(view.site_name)}</strong> <span class="anchors">{links}</span>'

    def team(self, people: list[PersonView]) -> str:
        figures = "".join(
            f'<figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Portrait of {escape(pv.person.name)}" width="96" height="96">'
            f"<figcaption>{escape(pv.person.name)}, {escape(pv.person.title)}"
            + (f"<br>{pv.email_html}" if pv.email_html else "")
            + "</figcaption></figure>"
            for pv in people
        )
        return f'<div class="team">{figures}</div>'


LAYOUT_CLASSES: dict[str, Layout] = {
    cls.name: cls() for cls in (Classic, Startup, Sidebar, Editorial, Legacy, OnePage)
}

NAV_LABELS = {
    "classic": {
        "about": "About",
        "team": "Team",
        "careers": "Careers",
        "blog": "Blog",
        "contact": "Contact",
    },
    "startup": {
        "about": "Company",
        "team": "People",
        "careers": "Jobs",
        "blog": "News",
        "contact": "Contact us",
    },
    "sidebar": {
        "about": "About us",
        "team": "Our team",
        "careers": "Careers",
        "blog": "Blog",
        "contact": "Contact",
    },
    "editorial": {
        "about": "About",
        "team": "Team",
        "careers": "Join us",
        "blog": "Journal",
        "contact": "Get in touch",
    },
    "legacy": {
        "about": "Company",
        "team": "Management",
        "careers": "Careers",
        "blog": "News",
        "contact": "Contact",
    },
    "onepage": {
        "about": "About",
        "team": "Team",
        "careers": "Careers",
        "blog": "News",
        "contact": "Contact",
    },
}
