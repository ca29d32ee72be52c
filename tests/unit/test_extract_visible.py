"""Visible text: scripts and every common hiding technique are removed, layout is kept as lines."""

from pathlib import Path

from tools.extract.visible import style_hides, visible_text

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def test_hidden_prompt_injection_and_hidden_elements_are_removed():
    text = visible_text((PAGES / "misc" / "hidden_injection.html").read_text())
    assert "Brightpath helps teachers run better classrooms." in text.splitlines()
    for hidden in (
        "PWNED", "hidden-visibility-text", "hidden-attribute-text", "aria-hidden-text", "zero-font-text",
        "zero-opacity-text", "clipped-text", "stylesheet-offscreen-text", "visually-hidden-text",
        "d-none-text", "template-text", "script-text", "enable JavaScript",
    ):
        assert hidden not in text, hidden


def test_responsive_and_media_rules_do_not_hide_desktop_content():
    text = visible_text((PAGES / "misc" / "hidden_injection.html").read_text())
    assert "desktop-only-text" in text
    assert "print-only-text" in text


def test_tables_and_blocks_become_lines():
    text = visible_text((PAGES / "misc" / "hidden_injection.html").read_text())
    assert "Plan | Price" in text.splitlines()
    assert "Basic | $10" in text.splitlines()
    assert visible_text("<p>one<br>two</p><div>three <b>four</b></div>") == "one\ntwo\nthree four"


def test_noscript_kept_only_when_page_has_nothing_else():
    assert visible_text("<noscript><p>Please enable JS</p></noscript>") == "Please enable JS"
    assert visible_text("<p>Content</p><noscript>Please enable JS</noscript>") == "Content"


def test_style_rules():
    assert style_hides("display: none !important")
    assert style_hides("position:absolute;top:-2000px")
    assert style_hides("width:0;height:0;overflow:hidden")
    assert style_hides("text-indent:-9999px")
    assert not style_hides("position:absolute;left:-10px")
    assert not style_hides("font-size:14px;opacity:0.9")


def test_more_hiding_styles():
    assert style_hides("font-size:1px;line-height:0")
    assert style_hides("position:absolute; left:-100vw")
    assert style_hides("transform: translateX(-10000px)")
    assert style_hides("color:#fff;background-color:#ffffff")
    assert not style_hides("transform: translate(-50%, -50%)")
    assert not style_hides("color:#333;background:#fff;font-size:12px")


def test_builder_hiding_classes_closed_dialogs_and_cloudflare_addresses():
    html = (
        '<div class="w-condition-invisible">webflow-conditional</div><span class="elementor-screen-only">Linkedin</span>'
        '<dialog><p>closed-dialog</p></dialog><dialog open><p>open-dialog</p></dialog>'
        '<p>Mail <span class="__cf_email__" data-cfemail="10717e715071737d753e797f">[email&#160;protected]</span></p>'
    )
    text = visible_text(html)
    assert "webflow-conditional" not in text and "Linkedin" not in text and "closed-dialog" not in text
    assert "open-dialog" in text
    assert "Mail ana@acme.io" in text.splitlines()  # what the browser shows after Cloudflare's script


def test_text_reversed_by_css_reads_the_right_way_round():
    inline = '<p>Mail: <span style="direction: rtl; unicode-bidi: bidi-override">moc.emca@enaj</span></p>'
    sheet = '<style>.rev{unicode-bidi:bidi-override;direction:rtl}</style><p>Mail: <span class="rev">moc.emca@enaj</span></p>'
    assert visible_text(inline) == visible_text(sheet) == "Mail: jane@acme.com"


def test_adjacent_links_are_separate_words():
    assert visible_text('<nav><a href="/a">Work</a><a href="/b">About</a></nav>') == "Work About"
    assert visible_text('<p>Read <a href="/x">more</a>.</p>') == "Read more."
