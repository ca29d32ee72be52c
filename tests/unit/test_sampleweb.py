"""The sample web's data, site generator and ground truth, checked without a server."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from html import unescape

import protego
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sampleweb.build_dataset import choose
from sampleweb.dataset import BUNDLED_DATASET, DATASET_ENV, domain_of, load_records
from sampleweb.server import write_input_file
from sampleweb.sites import build_site
from sampleweb.truth import country_code, site_truth

RECORDS = load_records(BUNDLED_DATASET)
SITES = {domain_of(r): build_site(r) for r in RECORDS}
TRUTHS = {d: site_truth(d, BUNDLED_DATASET) for d in SITES}


def visible_text(html: str) -> str:
    tree = HTMLParser(html)
    tree.strip_tags(["script", "style"])
    text = tree.body.text(separator=" ") if tree.body else ""
    return re.sub(r"\s+", " ", text)


def deobfuscate(text: str) -> str:
    text = re.sub(r"\s*\[at\]\s*", "@", text)
    text = re.sub(r"\s*\[dot\]\s*", ".", text)
    return text.replace("(at)", "@")


def page_html(domain: str, url: str) -> str:
    site = SITES[domain]
    response = site.lookup(url.split(domain, 1)[1] or "/")
    assert response.status == 200, url
    return response.body.decode()


def static_sites() -> list[str]:
    return [d for d, t in TRUTHS.items() if not t["features"]["js_only"]]


def test_bundled_subset_is_varied():
    assert 100 <= len(RECORDS) <= 140
    industries = Counter(r["industry"] for r in RECORDS)
    assert {
        "B2B",
        "Healthcare",
        "Fintech",
        "Consumer",
        "Industrials",
        "Education",
        "Government",
    } <= set(industries)
    countries = {country_code(r["locations"].split(";")[0]) for r in RECORDS if r["locations"]}
    assert {"US", "GB", "DE", "FR", "IN", "CA"} <= countries
    assert any(not r["locations"] for r in RECORDS)
    assert any("Remote" in r["locations"] for r in RECORDS)
    sizes = [r["team_size"] for r in RECORDS]
    assert None in sizes and 1 in sizes and max(s for s in sizes if s is not None) >= 100
    assert {True, False} == {r["is_hiring"] for r in RECORDS}


def test_subset_choice_is_deterministic():
    assert [r["id"] for r in choose(RECORDS, 30)] == [
        r["id"] for r in choose(list(reversed(RECORDS)), 30)
    ]


def test_dataset_path_comes_from_env(tmp_path, monkeypatch):
    small = tmp_path / "three.jsonl"
    small.write_text("".join(json.dumps(r) + "\n" for r in RECORDS[:3]))
    monkeypatch.setenv(DATASET_ENV, str(small))
    assert [r["id"] for r in load_records()] == [r["id"] for r in RECORDS[:3]]


def test_same_record_gives_same_bytes():
    for record in RECORDS[:25]:
        again = build_site(dict(record))
        assert {p: r.body for p, r in again.pages.items()} == {
            p: r.body for p, r in SITES[domain_of(record)].pages.items()
        }
    assert site_truth(domain_of(RECORDS[0]), BUNDLED_DATASET) == TRUTHS[domain_of(RECORDS[0])]


def test_layouts_and_features_are_all_present():
    features = [t["features"] for t in TRUTHS.values()]
    assert len({f["layout"] for f in features}) >= 5
    assert any(f["js_only"] for f in features)
    assert any(f["hostile"] for f in features)
    assert any(f["robots_disallow"] for f in features)
    assert any(f["jsonld"] for f in features)
    forms = {form for f in features for form in f["email_forms"]}
    assert {"mailto", "text", "entities", "at_dot", "paren_at", "js_reversed", "js_split"} <= forms
    modes = {f["team_size_mode"] for f in features}
    assert {"team_of", "range", "jsonld_only", "absent"} <= modes


@pytest.mark.parametrize("domain", static_sites()[::4])
def test_truth_is_what_a_reader_sees(domain):
    truth = TRUTHS[domain]
    home = visible_text(page_html(domain, truth["url"]))
    assert truth["name"] in home and truth["one_liner"] in home
    about = visible_text(page_html(domain, truth["urls"]["description"]))
    first_paragraph = truth["description"].replace("\r\n", "\n").split("\n")[0].strip()
    assert re.sub(r"\s+", " ", first_paragraph) in about
    if truth["location_text"]:
        assert truth["location_text"] in visible_text(page_html(domain, truth["urls"]["locations"]))
    if truth["team_size_text"]:
        assert truth["team_size_text"] in visible_text(
            page_html(domain, truth["urls"]["team_size"])
        )
    for contact in truth["contacts"]:
        text = visible_text(page_html(domain, contact["url"]))
        assert contact["name"] in text and contact["title"] in text
        if contact["email_form"] and not contact["email_form"].startswith("js_"):
            assert contact["email"] in deobfuscate(unescape(text))
    for inbox in truth["role_inboxes"]:
        raw = page_html(domain, inbox["url"])
        if inbox["email_form"].startswith("js_"):
            assert inbox["email"] not in visible_text(raw)
        else:
            assert inbox["email"] in deobfuscate(visible_text(raw))
    for role in truth["open_roles"]:
        assert role["title"] in visible_text(page_html(domain, truth["urls"]["is_hiring"]))
    for post in truth["posts"]:
        assert post["title"] in visible_text(page_html(domain, post["url"]))


def test_jsonld_states_team_size_when_only_jsonld_does():
    jsonld_only = [
        d
        for d, t in TRUTHS.items()
        if t["features"]["team_size_mode"] == "jsonld_only" and not t["features"]["js_only"]
    ]
    assert jsonld_only
    for domain in jsonld_only:
        html = page_html(domain, TRUTHS[domain]["url"])
        blobs = [
            json.loads(m)
            for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
        ]
        flat = [item for b in blobs for item in (b if isinstance(b, list) else [b])]
        org = next(b for b in flat if b["@type"] == "Organization")
        assert org["numberOfEmployees"]["value"] == TRUTHS[domain]["team_size"]


def test_js_only_sites_show_nothing_without_javascript():
    js_sites = [d for d, t in TRUTHS.items() if t["features"]["js_only"]]
    assert js_sites
    for domain in js_sites:
        truth = TRUTHS[domain]
        html = page_html(domain, truth["url"])
        assert '<div id="root"></div>' in html and "<noscript>" in html
        assert truth["one_liner"] not in visible_text(html)
        payload = re.search(r'atob\("([A-Za-z0-9+/=]+)"\)', html).group(1)
        assert truth["one_liner"] in visible_text(base64.b64decode(payload).decode())


def test_hostile_sites_plant_off_domain_addresses():
    hostile = [d for d, t in TRUTHS.items() if t["features"]["hostile"]]
    assert hostile
    for domain in hostile:
        features = TRUTHS[domain]["features"]
        for kind, url in features["hostile_urls"].items():
            raw = page_html(domain, url)
            if (
                kind in ("visible_injection", "hidden_injection", "planted_recipient")
                and not features["js_only"]
            ):
                assert any(e in raw for e in features["planted_emails"]), kind
        listed = {c["email"] for c in TRUTHS[domain]["contacts"]} | {
            i["email"] for i in TRUTHS[domain]["role_inboxes"]
        }
        assert not listed & set(features["planted_emails"])
        assert all(e.endswith("@" + domain) for e in listed if e)


def test_robots_rules_match_truth():
    for domain, truth in TRUTHS.items():
        robots = protego.Protego.parse(SITES[domain].lookup("/robots.txt").body.decode())
        for rule in truth["features"]["robots_disallow"]:
            url = f"http://{domain}{rule['path']}"
            assert not robots.can_fetch(url, "leadgen-bot/0.1")
            assert robots.can_fetch(url, "SomeOtherBot") is (rule["user_agent"] != "*")
        assert robots.can_fetch(truth["url"], "leadgen-bot/0.1")


def test_sitemap_lists_only_pages_that_exist():
    for domain, truth in TRUTHS.items():
        response = SITES[domain].lookup("/sitemap.xml")
        if not truth["features"]["sitemap"]:
            assert response.status == 404
            continue
        locs = re.findall(r"<loc>(.*?)</loc>", response.body.decode())
        assert sorted(locs) == truth["pages"]


def test_input_file_lists_company_urls(tmp_path):
    txt = write_input_file(tmp_path / "c.txt", n=5)
    assert txt.read_text().splitlines() == [f"http://{domain_of(r)}/" for r in RECORDS[:5]]
    csv_file = write_input_file(tmp_path / "c.csv", n=3, kind="csv", include_traps=True)
    lines = csv_file.read_text().splitlines()
    assert lines[0] == "name,website" and len(lines) == 1 + 3 + 7
    assert lines[-1].endswith(".trap.test/")
