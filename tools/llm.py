"""The optional LLM: an OpenAI-compatible chat model, a per-campaign token/cost budget, usage
recording per lead, and one ``structured_call`` that every agent uses for structured output."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
T = TypeVar("T")

DEFAULT_HOLD_SECONDS = 600.0  # life of a reservation when not derived from settings (hold_seconds_for)

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

    def add(self, input_tokens: int, output_tokens: int, cost_usd: float, calls: int = 1) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cost_usd += cost_usd
        self.calls += calls


@dataclass
class Reservation:
    """What one LLM call in flight holds of a budget, and the usage it reported (``UsageRecorder``)
    until ``TokenBudget.settle`` charges it."""

    tokens: int
    cost_usd: float
    lead_key: str | None = None
    hold_id: str | None = None  # the database hold of a persistent budget
    usage: LeadUsage = field(default_factory=LeadUsage)
    settled: bool = False


def hold_seconds_for(settings: Settings) -> float:
    """How long a reservation lives: twice the longest call the client makes (timeout × attempts)."""
    return 2 * settings.llm_timeout * (settings.llm_max_retries + 1)


class TokenBudget:
    """Tokens and USD one campaign may spend on the LLM. Safe to share across threads and tasks.

    Without ``campaign_id`` and ``store`` the spend lives in this object (unit use, evals, the
    briefing chat). With them it is the campaign's, kept in the database (``store`` is the
    Repository, ``core.db.budget_store``): what earlier runs, resumes and other workers spent is
    loaded, and every reservation and charge goes through the database, so the limit holds per
    campaign, not per process. Methods then block on the database: call them off the event loop
    (``structured_call`` does). ``spent_*``, ``exhausted`` and ``used_ratios`` show the campaign's
    spend as last seen (every reservation and charge reads it again); ``usage_by_lead`` only this
    object's calls.

    The guarantee: ``reserve`` (``structured_call`` runs it before every call) holds the call's
    estimated prompt tokens and their price atomically. A call starts only if spent + held by
    calls in flight + its estimate stays within the limit (tokens and USD alike), counted over
    every thread, task and process sharing the campaign: two calls whose estimates together pass
    what is left never both start. Only what an estimate cannot know goes over: the answer's
    tokens and any under-estimate of the prompt (4 characters a token). Spend therefore ends over
    the limit by at most that excess of the calls in flight when it was reached: one call's
    answer (plus estimate error) per concurrent call, i.e. per worker times its
    ``company_concurrency``. Nothing is lost: every charge is one atomic increment. A hold whose
    call never settles (a worker killed mid-call) expires after ``hold_seconds``. ``charge``
    (usage recorded without a reservation, e.g. ``UsageRecorder`` as a plain callback) is checked
    by the next reservation only.
    """

    def __init__(self, max_tokens: int, max_cost_usd: float, *, model: str | None = None,
                 campaign_id: str | None = None, store: Any | None = None,
                 hold_seconds: float = DEFAULT_HOLD_SECONDS) -> None:
        if (campaign_id is None) != (store is None):
            raise ValueError("a campaign's budget needs both campaign_id and store")
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd
        self.model = model
        self.campaign_id = campaign_id
        self.hold_seconds = hold_seconds
        self._store = store  # core.db.budget_store.BudgetStore (the Repository)
        self._lock = threading.Lock()
        self._tokens = 0
        self._cost = 0.0
        self._held_tokens = 0  # in memory only; a persistent budget's holds are rows
        self._held_cost = 0.0
        self._by_lead: dict[str, LeadUsage] = {}
        if store is not None:
            self._seen(store.llm_spend(campaign_id))

    @classmethod
    def from_settings(cls, settings: Settings, *, campaign_id: str | None = None,
                      store: Any | None = None) -> TokenBudget:
        return cls(settings.llm_token_budget, settings.llm_cost_budget_usd, model=settings.llm_model,
                   campaign_id=campaign_id, store=store, hold_seconds=hold_seconds_for(settings))

    def for_campaign(self, campaign_id: str, store: Any) -> TokenBudget:
        """A budget with these limits over ``campaign_id``'s stored spend (reads the database)."""
        return TokenBudget(self.max_tokens, self.max_cost_usd, model=self.model, campaign_id=campaign_id,
                           store=store, hold_seconds=self.hold_seconds)

    @property
    def persistent(self) -> bool:
        return self._store is not None

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
        """Raise ``BudgetExhausted`` when spent, or when ``estimated_tokens`` would not fit. A check
        only: nothing is held, so concurrent callers may both pass (``reserve`` holds)."""
        estimated_cost = price_of(self.model, estimated_tokens, 0)
        if self._store is not None:
            spend = self._store.llm_spend(self.campaign_id)
            self._seen(spend)
            refusal = self._refusal(spend.tokens, spend.cost_usd, spend.held_tokens, spend.held_cost_usd,
                                    estimated_tokens, estimated_cost)
        else:
            with self._lock:
                refusal = self._refusal(self._tokens, self._cost, self._held_tokens, self._held_cost,
                                        estimated_tokens, estimated_cost)
        if refusal:
            raise BudgetExhausted(refusal)

    def reserve(self, estimated_tokens: int, *, lead_key: str | None = None) -> Reservation:
        """Hold ``estimated_tokens`` (and their price) for one call, or raise ``BudgetExhausted``.
        Every reservation must be settled (``settle``), whether the call worked or not."""
        reservation = Reservation(estimated_tokens, price_of(self.model, estimated_tokens, 0), lead_key)
        if self._store is not None:

            def fits(spend: Any) -> bool:
                return self._refusal(spend.tokens, spend.cost_usd, spend.held_tokens, spend.held_cost_usd,
                                     reservation.tokens, reservation.cost_usd) is None

            spend, reservation.hold_id = self._store.hold_llm_budget(
                self.campaign_id, reservation.tokens, reservation.cost_usd, fits=fits,
                hold_seconds=self.hold_seconds)
            self._seen(spend)
            refusal = None if reservation.hold_id else self._refusal(
                spend.tokens, spend.cost_usd, spend.held_tokens, spend.held_cost_usd,
                reservation.tokens, reservation.cost_usd)
        else:
            with self._lock:
                refusal = self._refusal(self._tokens, self._cost, self._held_tokens, self._held_cost,
                                        reservation.tokens, reservation.cost_usd)
                if refusal is None:
                    self._held_tokens += reservation.tokens
                    self._held_cost += reservation.cost_usd
        if refusal:
            raise BudgetExhausted(refusal)
        return reservation

    def settle(self, reservation: Reservation) -> float:
        """Release a reservation and charge the usage recorded on it; returns its cost in USD.
        Settling twice charges once."""
        if reservation.settled:
            return reservation.usage.cost_usd
        reservation.settled = True
        used = reservation.usage
        if self._store is not None:
            self._seen(self._store.settle_llm_budget(
                self.campaign_id, reservation.hold_id, tokens=used.input_tokens + used.output_tokens,
                cost_usd=used.cost_usd, calls=used.calls))
        with self._lock:
            if self._store is None:
                self._held_tokens -= reservation.tokens
                self._held_cost -= reservation.cost_usd
                self._tokens += used.input_tokens + used.output_tokens
                self._cost += used.cost_usd
            if used.calls:
                self._by_lead.setdefault(reservation.lead_key or "", LeadUsage()).add(
                    used.input_tokens, used.output_tokens, used.cost_usd, used.calls)
        self._publish_used_ratio()
        return used.cost_usd

    def charge(self, input_tokens: int, output_tokens: int, *, model: str | None = None,
               lead_key: str | None = None) -> float:
        """Record one call's usage; returns its cost in USD. Never raises for the limit: the next
        check does."""
        cost = price_of(model or self.model, input_tokens, output_tokens)
        if self._store is not None:
            self._seen(self._store.settle_llm_budget(
                self.campaign_id, None, tokens=input_tokens + output_tokens, cost_usd=cost, calls=1))
        with self._lock:
            if self._store is None:
                self._tokens += input_tokens + output_tokens
                self._cost += cost
            self._by_lead.setdefault(lead_key or "", LeadUsage()).add(input_tokens, output_tokens, cost)
        self._publish_used_ratio()
        return cost

    def used_ratios(self) -> tuple[float, float]:
        """(tokens, cost) spent as shares of the budget, 0..1."""
        with self._lock:
            tokens = self._tokens / self.max_tokens if self.max_tokens > 0 else 1.0
            cost = self._cost / self.max_cost_usd if self.max_cost_usd > 0 else 0.0
        return min(1.0, tokens), min(1.0, cost)

    def _refusal(self, tokens: int, cost: float, held_tokens: int, held_cost: float,
                 estimated_tokens: int, estimated_cost: float) -> str | None:
        """Why a call of this estimate may not start now, or None when it may."""
        if tokens >= self.max_tokens or tokens + held_tokens + estimated_tokens > self.max_tokens:
            held = f", {held_tokens} held by calls in flight" if held_tokens else ""
            return (f"token budget spent: {tokens} used of {self.max_tokens}{held} "
                    f"(next call needs about {estimated_tokens})")
        if cost >= self.max_cost_usd or cost + held_cost + estimated_cost > self.max_cost_usd:
            return f"cost budget spent: ${cost:.4f} of ${self.max_cost_usd:.2f}"
        return None

    def _seen(self, spend: Any) -> None:
        """Take the campaign's spend read from the database; it only grows, so an answer that
        arrives late (another thread's older read) never lowers what is shown."""
        with self._lock:
            self._tokens = max(self._tokens, spend.tokens)
            self._cost = max(self._cost, spend.cost_usd)

    def _publish_used_ratio(self) -> None:
        campaign = metrics.current_campaign.get()
        if campaign:
            metrics.record_budget_used(campaign, *self.used_ratios())


class UsageRecorder(BaseCallbackHandler):
    """LangChain callback: records every chat-model call's ``usage_metadata`` (on the call's
    ``reservation`` when there is one, which ``structured_call`` settles off the event loop;
    otherwise charged to ``budget`` at once) under a lead key, and counts tokens and cost per agent
    (core.metrics)."""

    run_inline = True  # keep charging on the caller's thread/loop, in order

    def __init__(self, budget: TokenBudget | None, lead_key: str | None = None,
                 reservation: Reservation | None = None) -> None:
        self.budget = budget
        self.lead_key = lead_key
        self.reservation = reservation

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
                if self.reservation is not None:
                    cost = price_of(model or (self.budget.model if self.budget else None),
                                    input_tokens, output_tokens)
                    self.reservation.usage.add(input_tokens, output_tokens, cost)
                elif self.budget is not None:
                    cost = self.budget.charge(input_tokens, output_tokens, model=model,
                                              lead_key=self.lead_key)
                else:
                    cost = price_of(model, input_tokens, output_tokens)
                metrics.record_llm_usage(input_tokens, output_tokens, cost)


async def _off_loop(budget: TokenBudget, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A budget method, in a thread when it talks to the database."""
    if budget.persistent:
        return await asyncio.to_thread(method, *args, **kwargs)
    return method(*args, **kwargs)


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

    Reserves budget before each attempt and settles it after (``BudgetExhausted`` propagates;
    see ``TokenBudget`` for what a shared campaign budget guarantees), retries transient
    transport errors and malformed tool calls, then raises ``StructuredOutputError`` (also raised at
    once for other API errors such as 400/401).
    """
    runnable = llm.with_structured_output(schema, method="function_calling")
    last_error: BaseException | None = None
    for attempt in range(attempts):
        reservation = None
        if budget is not None:
            reservation = await _off_loop(budget, budget.reserve, estimate_tokens(messages),
                                          lead_key=lead_key)
        config = RunnableConfig(callbacks=[UsageRecorder(budget, lead_key, reservation)])
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
        finally:
            if budget is not None and reservation is not None:  # charged whether it worked or not
                await _off_loop(budget, budget.settle, reservation)
        if attempt + 1 < attempts:
            await asyncio.sleep(backoff_seconds * 2**attempt)
    raise StructuredOutputError(f"{schema.__name__}: {type(last_error).__name__}: {last_error}") from last_error
