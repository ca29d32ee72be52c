"""Chroma store of prior campaign outcomes: record what happened, find similar companies' outcomes.

Embedded ``PersistentClient`` under ``<data_dir>/memory`` by default, a Chroma server when
``settings.chroma_url`` is set. Calls are synchronous; async callers use ``asyncio.to_thread``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings as ChromaSettings

from core.models import Company, Outcome, OutcomeKind, PriorOutcome
from memory.embeddings import MiniLMEmbedding

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from core.settings import Settings

COLLECTION = "outcomes"
POSITIVE_KINDS: frozenset[str] = frozenset({"replied_positive", "meeting"})
_KINDS = frozenset(get_args(OutcomeKind))
_DESCRIPTION_CHARS = 600


def chroma_settings() -> ChromaSettings:
    # No telemetry, and no network from the client beyond the configured server.
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def client_for_url(url: str) -> ClientAPI:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"chroma_url must look like http://host:8000, got {url!r}")
    ssl = parts.scheme == "https"
    return chromadb.HttpClient(
        host=parts.hostname,
        port=parts.port or (443 if ssl else 8000),
        ssl=ssl,
        settings=chroma_settings(),
    )


class OutcomeMemory:
    """Outcomes keyed by campaign:domain:kind; documents are company profiles."""

    def __init__(self, client: ClientAPI, embedding: MiniLMEmbedding | None = None) -> None:
        self._client = client
        # Always pass our embedding function so Chroma never fetches its default model.
        self._collection = client.get_or_create_collection(
            COLLECTION,
            embedding_function=embedding or MiniLMEmbedding(),  # type: ignore[arg-type]
            metadata={"hnsw:space": "cosine"},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OutcomeMemory:
        if settings.chroma_url:
            return cls(client_for_url(settings.chroma_url))
        path = settings.data_dir / "memory"
        path.mkdir(parents=True, exist_ok=True)
        return cls(chromadb.PersistentClient(path=str(path), settings=chroma_settings()))

    @staticmethod
    def outcome_id(outcome: Outcome) -> str:
        return f"{outcome.campaign_id}:{outcome.domain}:{outcome.kind}"

    def record(self, outcome: Outcome) -> None:
        metadata: dict[str, Any] = {
            "kind": outcome.kind,
            "domain": outcome.domain,
            "campaign_id": outcome.campaign_id,
            "industry": outcome.industry,
            "angle": outcome.angle,
            "prompt_version": outcome.prompt_version,
            "score": outcome.score,
        }
        self._collection.upsert(
            ids=[self.outcome_id(outcome)],
            documents=[outcome.profile],
            metadatas=[{k: v for k, v in metadata.items() if v is not None}],
        )

    def count(self) -> int:
        return self._collection.count()

    def nearest(
        self, profile: str, k: int = 5, *, exclude_domain: str | None = None
    ) -> list[PriorOutcome]:
        """The ``k`` stored outcomes whose company profile is closest to ``profile``."""
        total = self._collection.count()
        if total == 0 or k <= 0:
            return []
        where = {"domain": {"$ne": exclude_domain}} if exclude_domain else None
        result = self._collection.query(
            query_texts=[profile],
            n_results=min(k, total),
            where=where,  # type: ignore[arg-type]
            include=["documents", "metadatas", "distances"],
        )
        documents = (result.get("documents") or [[]])[0]
        metadatas = (result.get("metadatas") or [[]])[0]
        distances = (result.get("distances") or [[]])[0]
        priors = []
        for document, meta, distance in zip(documents, metadatas, distances, strict=True):
            if meta.get("kind") not in _KINDS:
                continue
            similarity = max(-1.0, min(1.0, 1.0 - float(distance)))
            priors.append(
                PriorOutcome(
                    campaign_id=str(meta["campaign_id"]),
                    domain=str(meta["domain"]),
                    kind=meta["kind"],  # type: ignore[arg-type]
                    profile=document or "",
                    industry=_optional_str(meta.get("industry")),
                    angle=_optional_str(meta.get("angle")),
                    prompt_version=_optional_str(meta.get("prompt_version")),
                    score=int(meta["score"]) if meta.get("score") is not None else None,  # type: ignore[arg-type]
                    similarity=similarity,
                )
            )
        return priors

    @staticmethod
    def profile_text(company: Company) -> str:
        """A short text profile of a company, the document embedded for similarity."""
        lines = [company.name or company.domain]
        if company.industry:
            lines.append(f"Industry: {company.industry}")
        if company.description:
            description = " ".join(company.description.split())
            lines.append(description[:_DESCRIPTION_CHARS])
        if company.team_size is not None:
            lines.append(f"Team size: {company.team_size}")
        if company.country:
            lines.append(f"Country: {company.country}")
        kinds = sorted({signal.kind for signal in company.signals})
        if kinds:
            lines.append(f"Signals: {', '.join(kinds)}")
        return "\n".join(lines)

    @staticmethod
    def angle_stats(priors: Iterable[Outcome]) -> dict[str, tuple[int, int]]:
        """Per copy angle: (positive outcomes, all outcomes). Outcomes without an angle are skipped."""
        stats: dict[str, tuple[int, int]] = {}
        for prior in priors:
            if not prior.angle:
                continue
            positive, total = stats.get(prior.angle, (0, 0))
            stats[prior.angle] = (positive + (prior.kind in POSITIVE_KINDS), total + 1)
        return stats


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
