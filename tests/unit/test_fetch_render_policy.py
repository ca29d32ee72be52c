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


def test_json_ld_is_data_not_a_script_that_needs_a_browser():
    html = ("<html><head><script type='application/ld+json'>{\"@type\": \"Organization\"}</script></head>"
            "<body><h1>Acme</h1><p>Payroll for restaurants.</p></body></html>")
    assert not needs_rendering(html)


def _contact_page(script: str, lead_in: str = "Reach the team:") -> str:
    return (f"<html><body><main>{ARTICLE}<p>{lead_in} <span id='e'></span><script>{script}</script></p>"
            "</main></body></html>")


def test_address_assembled_by_a_script_needs_a_browser():
    split = "var p=['jane',['acme','io']];document.getElementById('e').textContent=p[0]+String.fromCharCode(64)+p[1].join('.');"
    reversed_ = "var r='oi.emca@enaj'.split('').reverse().join('');document.getElementById('e').innerHTML='<a href=\"mailto:'+r+'\">'+r+'</a>';"
    escaped = "document.write('jane' + '\\x40' + 'acme.io');"
    for script in (split, reversed_, escaped):
        assert needs_rendering(_contact_page(script)), script


def test_script_writing_into_a_small_block_about_e_mail_needs_a_browser():
    decode = "document.getElementById('e').textContent = atob('amFuZUBhY21lLmlv');"
    assert needs_rendering(_contact_page(decode, "E-mail us:"))
    assert not needs_rendering(_contact_page(decode, "Opening hours:"))


def test_scripts_that_write_other_things_on_a_full_page_do_not():
    year = "document.getElementById('e').textContent = new Date().getFullYear();"
    assert not needs_rendering(_contact_page(year, "Copyright"))
    no_write = "var a = 'x' + String.fromCharCode(64); console.log(a);"
    assert not needs_rendering(_contact_page(no_write))
    external = "<html><body><main>" + ARTICLE + "<p>Mail: <span id='e'></span><script src='/m.js'></script></p></main></body></html>"
    assert not needs_rendering(external)


def test_site_needs_browser_follows_how_the_home_page_was_read():
    from tools.web.render_policy import site_needs_browser

    assert site_needs_browser("browser")
    assert not site_needs_browser("httpx") and not site_needs_browser("cache")
