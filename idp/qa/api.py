"""The /_qa HTTP API (SPEC §5.1): JSON in, JSON out, ``{error, detail}`` on 4xx.

It answers only when the server binds to loopback, or when ``qa.token`` is
set and sent as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, jsonify, request

from ..extensions import csrf, get_settings

bp = Blueprint("qa", __name__, url_prefix="/_qa")
csrf.exempt(bp)


class QAError(Exception):
    def __init__(self, status: int, error: str, detail: str):
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@bp.before_request
def _guard():
    settings = get_settings()
    token = settings["qa.token"]
    if token:
        scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
        # RFC 9110 §11.1: the scheme is case-insensitive.
        if scheme.lower() != "bearer" or not supplied.strip():
            raise QAError(
                401, "unauthorized", "Send the QA token as 'Authorization: Bearer <token>'."
            )
        # Bytes, so a token with non-ASCII characters is simply wrong, not an error.
        if not hmac.compare_digest(supplied.strip().encode(), token.encode()):
            raise QAError(403, "forbidden", "The QA token is wrong.")
        return None
    if not _is_loopback(settings["server.host"]):
        raise QAError(
            403,
            "forbidden",
            "The QA API is off: the server is not bound to loopback and qa.token is not set.",
        )
    return None


@bp.errorhandler(QAError)
def _qa_error(exc: QAError):
    return jsonify(error=exc.error, detail=exc.detail), exc.status


def json_body() -> dict:
    """The request's JSON object, or a 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise QAError(
            400, "invalid_request", "Send a JSON object with Content-Type: application/json."
        )
    return body


# Python type -> its name in JSON, the language of the request.
JSON_TYPE_NAMES = {str: "string", bool: "boolean", dict: "object", list: "array"}


def check_types(body: dict, allowed: dict) -> None:
    """400 for unknown fields or a value of the wrong JSON type."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise QAError(400, "invalid_request", f"Unknown field(s): {', '.join(unknown)}.")
    for name, kind in allowed.items():
        if name in body and body[name] is not None:
            value = body[name]
            if kind is int and isinstance(value, float) and value.is_integer():
                # JSON has one number type: 138.0 is the integer 138.
                value = body[name] = int(value)
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise QAError(400, "invalid_request", f"'{name}' must be a whole number.")
            if kind is not int and not isinstance(value, kind):
                kinds = kind if isinstance(kind, tuple) else (kind,)
                names = " or ".join(JSON_TYPE_NAMES.get(k, k.__name__) for k in kinds)
                article = "an" if names[0] in "aeio" else "a"
                raise QAError(400, "invalid_request", f"'{name}' must be {article} {names}.")
