"""tools/llm.py: budget accounting, usage recording and structured_call against a scripted chat model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field

from core.errors import BudgetExhausted
from tools.llm import (
    StructuredOutputError,
    TokenBudget,
    UsageRecorder,
    build_chat_model,
    price_of,
    structured_call,
)

Responder = Callable[[list[BaseMessage], list[dict]], "dict | BaseException"]


class ScriptedChatModel(BaseChatModel):
    """A chat model double that answers every call with a tool call built by ``responder``.

    ``responder(messages, tools)`` returns the tool arguments (or an exception to raise); every
    call's messages and offered tools are kept in ``calls``.
    """

    responder: Any
    input_tokens: int = 100
    output_tokens: int = 20
    model_name: str = "gpt-4o-mini"
    calls: list = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        tools = kwargs.get("tools", [])
        self.calls.append({"messages": messages, "tools": tools})
        answer = self.responder(messages, tools)
        if isinstance(answer, BaseException):
            raise answer
        message = AIMessage(
            content="",
            tool_calls=[{"name": tools[0]["function"]["name"], "args": answer, "id": f"call_{len(self.calls)}"}]
            if answer is not None and tools else [],
            usage_metadata={"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                            "total_tokens": self.input_tokens + self.output_tokens},
            response_metadata={"model_name": self.model_name},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


class Verdict(BaseModel):
    label: str
    score: int


MESSAGES = [HumanMessage("classify this")]


def _connection_error() -> openai.APIConnectionError:
    return openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1/v1/chat/completions"))


def test_build_chat_model_is_none_without_endpoint(settings):
    assert build_chat_model(settings) is None


def test_build_chat_model_uses_settings(settings):
    settings.llm_base_url = "http://127.0.0.1:9/v1"
    settings.llm_model = "local-model"
    settings.llm_max_retries = 4
    model = build_chat_model(settings)
    assert model is not None
    assert model.model_name == "local-model"
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.max_retries == 4
    assert model.openai_api_key.get_secret_value() == "not-needed"


def test_price_table_uses_longest_prefix_and_is_zero_for_unknown_models():
    assert price_of("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)
    assert price_of("gpt-4o", 0, 1_000_000) == pytest.approx(10.0)
    assert price_of("llama-3.1-8b-instruct", 10**9, 10**9) == 0.0


def test_budget_charges_per_lead_and_raises_when_spent():
    budget = TokenBudget(max_tokens=300, max_cost_usd=100.0, model="gpt-4o-mini")
    budget.charge(100, 50, lead_key="a")
    budget.charge(100, 40, lead_key="b")
    assert budget.spent_tokens == 290
    assert budget.usage_by_lead()["a"].input_tokens == 100
    assert budget.usage_by_lead()["b"].output_tokens == 40
    budget.ensure_available(10)
    with pytest.raises(BudgetExhausted):
        budget.ensure_available(11)
    budget.charge(10, 0)
    assert budget.exhausted
    with pytest.raises(BudgetExhausted):
        budget.ensure_available()


def test_cost_budget_exhausts_on_priced_models():
    budget = TokenBudget(max_tokens=10**12, max_cost_usd=0.01, model="gpt-4o")
    budget.charge(1000, 1000)  # 0.0025 + 0.01 USD
    assert budget.spent_usd == pytest.approx(0.0125)
    with pytest.raises(BudgetExhausted, match="cost"):
        budget.ensure_available()


def test_budget_is_exact_under_concurrent_charges():
    budget = TokenBudget(max_tokens=10**9, max_cost_usd=10**6, model="gpt-4o-mini")

    def work(key: str) -> None:
        for _ in range(500):
            budget.charge(3, 2, lead_key=key)

    threads = [threading.Thread(target=work, args=(f"lead{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.spent_tokens == 8 * 500 * 5
    assert sum(u.calls for u in budget.usage_by_lead().values()) == 4000


async def test_structured_call_returns_schema_and_records_usage():
    model = ScriptedChatModel(responder=lambda messages, tools: {"label": "fit", "score": 7})
    budget = TokenBudget(max_tokens=10_000, max_cost_usd=1.0, model="gpt-4o-mini")
    result = await structured_call(model, Verdict, MESSAGES, budget=budget, lead_key="acme.com")
    assert result == Verdict(label="fit", score=7)
    assert model.calls[0]["tools"][0]["function"]["name"] == "Verdict"
    usage = budget.usage_by_lead()["acme.com"]
    assert (usage.input_tokens, usage.output_tokens, usage.calls) == (100, 20, 1)
    assert budget.spent_usd == pytest.approx(price_of("gpt-4o-mini", 100, 20))


async def test_usage_recorder_works_as_a_plain_callback():
    model = ScriptedChatModel(responder=lambda m, t: {"label": "x", "score": 1}, input_tokens=7, output_tokens=3)
    budget = TokenBudget(max_tokens=1000, max_cost_usd=1.0)
    await model.ainvoke("hi", config={"callbacks": [UsageRecorder(budget, "k")]})
    assert budget.usage_by_lead()["k"].input_tokens == 7
    assert budget.spent_tokens == 10


async def test_structured_call_retries_transient_errors():
    answers = iter([_connection_error(), openai.APITimeoutError(request=httpx.Request("POST", "http://x")),
                    {"label": "ok", "score": 1}])
    model = ScriptedChatModel(responder=lambda m, t: next(answers))
    result = await structured_call(model, Verdict, MESSAGES, budget=None, backoff_seconds=0)
    assert result.label == "ok"
    assert len(model.calls) == 3


async def test_structured_call_gives_up_on_persistent_malformed_output():
    model = ScriptedChatModel(responder=lambda m, t: {"label": "missing score"})
    with pytest.raises(StructuredOutputError, match="Verdict"):
        await structured_call(model, Verdict, MESSAGES, budget=None, attempts=2, backoff_seconds=0)
    assert len(model.calls) == 2


async def test_structured_call_without_tool_call_is_an_error():
    model = ScriptedChatModel(responder=lambda m, t: None)
    with pytest.raises(StructuredOutputError):
        await structured_call(model, Verdict, MESSAGES, budget=None, attempts=1)


async def test_structured_call_stops_before_calling_when_budget_is_spent():
    model = ScriptedChatModel(responder=lambda m, t: {"label": "x", "score": 1})
    budget = TokenBudget(max_tokens=150, max_cost_usd=1.0)
    await structured_call(model, Verdict, MESSAGES, budget=budget)  # spends 120 of 150
    with pytest.raises(BudgetExhausted):
        await structured_call(model, Verdict, [HumanMessage("x" * 400)], budget=budget)
    assert len(model.calls) == 1


async def test_client_errors_are_not_retried():
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    error = openai.BadRequestError("bad", response=httpx.Response(400, request=request), body=None)
    model = ScriptedChatModel(responder=lambda m, t: error)
    with pytest.raises(StructuredOutputError, match="BadRequestError"):
        await structured_call(model, Verdict, MESSAGES, budget=None, backoff_seconds=0)
    assert len(model.calls) == 1
