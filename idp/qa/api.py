"""The /_qa HTTP API (SPEC §5.1): JSON in, JSON out, ``{error, detail}`` on 4xx.

It answers only when the server binds to loopback, or when ``qa.token`` is
set and sent as ``Authorization: Bearer <token>``. A developer's browser is
the threat: any page it opens may send requests here. So everything under
/_qa (the API, the dev inbox, the debugger):

- answers only a ``Host`` of localhost, 127.0.0.1, [::1], the issuer's host or
  a name in ``qa.allowed_hosts`` (a page whose own name re-resolves to
  127.0.0.1, DNS rebinding, is refused);
- refuses a request whose ``Origin`` is another site's (or ``null``);
- takes state changes of the JSON API only as ``application/json``, which a
  page on another origin cannot send without a CORS preflight, never granted
  here. The HTML pages (:func:`form_page`) keep their forms, each with a CSRF
  token.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request

from ..extensions import csrf, get_settings
from ..policy.fetch_rules import normal_host

bp = Blueprint("qa", __name__, url_prefix="/_qa")
csrf.exempt(bp)


STATE_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_PAGE = "qa_form_page"


class QAError(Exception):
    def __init__(self, status: int, error: str, detail: str):
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def form_page(view):
    """Mark a view under /_qa as an HTML page whose forms carry a CSRF token."""
    setattr(view, _FORM_PAGE, True)
    return view


def _is_form_page() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _FORM_PAGE, False))


def _host_name(host: str) -> str:
    """The name part of a ``Host`` header (no port)."""
    host = host.strip()
    if host.startswith("["):
        return normal_host(host.split("]", 1)[0] + "]")
    return normal_host(host.rsplit(":", 1)[0] if host.count(":") == 1 else host)


def _check_host() -> None:
    host = request.headers.get("Host", "")
    if _host_name(host) not in get_settings().qa_hosts:
        raise QAError(
            403,
            "forbidden",
            f"/_qa answers only requests addressed to localhost, 127.0.0.1, [::1] or the "
            f"issuer's host, not {host[:100]!r}; qa.allowed_hosts can allow more names.",
        )


def _check_origin() -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return
    issuer = urlsplit(get_settings().issuer)
    parts = urlsplit(origin)
    same = origin != "null" and (
        parts.netloc.lower() == request.headers.get("Host", "").strip().lower()
        or (parts.scheme, parts.netloc.lower()) == (issuer.scheme, issuer.netloc.lower())
    )
    if not same:
        raise QAError(
            403,
            "forbidden",
            f"/_qa does not answer requests from another web page (Origin {origin[:100]!r}).",
        )


def _check_json_change() -> None:
    # No route matched: the 404 or 405 (with its Allow) says more.
    if request.method not in STATE_CHANGES or request.url_rule is None or _is_form_page():
        return
    # DELETE carries no body; a browser must preflight it from another origin anyway.
    if request.method == "DELETE" and not request.content_type:
        return
    if request.mimetype != "application/json":
        raise QAError(
            415,
            "unsupported_media_type",
            "The QA API takes changes as JSON only: send Content-Type: application/json "
            "(a request without fields may send {}).",
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@bp.record_once
def _install_guard(state) -> None:
    # First of all the app's hooks: before the CSRF check, so that a request
    # from a foreign Host or Origin gets its 403 whatever else is wrong with it.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _guard)


def _guard():
    """The checks every request under /_qa passes, in this order."""
    if request.path != "/_qa" and not request.path.startswith("/_qa/"):
        return None
    _check_host()
    _check_origin()
    settings = get_settings()
    token = settings.qa.token
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
    elif not _is_loopback(settings.server.host):
        raise QAError(
            403,
            "forbidden",
            "The QA API is off: the server is not bound to loopback and qa.token is not set.",
        )
    _check_json_change()
    return None


@bp.after_request
def _same_origin_referrer(response):
    # The pages' own form posts then carry their real Origin (under the app's
    # no-referrer policy a browser sends "Origin: null", which is refused).
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.app_errorhandler(QAError)
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
