"""Failures on demand (SPEC §5.4 ``/_qa/faults``): what a fault may say. Pure."""

from __future__ import annotations

import re

# Fault endpoint name -> the Flask endpoint it hits.
FAULT_ENDPOINTS = {
    "token": "oidc.token",
    "userinfo": "oidc.userinfo",
    "jwks": "oidc.jwks",
    "authorize": "oidc.authorize",
    "discovery": "oidc.discovery",
    "end_session": "oidc.end_session",
}
KINDS = ("error", "delay")
MAX_DELAY_MS = 30_000
MAX_COUNT = 1000
# RFC 6749 §5.2: error codes are printable ASCII without '"' and '\'; we keep to the usual form.
ERROR_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DEFAULT_ERROR = {503: "temporarily_unavailable", 429: "slow_down"}


def check_fault(spec: dict) -> tuple[str | None, dict]:
    """``(problem, fault)``: a field-named problem, or the fault with defaults filled in
    (kind ``error``, count 1, status 503)."""
    endpoint = spec.get("endpoint")
    if endpoint is None:
        return f"endpoint: missing; use one of {', '.join(FAULT_ENDPOINTS)}.", {}
    if endpoint not in FAULT_ENDPOINTS:
        return f"endpoint: use one of {', '.join(FAULT_ENDPOINTS)}.", {}
    # Without a kind a fault is an error: {"endpoint": "token", "status": 500} says enough.
    kind = spec.get("kind") or "error"
    if kind not in KINDS:
        return "kind: use 'error' or 'delay'.", {}
    count = spec.get("count", 1)
    if count is None:
        count = 1
    if not 1 <= count <= MAX_COUNT:
        return f"count: give a number of requests from 1 to {MAX_COUNT}.", {}
    fault = {"endpoint": endpoint, "kind": kind, "count": count}
    if kind == "delay":
        for name in ("status", "error"):
            if spec.get(name) is not None:
                return f"{name}: only an 'error' fault has a {name}.", {}
        delay = spec.get("delay_ms")
        if delay is None or not 1 <= delay <= MAX_DELAY_MS:
            return f"delay_ms: a delay fault needs milliseconds from 1 to {MAX_DELAY_MS}.", {}
        fault["delay_ms"] = delay
        return None, fault
    if spec.get("delay_ms") is not None:
        return "delay_ms: only a 'delay' fault has a delay.", {}
    status = spec.get("status", 503)
    if status is None:
        status = 503
    if not 400 <= status <= 599:
        return "status: an error fault answers with a 4xx or 5xx status.", {}
    error = spec.get("error") or DEFAULT_ERROR.get(
        status, "server_error" if status >= 500 else "invalid_request"
    )
    if not ERROR_CODE_RE.match(error):
        return (
            "error: an OAuth error code is lower case letters, digits and '_' "
            "(temporarily_unavailable, server_error, ...).",
            {},
        )
    fault.update(status=status, error=error)
    return None, fault
