"""Refuses requests carrying NUL characters (path, query, JSON or form body) with a 422: PostgreSQL
text cannot hold them, so they would otherwise fail deep inside a transaction as a 500."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

# A JSON \u0000 escape preceded by an even number of backslashes (an odd number escapes the
# backslash itself: ``"\\u0000"`` is the six characters \u0000, not NUL).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_ENCODED_NUL = re.compile(rb"%00")


def _nul_in_body(content_type: str, body: bytes) -> bool:
    if content_type.startswith("multipart/"):
        return False  # file parts may be binary; the text fields are short and rare
    if b"\x00" in body:
        return True
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _ENCODED_NUL.search(body) is not None
    return "json" in content_type and _JSON_NUL.search(body) is not None


class RejectNulCharacters:
    """ASGI middleware: reads the body (already capped by BodySizeLimit), checks, then replays it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _ENCODED_NUL.search(scope["query_string"]) or (
            b"\x00" in scope["query_string"]
        ):
            await self._refuse(scope, receive, send, "the URL")
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1").lower()
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if _nul_in_body(content_type, body):
            await self._refuse(scope, receive, send, "the request body")
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, where: str) -> None:
        response = problem(422, "Invalid input",
                           f"{where} contains a NUL character (\\u0000), which text fields cannot hold")
        await response(scope, receive, send)
