"""OpenID Connect Back-Channel Logout 1.0: telling portals that a session ended.

When an SSO session ends, every client that received a code in that session
and registered a ``backchannel_logout_uri`` gets a *logout token* POSTed to
it (§2.5). Delivery is best effort with a short timeout: a portal that is down
never stops the user from signing out. Only loopback URIs are called, as this
sandbox reaches nothing else; every attempt is an audit event.
"""

from __future__ import annotations

import secrets

from joserfc import jwt

from ..audit import record_event
from ..extensions import db, get_clock, get_key_store, get_settings
from ..lifecycle.clients import find_client
from ..models import AuthorizationCode, OAuth2Client, SsoSession
from .client_auth import is_loopback_url

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
DELIVERY_TIMEOUT_SECONDS = 2
LOGOUT_TOKEN_SECONDS = 120


def logout_token(client: OAuth2Client, sso: SsoSession) -> str:
    """A signed logout token (§2.4) for ``client`` about session ``sso``."""
    alg = client.id_token_signed_response_alg or "RS256"
    key = get_key_store().signing_key(alg, get_clock().now())
    # Real time: the portal checks iat/exp with its own clock (SPEC §5.1).
    issued = get_clock().real_timestamp()
    claims = {
        "iss": get_settings().issuer,
        "sub": sso.user.sub,
        "aud": client.client_id,
        "iat": issued,
        "exp": issued + LOGOUT_TOKEN_SECONDS,
        "jti": secrets.token_urlsafe(24),
        "sid": sso.id,
        # §2.4: the events claim with an empty object; a nonce MUST NOT be present.
        "events": {LOGOUT_EVENT: {}},
    }
    # §2.4 recommends explicit typing so a logout token can never pass as an ID token.
    header = {"alg": alg, "kid": key.kid, "typ": "logout+jwt"}
    return jwt.encode(header, claims, key.private_key(), algorithms=[alg])


def clients_to_notify(sso: SsoSession) -> list[OAuth2Client]:
    """Clients that got a code in session ``sso`` and want back-channel logouts."""
    client_ids = db.session.execute(
        db.select(AuthorizationCode.client_id).filter_by(sid=sso.id).distinct()
    ).scalars()
    clients = []
    for client_id in sorted(client_ids):
        client = find_client(client_id)
        if client is not None and client.client_metadata.get("backchannel_logout_uri"):
            clients.append(client)
    return clients


def send_backchannel_logouts(sso: SsoSession) -> list[dict]:
    """POST a logout token to every interested client; return what happened to each."""
    # Imported on first use: start-up does not pay for an HTTP client it may never use.
    import requests

    outcomes = []
    for client in clients_to_notify(sso):
        uri = client.client_metadata["backchannel_logout_uri"]
        outcome = {"client_id": client.client_id, "uri": uri, "sid": sso.id}
        if not is_loopback_url(uri):
            outcome["result"] = "skipped: not a loopback URI"
        else:
            try:
                response = requests.post(
                    uri,
                    data={"logout_token": logout_token(client, sso)},
                    timeout=DELIVERY_TIMEOUT_SECONDS,
                    allow_redirects=False,
                )
                outcome["result"] = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                outcome["result"] = f"failed: {type(exc).__name__}"
        record_event("backchannel_logout", sso.user, **outcome)
        outcomes.append(outcome)
    db.session.commit()
    return outcomes
