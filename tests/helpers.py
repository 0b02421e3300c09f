"""Helpers shared by flow tests: CSRF tokens, PKCE, authorization URLs."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str | bytes) -> str:
    """The CSRF token of the first form on a page."""
    text = html.decode() if isinstance(html, bytes) else html
    match = CSRF_RE.search(text)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_url(
    client_id="optum-connect-claims-online", redirect_uri="http://localhost:5001/callback", **extra
) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile email",
    }
    params.update({k: v for k, v in extra.items() if v is not None})
    return "/authorize?" + urlencode(params)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def begin_registrant_sign_in(client, user) -> None:
    """Make ``client``'s browser a registrant part-way through Create One Healthcare ID
    (account made, password step done), as the registration page leaves it."""
    from idp.lifecycle.interactions import begin_interaction, begin_sign_in

    interaction = begin_interaction(None, {})
    begin_sign_in(interaction, user.id, ["pwd"], registration=True)
    with client.session_transaction() as state:
        state["interaction"] = interaction.uid
