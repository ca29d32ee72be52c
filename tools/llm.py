"""The optional LLM: an OpenAI-compatible chat model, a per-campaign token/cost budget, usage
recording per lead, and one ``structured_call`` that every agent uses for structured output."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import openai
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, SecretStr, ValidationError

from core import metrics
from core.errors import BudgetExhausted, LeadgenError
from core.settings import Settings

Schema = TypeVar("Schema", bound=BaseModel)

# USD per million tokens (input, output). Matched by longest model-name prefix; models not
# listed (local servers) cost nothing and are limited by tokens only.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.RateLimitError,
    openai.InternalServerError,
    httpx.TransportError,
)
# A model sometimes answers with a malformed or missing tool call; asking again usually works.
MALFORMED_OUTPUT: tuple[type[BaseException], ...] = (OutputParserException, ValidationError)


class StructuredOutputError(LeadgenError):
    status = 502
    title = "LLM gave no usable structured output"


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured OpenAI-compatible chat model, or ``None`` when no endpoint is set (rules engine)."""
    if not settings.llm_enabled:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
    )


def price_of(model: str | None, input_tokens: int, output_tokens: int) -> float:
    """USD cost of one call by the price table (0.0 for unknown models)."""
    name = (model or "").lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in PRICES_PER_MTOK if name.startswith(prefix)]
    if not matches:
        return 0.0
    per_in, per_out = PRICES_PER_MTOK[max(matches, key=len)]
    return (input_tokens * per_in + output_tokens * per_out) / 1_000_000


@dataclass
class LeadUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0


class TokenBudget:
    """Tokens and USD one campaign may spend on the LLM. Safe to share across threads and tasks."""

    def __init__(self, max_tokens: int, max_cost_usd: float, *, model: str | None = None) -> None:
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd
        self.model = model
        self._lock = threading.Lock()
        self._tokens = 0
        self._cost = 0.0
        self._by_lead: dict[str, LeadUsage] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenBudget:
        return cls(settings.llm_token_budget, settings.llm_cost_budget_usd, model=settings.llm_model)

    @property
    def spent_tokens(self) -> int:
        with self._lock:
            return self._tokens

    @property
    def spent_usd(self) -> float:
        with self._lock:
            return self._cost

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self._tokens >= self.max_tokens or self._cost >= self.max_cost_usd

    def usage_by_lead(self) -> dict[str, LeadUsage]:
        with self._lock:
            return {key: LeadUsage(**vars(u)) for key, u in self._by_lead.items()}

    def ensure_available(self, estimated_tokens: int = 0) -> None:
        """Raise ``BudgetExhausted`` when spent, or when ``estimated_tokens`` would not fit."""
        with self._lock:
            if self._tokens >= self.max_tokens or self._tokens + estimated_tokens > self.max_tokens:
                raise BudgetExhausted(
                    f"token budget spent: {self._tokens} used of {self.max_tokens} "
                    f"(next call needs about {estimated_tokens})"
                )
            if self._cost >= self.max_cost_usd:
                raise BudgetExhausted(f"cost budget spent: ${self._cost:.4f} of ${self.max_cost_usd:.2f}")

    def charge(self, input_tokens: int, output_tokens: int, *, model: str | None = None,
               lead_key: str | None = None) -> float:
        """Record one call's usage; returns its cost in USD. Never raises: the next check does."""
        cost = price_of(model or self.model, input_tokens, output_tokens)
        with self._lock:
            self._tokens += input_tokens + output_tokens
            self._cost += cost
            usage = self._by_lead.setdefault(lead_key or "", LeadUsage())
            usage.input_tokens += input_tokens
            usage.output_tokens += output_tokens
            usage.cost_usd += cost
            usage.calls += 1
        self._publish_used_ratio()
        return cost

    def used_ratios(self) -> tuple[float, float]:
        """(tokens, cost) spent as shares of the budget, 0..1."""
        with self._lock:
            tokens = self._tokens / self.max_tokens if self.max_tokens > 0 else 1.0
            cost = self._cost / self.max_cost_usd if self.max_cost_usd > 0 else 0.0
        return min(1.0, tokens), min(1.0, cost)

    def _publish_used_ratio(self) -> None:
        campaign = metrics.current_campaign.get()
        if campaign:
            metrics.record_budget_used(campaign, *self.used_ratios())


class UsageRecorder(BaseCallbackHandler):
    """LangChain callback: charges every chat-model call's ``usage_metadata`` to a budget (when
    there is one) under a lead key, and counts tokens and cost per agent (core.metrics)."""

    run_inline = True  # keep charging on the caller's thread/loop, in order

    def __init__(self, budget: TokenBudget | None, lead_key: str | None = None) -> None:
        self.budget = budget
        self.lead_key = lead_key

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                if not isinstance(generation, ChatGeneration):
                    continue
                message = generation.message
                usage = message.usage_metadata if isinstance(message, AIMessage) else None
                if not usage:
                    continue
                model = message.response_metadata.get("model_name") or (response.llm_output or {}).get(
                    "model_name"
                )
                input_tokens, output_tokens = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
                if self.budget is not None:
                    cost = self.budget.charge(input_tokens, output_tokens, model=model,
                                              lead_key=self.lead_key)
                else:
                    cost = price_of(model, input_tokens, output_tokens)
                metrics.record_llm_usage(input_tokens, output_tokens, cost)


def estimate_tokens(messages: Sequence[BaseMessage]) -> int:
    """A rough prompt size (4 characters a token) to refuse a call that cannot fit the budget."""
    return sum(len(str(m.content)) for m in messages) // 4


async def structured_call(
    llm: BaseChatModel,
    schema: type[Schema],
    messages: Sequence[BaseMessage],
    *,
    budget: TokenBudget | None,
    lead_key: str | None = None,
    attempts: int = 3,
    backoff_seconds: float = 0.5,
) -> Schema:
    """Ask ``llm`` for one ``schema`` instance via tool calling.

    Checks the budget before each attempt (``BudgetExhausted`` propagates), retries transient
    transport errors and malformed tool calls, then raises ``StructuredOutputError`` (also raised at
    once for other API errors such as 400/401).
    """
    runnable = llm.with_structured_output(schema, method="function_calling")
    config = RunnableConfig(callbacks=[UsageRecorder(budget, lead_key)])
    last_error: BaseException | None = None
    for attempt in range(attempts):
        if budget is not None:
            budget.ensure_available(estimate_tokens(messages))
        try:
            result = await runnable.ainvoke(list(messages), config=config)
        except TRANSIENT_ERRORS + MALFORMED_OUTPUT as exc:
            last_error = exc
        except openai.OpenAIError as exc:  # 4xx: asking again will not help
            raise StructuredOutputError(f"{schema.__name__}: {type(exc).__name__}: {exc}") from exc
        else:
            if isinstance(result, schema):
                return result
            last_error = StructuredOutputError(f"model answered without a {schema.__name__} tool call")
        if attempt + 1 < attempts:
            await asyncio.sleep(backoff_seconds * 2**attempt)
    raise StructuredOutputError(f"{schema.__name__}: {type(last_error).__name__}: {last_error}") from last_error
