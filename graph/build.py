"""Wiring of the campaign graph: fan out one lead pipeline per company, then approval
(interrupt) and send. Also opens the checkpointer (SQLite by default, PostgreSQL when the
database is PostgreSQL) so a paused campaign resumes from another process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from core.settings import Settings
from graph import nodes
from graph.deps import Deps
from graph.state import CampaignState, LeadOutput, LeadState


def build_lead_graph():
    g = StateGraph(LeadState, context_schema=Deps, output_schema=LeadOutput)
    g.add_node("research", nodes.research)
    g.add_node("qualify", nodes.qualify)
    g.add_node("write", nodes.write)
    g.add_node("save", nodes.save)
    g.add_edge(START, "research")
    g.add_conditional_edges("research", nodes.route_after_research, ["qualify", "save"])
    g.add_conditional_edges("qualify", nodes.route_after_qualify, ["write", "save"])
    g.add_edge("write", "save")
    g.add_edge("save", END)
    # The parent checkpoints each finished lead; a lead cut off mid-way is redone whole.
    return g.compile(checkpointer=False)


def fan_out(state: CampaignState) -> list[Send]:
    return [
        Send(
            "lead",
            {
                "campaign_id": state["campaign_id"],
                "brief": state["brief"],
                "url": url,
                "index": index,
            },
        )
        for index, url in enumerate(state["inputs"])
    ]


def build_campaign_graph(checkpointer: BaseCheckpointSaver | None):
    g = StateGraph(CampaignState, context_schema=Deps)
    g.add_node("lead", build_lead_graph())
    g.add_node("approval", nodes.approval)
    g.add_node("send", nodes.send)
    g.add_conditional_edges(START, fan_out, ["lead"])
    g.add_edge("lead", "approval")
    g.add_conditional_edges(
        "approval", nodes.route_after_approval, ["send", "approval", END]
    )
    g.add_conditional_edges("send", nodes.route_after_send, ["approval", END])
    return g.compile(checkpointer=checkpointer)


def _psycopg_conninfo(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    if settings.is_postgres:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(
            _psycopg_conninfo(settings.resolved_database_url)
        ) as saver:
            await saver.setup()
            yield saver
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        settings.ensure_dirs()
        path = settings.data_dir.resolve() / "checkpoints.sqlite"
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            await saver.setup()
            yield saver
