"""Response modes of the authorization response: ``query`` (RFC 6749 §4.1.2, the
default) and ``form_post`` (OAuth 2.0 Form Post Response Mode), errors included."""

from __future__ import annotations

from flask import render_template

from ..extensions import get_settings

RESPONSE_MODES = ["query", "form_post"]


def form_post(redirect_uri: str, params: list[tuple[str, str]]) -> tuple[int, str, list]:
    """An auto-submitting form carrying ``params`` and ``iss`` (RFC 9207 §2) to the client.

    Form Post Response Mode §2: the values go in the body of a POST to the
    redirect URI, never in its query.
    """
    params = [*params, ("iss", get_settings().issuer)]
    body = render_template("oidc/form_post.html", redirect_uri=redirect_uri, params=params)
    return 200, body, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
