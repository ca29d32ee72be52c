"""Errors as RFC 9457 problem details: typed product errors, validation, HTTP errors and crashes."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.rate_limits import RateLimitExceeded
from core.errors import LeadgenError

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 413: "Request body too large", 415: "Unsupported media type",
           422: "Invalid input", 429: "Too many requests", 500: "Internal error"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None,
            **extra: object) -> JSONResponse:
    body = {"type": f"urn:leadgen:problem:{_slug(title)}", "title": title, "detail": detail,
            "status": status, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _leadgen_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LeadgenError)
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimitExceeded):
        headers["Retry-After"] = str(exc.retry_after)
    return problem(exc.status, exc.title, exc.detail, headers or None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": err.get("msg", ""),
         "type": err.get("type", "")}
        for err in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    return problem(422, "Invalid input", detail or "the request is not valid", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = _TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem(exc.status_code, title, detail, dict(exc.headers) if exc.headers else None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "the server failed to handle the request")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LeadgenError, _leadgen_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
