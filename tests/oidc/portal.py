"""A portal's side of the code flow through the Flask test client."""

from __future__ import annotations

import base64

from joserfc import jwt
from joserfc.jwk import KeySet

from tests.helpers import authorize_url, csrf_token, follow_to_portal, pkce_pair, query_of

CLAIMS_ONLINE = (
    "optum-connect-claims-online",
    "claims-online-demo-secret",
    "http://localhost:5001/callback",
)


def basic_auth(client_id: str, secret: str) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def get_code(
    client,
    sign_in,
    username="dana.provider",
    password="Password1",
    client_id=CLAIMS_ONLINE[0],
    redirect_uri=CLAIMS_ONLINE[2],
    **params,
):
    """Start at /authorize, sign in if asked, and return the redirect's query."""
    response = client.get(authorize_url(client_id, redirect_uri, **params))
    if (
        response.headers["Location"].startswith("/signin")
        or "/signin?" in response.headers["Location"]
    ):
        # The sign-in's own response answers the portal.
        response = sign_in(username, password)
    location = response.headers["Location"]
    assert location.startswith(redirect_uri), location
    return query_of(location)


def exchange(
    client,
    code,
    verifier=None,
    client_id=CLAIMS_ONLINE[0],
    secret=CLAIMS_ONLINE[1],
    redirect_uri=CLAIMS_ONLINE[2],
):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    headers = basic_auth(client_id, secret) if secret else {}
    if not secret:
        data["client_id"] = client_id
    return client.post("/token", data=data, headers=headers)


def decode_id_token(client, id_token: str) -> dict:
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256"])
    return {"header": token.header, "claims": token.claims}


__all__ = [
    "CLAIMS_ONLINE",
    "add_client",
    "allow_consent",
    "basic_auth",
    "decode_id_token",
    "exchange",
    "get_code",
    "pkce_pair",
]


def add_client(**entry):
    """Register a client for one test (validated like clients.toml); returns its row."""
    from idp.oidc.clients import register_client
    from idp.store import db

    entry.setdefault("client_name", entry["client_id"])
    client = register_client(entry, source="test")
    db.session.commit()
    return client


def allow_consent(client, response):
    """On the "Share my One Healthcare ID" page, press Allow; return the response."""
    assert response.headers["Location"].endswith("/consent"), response.headers.get("Location")
    page = client.get("/consent")
    assert "Share my One Healthcare ID" in page.get_data(as_text=True)
    answer = client.post("/consent", data={"csrf_token": csrf_token(page.data), "allow": "Allow"})
    return follow_to_portal(client, answer)
