"""When a page fetched over HTTP needs a browser to show its content."""

from __future__ import annotations

from tools.web.render_policy import needs_rendering

ARTICLE = "<p>" + "We build payroll software for restaurants across Europe. " * 12 + "</p>"


def test_server_rendered_page_does_not_need_a_browser():
    html = f"<html><head><script src='/app.js'></script></head><body><main>{ARTICLE}</main></body></html>"
    assert not needs_rendering(html)


def test_empty_app_roots_with_scripts_need_a_browser():
    for root in ("root", "app", "__next"):
        html = (f"<html><body><div id='{root}'><div class='spinner'></div></div>"
                "<script src='/static/bundle.js'></script></body></html>")
        assert needs_rendering(html), root


def test_filled_next_root_is_server_rendered():
    html = f"<html><body><div id='__next'>{ARTICLE}</div><script src='/_next/main.js'></script></body></html>"
    assert not needs_rendering(html)


def test_noscript_wall_needs_a_browser():
    html = ("<html><body><noscript>You need to enable JavaScript to run this app.</noscript>"
            "<div id='main'></div><script>boot()</script></body></html>")
    assert needs_rendering(html)


def test_noscript_banner_on_a_full_page_does_not():
    html = (f"<html><body><noscript>Please enable JavaScript for the best experience.</noscript>"
            f"{ARTICLE}{ARTICLE}{ARTICLE}{ARTICLE}<script>x()</script></body></html>")
    assert not needs_rendering(html)


def test_little_text_with_scripts_needs_a_browser_but_without_scripts_does_not():
    assert needs_rendering("<html><body><h1>Acme</h1><script src='/a.js'></script></body></html>")
    assert not needs_rendering("<html><body><h1>Acme</h1><p>Short page.</p></body></html>")


def test_script_and_style_text_is_not_visible_text():
    code = "var x = 1;" * 200
    html = f"<html><head><style>{'p{}' * 200}</style></head><body><script>{code}</script></body></html>"
    assert needs_rendering(html)


def test_empty_input_is_not_rendered():
    assert not needs_rendering("")
