"""A fake OpenAI-compatible ``/v1/chat/completions`` server (uvicorn, asyncio) on 127.0.0.1 for
benchmarks: waits a fixed latency, answers a valid tool call for the first offered tool's JSON
schema (strings drawn from the prompt, URLs from the prompt's URLs) and reports token usage."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from typing import Any

import uvicorn

_URL = re.compile(r"https?://[^\s\"'<>)\]]+")
_SENTENCE = re.compile(r"[A-Z][^.!?\n{}<>\"]{30,200}[.!?]")
_FALLBACK_SENTENCE = "The company builds software for small teams."


class SchemaFiller:
    """Builds arguments that validate against a (pydantic-generated) JSON schema."""

    def __init__(self, prompt: str) -> None:
        self.urls = _URL.findall(prompt) or ["https://example.com/"]
        self.sentences = [s.strip() for s in _SENTENCE.findall(prompt)] or [_FALLBACK_SENTENCE]
        self._n = 0

    def _next(self, items: list[str]) -> str:
        self._n += 1
        return items[self._n % len(items)]

    def value(self, schema: dict, defs: dict, name: str = "") -> Any:
        if "$ref" in schema:
            return self.value(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
        if "anyOf" in schema:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            return self.value(options[0], defs, name) if options else None
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type", "string")
        if kind == "object":
            return {key: self.value(sub, defs, key) for key, sub in schema.get("properties", {}).items()}
        if kind == "array":
            return [self.value(schema.get("items", {}), defs, name) for _ in range(2)]
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            low, high = schema.get("minimum", 0), schema.get("maximum", 100)
            number = low + (high - low) * 0.7
            return round(number) if kind == "integer" else round(number, 2)
        return self.text(name)

    def text(self, name: str) -> str:
        lowered = name.lower()
        if "url" in lowered:
            return self._next(self.urls)
        if lowered in ("subject", "title"):
            return " ".join(self._next(self.sentences).split()[:6]).rstrip(".,;:")
        if lowered == "body":
            return "Hi,\n\n" + " ".join(self._next(self.sentences) for _ in range(3))
        if lowered == "angle":
            return "product"
        return self._next(self.sentences)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeOpenAI:
    """``with FakeOpenAI(latency_ms=300) as llm_server:`` then ``ChatOpenAI(base_url=llm_server.base_url)``."""

    def __init__(self, latency_ms: float = 300.0) -> None:
        self.latency = latency_ms / 1000.0
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.max_in_flight = 0
        self._in_flight = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                access_log=False, interface="asgi3")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}/v1"

    def completion(self, body: dict) -> dict:
        tool = body["tools"][0]["function"]
        prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
        parameters = tool.get("parameters", {})
        args = SchemaFiller(prompt).value(parameters, parameters.get("$defs", {}))
        arguments = json.dumps(args)
        prompt_tokens = _tokens(prompt) + _tokens(json.dumps(body["tools"]))
        completion_tokens = _tokens(arguments) + 8
        self.calls += 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        return {
            "id": f"chatcmpl-bench-{self.calls}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", "bench-fake"),
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": None,
                "tool_calls": [{"id": f"call_{self.calls}", "type": "function",
                                "function": {"name": tool["name"], "arguments": arguments}}]}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }

    async def app(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        if scope["method"] != "POST" or scope["path"].rstrip("/") != "/v1/chat/completions":
            return await self._reply(send, 404, {"error": {"message": "not found"}})
        try:
            body = json.loads(b"".join(chunks) or b"{}")
        except json.JSONDecodeError:
            return await self._reply(send, 400, {"error": {"message": "body is not JSON"}})
        if not body.get("tools"):
            return await self._reply(send, 400, {"error": {"message": "only tool calls are answered"}})
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self._in_flight -= 1
        await self._reply(send, 200, self.completion(body))

    @staticmethod
    async def _reply(send: Any, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()
