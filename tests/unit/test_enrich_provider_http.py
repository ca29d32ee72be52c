"""How the provider client reads the documented error bodies and rate-limit headers."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tools.enrich.hunter import hunter_error_kind
from tools.enrich.provider_http import error_message, kind_for_status, rate_limit_wait
from tools.sources.brave import brave_error_kind


def test_messages_from_each_documented_error_body():
    hunter = {"errors": [{"id": "wrong_params", "code": 400, "details": "You are missing the domain parameter"}]}
    pdl = {"status": 404, "error": {"type": "not_found", "message": "No records were found matching your request"}}
    brave = {"type": "ErrorResponse", "error": {"code": "SUBSCRIPTION_TOKEN_INVALID",
                                                "detail": "The provided subscription token is invalid."}}
    brave_listed = {"type": "ErrorResponse", "errors": [{"code": "RATE_LIMITED",
                                                         "detail": "Request rate limit exceeded for plan."}]}
    assert error_message(hunter) == "You are missing the domain parameter"
    assert error_message(pdl) == "No records were found matching your request"
    assert error_message(brave) == "The provided subscription token is invalid."
    assert error_message(brave_listed) == "Request rate limit exceeded for plan."
    assert error_message({"error": "No query"}) == "No query"  # SearXNG
    assert error_message("Too Many\n  Requests") == "Too Many Requests" and error_message("") == "no details"


@pytest.mark.parametrize(("headers", "wait"), [
    ({"Retry-After": "7"}, 7.0),
    ({"X-RateLimit-Remaining": "0, 14000", "X-RateLimit-Reset": "1, 1419704"}, 1.0),  # Brave: second spent
    ({"X-RateLimit-Remaining": "1, 0", "X-RateLimit-Reset": "1, 1419704"}, 1419704.0),  # Brave: month spent
    ({"X-RateLimit-Reset": "3, 100"}, 3.0),
    ({}, None),
    ({"X-RateLimit-Reset": "soon"}, None),
])
def test_rate_limit_wait(headers, wait):
    assert rate_limit_wait(httpx.Headers(headers)) == wait


def test_pdl_reset_is_a_utc_timestamp():
    reset = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    wait = rate_limit_wait(httpx.Headers({"x-ratelimit-reset": reset}))
    assert wait is not None and 28 <= wait <= 30
    past = rate_limit_wait(httpx.Headers({"x-ratelimit-reset": "2022-02-23T20:19:55Z"}))
    assert past == 0.0


def test_provider_status_conventions():
    assert [kind_for_status(s) for s in (400, 401, 402, 403, 404, 429, 503)] == [
        "bad_request", "auth", "quota_exhausted", "auth", "not_found", "rate_limited", "server"]
    # Hunter: 403 is the throttle, 429 the spent plan.
    assert (hunter_error_kind(403, {}), hunter_error_kind(429, {}), hunter_error_kind(401, {})) == (
        "rate_limited", "quota_exhausted", None)
    # Brave: the code in the body decides, not the status.
    assert brave_error_kind(422, {"error": {"code": "SUBSCRIPTION_TOKEN_INVALID"}}) == "auth"
    assert brave_error_kind(429, {"error": {"code": "QUOTA_LIMITED"}}) == "quota_exhausted"
    assert brave_error_kind(429, {"errors": [{"code": "RATE_LIMITED"}]}) == "rate_limited"
    missing = {"error": {"code": "VALIDATION", "meta": {"errors": [{"loc": ["header", "x-subscription-token"]}]}}}
    assert brave_error_kind(422, missing) == "auth"
    assert brave_error_kind(422, {"error": {"code": "VALIDATION", "meta": {"errors": [{"loc": ["query", "q"]}]}}}) is None
    assert brave_error_kind(502, "<html>Bad gateway</html>") is None
