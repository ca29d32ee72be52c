"""robots.txt parsing and matching (RFC 9309) for our product token."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.errors import FetchError
from tools.web.robots import RobotsRules, parse_robots, product_token, rules_for_failure

UA = "leadgen-bot/0.1 (+https://github.com/leadgen/leadgen)"


def allowed(robots: str, path: str, ua: str = UA) -> bool:
    return parse_robots(robots, ua).allowed("https://example.com" + path)


def test_product_token_is_the_name_before_the_version():
    assert product_token(UA) == "leadgen-bot"
    assert product_token("Googlebot") == "googlebot"


def test_longest_match_wins_in_both_directions():
    robots = "User-agent: *\nDisallow: /shop\nAllow: /shop/public\nDisallow: /shop/public/secret\n"
    assert not allowed(robots, "/shop/cart")
    assert allowed(robots, "/shop/public/page")
    assert not allowed(robots, "/shop/public/secret/x")
    assert allowed(robots, "/about")


def test_rule_order_does_not_matter_only_length():
    robots = "User-agent: *\nAllow: /a/b\nDisallow: /a\n"
    assert allowed(robots, "/a/b/c")
    assert not allowed(robots, "/a/c")


def test_allow_wins_a_tie_of_equal_length():
    robots = "User-agent: *\nDisallow: /page\nAllow: /page\n"
    assert allowed(robots, "/page")
    robots = "User-agent: *\nDisallow: /*.php\nAllow: /x.ph*\n"  # both 6 octets
    assert allowed(robots, "/x.php")


def test_wildcard_and_end_anchor():
    robots = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /private*/data\n"
    assert not allowed(robots, "/files/report.pdf")
    assert allowed(robots, "/files/report.pdf?download=1")
    assert allowed(robots, "/files/report.pdfx")
    assert not allowed(robots, "/private-area/data/1")


def test_our_group_is_chosen_case_insensitively_over_star():
    robots = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: LeadGen-Bot\nDisallow: /admin\n"
    )
    assert allowed(robots, "/products")
    assert not allowed(robots, "/admin/users")
    assert not allowed(robots, "/products", ua="otherbot/1.0")


def test_groups_for_our_token_are_merged_and_multi_agent_groups_apply():
    robots = (
        "User-agent: googlebot\nUser-agent: leadgen-bot\nDisallow: /a\n\n"
        "User-agent: bingbot\nDisallow: /b\n\n"
        "User-agent: leadgen-bot\nDisallow: /c\n"
    )
    assert not allowed(robots, "/a")
    assert allowed(robots, "/b")
    assert not allowed(robots, "/c")


def test_empty_disallow_allows_everything_and_no_match_allows():
    assert allowed("User-agent: *\nDisallow:\n", "/anything")
    assert allowed("User-agent: otherbot\nDisallow: /\n", "/anything")
    assert allowed("", "/anything")


def test_comments_and_sitemaps_and_percent_encoding():
    robots = "# hello\nUser-agent: * # all\nDisallow: /caf%C3%A9 # cafe\nSitemap: https://example.com/s.xml\n"
    rules = parse_robots(robots, UA)
    assert rules.sitemaps == ["https://example.com/s.xml"]
    assert not rules.allowed("https://example.com/café/menu")


def test_robots_txt_itself_is_always_allowed():
    assert allowed("User-agent: *\nDisallow: /\n", "/robots.txt")


@pytest.mark.parametrize(
    ("kind", "allows"),
    [("http_404", True), ("http_403", True), ("http_401", True), ("http_410", True),
     ("http_429", False), ("http_500", False), ("http_503", False),
     ("timeout", False), ("connect", False), ("dns", False)],
)
def test_failures_map_to_allow_or_disallow_all(kind: str, allows: bool):
    rules = rules_for_failure(FetchError("x", kind=kind))
    assert isinstance(rules, RobotsRules)
    assert rules.allowed("https://example.com/page") is allows


def test_wildcard_pieces_match_in_order_and_anchor_at_the_end():
    robots = "User-agent: *\nDisallow: /a*b*c$\nDisallow: /x*$\nDisallow: /*/q*\nDisallow: /e$\n"
    assert not allowed(robots, "/a-b-c")
    assert not allowed(robots, "/abcbc")
    assert allowed(robots, "/a-c-b")
    assert allowed(robots, "/a-b-c-d")
    assert not allowed(robots, "/x")
    assert not allowed(robots, "/p/q/r")
    assert allowed(robots, "/pq")
    assert not allowed(robots, "/e") and allowed(robots, "/e/")


def test_a_hostile_pattern_is_matched_in_linear_time():
    # As a regex, "/*a*a*...*b" backtracks exponentially against "/aaaa...": minutes of CPU
    # that freeze the event loop, where no asyncio timeout can interrupt. Run in a child process
    # so a regression fails after the (generous) timeout instead of hanging the suite.
    code = textwrap.dedent("""
        from tools.web.robots import parse_robots
        rules = parse_robots("User-agent: *\\nDisallow: /" + "*a" * 40 + "*b\\n", "leadgen-bot")
        print(rules.allowed("https://example.com/" + "a" * 5000))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "True"
