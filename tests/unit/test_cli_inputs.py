import io
import json

import pytest

from cli.results import OrderedResultWriter, unique_inputs
from core.briefs import parse_brief
from core.errors import BriefInvalid, InvalidInput
from core.models import Lead
from tools.sources.files import parse_company_list, read_company_file

BRIEF = {
    "name": "t",
    "offer": "an offer",
    "sender": {"name": "A B", "company": "C", "email": "a@c.com", "postal_address": "1 Main St, Springfield"},
}


def test_company_list_formats():
    assert parse_company_list("# c\n\nacme.com\nhttps://b.io/  # note\n") == ["acme.com", "https://b.io/"]
    assert parse_company_list("name,website\nA,acme.com\nB,\nC,https://c.io\n") == ["acme.com", "https://c.io"]
    assert parse_company_list('{"name": "A", "website": "https://a.com"}\n') == ["https://a.com"]
    with pytest.raises(InvalidInput, match="line 2"):
        parse_company_list('{"website": "a.com"}\n{oops\n')


def test_empty_file_is_an_error(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("# nothing\n\n")
    with pytest.raises(InvalidInput, match="lists no companies"):
        read_company_file(p)


def test_results_are_written_in_input_order_with_duplicates():
    lines = ["a.com", "b.com", "A.com/", "c.com"]
    unique, mapping = unique_inputs(lines)
    assert unique == ["a.com", "b.com", "c.com"] and mapping == [0, 1, 0, 2]
    out = io.StringIO()
    w = OrderedResultWriter(out, lines, mapping)
    w.add(Lead(url="c.com", index=2, status="error", error="x"))
    assert out.getvalue() == ""  # held until earlier lines are done
    w.add(Lead(url="a.com", index=0, status="error", error="y"))
    assert [json.loads(x)["url"] for x in out.getvalue().splitlines()] == ["a.com"]
    w.add(Lead(url="b.com", index=1, status="error", error="z"))
    urls = [json.loads(x)["url"] for x in out.getvalue().splitlines()]
    assert urls == lines and w.complete


def test_brief_errors_name_fields():
    assert parse_brief(BRIEF).sequence_steps == 2
    with pytest.raises(BriefInvalid, match=r"icp.max_employees"):
        parse_brief(BRIEF | {"icp": {"max_employees": "lots"}})
    with pytest.raises(BriefInvalid, match=r"colour: unknown field"):
        parse_brief(BRIEF | {"colour": "red"})
    with pytest.raises(BriefInvalid, match=r"icp.industries"):
        parse_brief(BRIEF | {"icp": {"industries": "devtools"}})
    with pytest.raises(BriefInvalid, match="min_employees must not exceed"):
        parse_brief(BRIEF | {"icp": {"min_employees": 10, "max_employees": 5}})
    with pytest.raises(BriefInvalid, match="mapping"):
        parse_brief(["not", "a", "mapping"])
