"""MiniLM embeddings: shape, normalisation, and that meaning drives distance."""

from __future__ import annotations

import numpy as np
import pytest

from memory.embeddings import DIMENSION, MiniLMEmbedding, model_file, tokenizer_file


@pytest.fixture(scope="module")
def embed() -> MiniLMEmbedding:
    return MiniLMEmbedding(batch_size=2)


def test_model_files_come_from_installed_packages():
    assert model_file().name == "model.onnx" and model_file().stat().st_size > 1_000_000
    assert tokenizer_file().name == "tokenizer.json"


def test_output_dimension_and_unit_norm(embed):
    vectors = np.array(embed(["Payroll software for restaurants", "A", ""]))
    assert vectors.shape == (3, DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_cosine_with_itself_is_one_and_deterministic(embed):
    a, b = np.array(embed(["Cloud cost monitoring for Kubernetes teams"] * 2))
    assert float(a @ b) == pytest.approx(1.0, abs=1e-4)


def test_similar_sentences_are_closer_than_unrelated(embed):
    accounting, bookkeeping, bakery = np.array(
        embed(
            [
                "We build accounting software for small businesses.",
                "Bookkeeping and invoicing SaaS for SMB owners.",
                "Family bakery selling sourdough bread and croissants in Lyon.",
            ]
        )
    )
    assert accounting @ bookkeeping > accounting @ bakery + 0.15
    assert accounting @ bookkeeping > bookkeeping @ bakery + 0.15


def test_batching_does_not_change_results(embed):
    texts = ["short", "a much longer sentence about industrial robotics and automation", "x y z"]
    batched = np.array(MiniLMEmbedding(batch_size=1)(texts))
    together = np.array(MiniLMEmbedding(batch_size=8)(texts))
    np.testing.assert_allclose(batched, together, atol=1e-4)


def test_long_input_is_truncated_not_rejected(embed):
    vector = np.array(embed(["word " * 2000]))
    assert vector.shape == (1, DIMENSION)


def test_config_round_trip():
    ef = MiniLMEmbedding(batch_size=7, max_length=128)
    again = MiniLMEmbedding.build_from_config(ef.get_config())
    assert again.get_config() == {"batch_size": 7, "max_length": 128}
    assert not ef.is_legacy()
