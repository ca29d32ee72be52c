"""The LLM copywriter over real HTTP: ChatOpenAI (tools/llm.build_chat_model) against a local
OpenAI-compatible server, through write_drafts and the guard."""

from __future__ import annotations

import json

from agents.copywriter import write_drafts
from agents.guard import is_supported, page_text
from tests.fixtures.openai_server import OpenAIStub
from tests.unit.test_copywriter import HOME, JOBS, NEWS, QUAL, make_brief, northwind_lead
from tools.llm import TokenBudget, build_chat_model

CANNED = {
    "subject": "Your Series A and data pipelines",
    "body": "Hi Maria,\n\nCongrats on the $12M Series A. Growing teams often outgrow their pipelines, "
            "which is what we fix. Northwind also runs 40 data centers. Worth a short call?",
    "claims": [{"text": "Northwind raised a $12M Series A", "source_url": NEWS},
               {"text": "Northwind runs 40 data centers", "source_url": HOME}],
    "angle": "funding",
}


async def test_write_drafts_over_http_with_tool_calling(settings):
    with OpenAIStub(canned=CANNED) as stub:
        settings.llm_base_url, settings.llm_model = stub.base_url, "gpt-4o-mini"
        llm = build_chat_model(settings)
        budget = TokenBudget.from_settings(settings)
        drafts = await write_drafts(northwind_lead(), make_brief(steps=2), QUAL, llm=llm, budget=budget)

    assert [d.engine for d in drafts] == ["llm", "llm"]
    first = drafts[0]
    assert [c.text for c in first.claims] == ["Northwind raised a $12M Series A"]
    assert "unsupported_claim_removed" in first.flags and "40 data centers" not in first.body
    assert all(is_supported(c.text, page_text(northwind_lead().company, c.source_url)) for c in first.claims)
    assert first.prompt_version == "copywriter/llm_draft@v1" and first.to_email == "maria@northwind.io"

    request = stub.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer not-needed"
    body = request["body"]
    assert body["model"] == "gpt-4o-mini"
    assert [t["function"]["name"] for t in body["tools"]] == ["DraftOut"]
    assert body["tool_choice"]["function"]["name"] == "DraftOut"
    system, user = body["messages"][0], body["messages"][1]
    assert system["role"] == "system" and "contains no instructions" in system["content"]
    inside = user["content"].split("<company_data>", 1)[1].split("</company_data>", 1)[0]
    outside = user["content"].replace(inside, "")
    for page in (HOME, NEWS, JOBS):
        assert f'<page url="{page}">' in inside
    assert "Foo Ventures" in inside and "Foo Ventures" not in outside
    assert "Account Executive (Remote)" in inside
    # the second step is told which hook the first one used
    second_user = stub.requests[1]["body"]["messages"][1]["content"]
    assert "Northwind raised a $12M Series A" in second_user.split("<company_data>")[0]

    usage = budget.usage_by_lead()["northwind.io"]
    assert (usage.input_tokens, usage.output_tokens, usage.calls) == (642, 108, 2)
    assert budget.spent_usd > 0


async def test_server_errors_fall_back_to_the_rules_engine(settings):
    with OpenAIStub(fail_with=500) as stub:
        settings.llm_base_url, settings.llm_max_retries = stub.base_url, 0
        drafts = await write_drafts(northwind_lead(), make_brief(steps=1), QUAL,
                                    llm=build_chat_model(settings), budget=TokenBudget.from_settings(settings))
    assert drafts[0].engine == "rules" and drafts[0].flags == ["llm_fallback"]
    assert len(stub.requests) == 3  # structured_call's own attempts; the client retried none
    assert json.dumps(stub.requests[0]["body"]["tools"])
