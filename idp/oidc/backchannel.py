"""OpenID Connect Back-Channel Logout 1.0: telling portals that a session ended.

When an SSO session ends, every client that received a code in that session
and registered a ``backchannel_logout_uri`` gets a *logout token* POSTed to
it (§2.5). Delivery is best effort: all portals are called at once, under the
server's fetch rules (:mod:`idp.fetch`), and the whole delivery has one
deadline, so a slow or silent portal never holds the user's sign-out longer
than ``DELIVERY_SECONDS``. Every attempt is an audit event.
"""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt

from ..audit import record_event
from ..extensions import get_clock, get_key_store, get_settings
from ..fetch import FetchError, FetchRefused, fetch
from ..lifecycle.clients import find_client
from ..store import oauth as oauth_store
from ..store.models import OAuth2Client, SsoSession
from ..store.units import unit_of_work

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# The most a sign-out waits for all portals together.
DELIVERY_SECONDS = 2
# A portal's answer is not needed beyond its status.
ANSWER_MAX_BYTES = 4096
JOIN_GRACE_SECONDS = 0.2
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
    client_ids = oauth_store.client_ids_of_session(sso.id)
    clients = []
    for client_id in sorted(client_ids):
        client = find_client(client_id)
        if client is not None and client.client_metadata.get("backchannel_logout_uri"):
            clients.append(client)
    return clients


def _deliver(uri: str, token: str, seconds: float, rule, outcome: dict) -> None:
    """POST one logout token (§2.5); the result goes into ``outcome``."""
    try:
        answer = fetch(
            uri,
            rule=rule,
            seconds=seconds,
            max_bytes=ANSWER_MAX_BYTES,
            method="POST",
            body=urlencode({"logout_token": token}).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        outcome["result"] = f"HTTP {answer.status}"
    except FetchRefused as exc:
        outcome["result"] = f"refused: {exc}"
    except FetchError as exc:
        outcome["result"] = f"failed: {exc}"


def send_backchannel_logouts(sso: SsoSession) -> list[dict]:
    """POST a logout token to every interested client at once; return what happened to each.

    Waits at most ``DELIVERY_SECONDS`` in all: each delivery has what is left of
    that deadline, and one still running at its end is recorded as such.
    """
    rule = get_settings().fetch_rule
    # Signed first, so that the deadline covers only the waiting.
    tokens = [(client, logout_token(client, sso)) for client in clients_to_notify(sso)]
    deadline = time.monotonic() + DELIVERY_SECONDS
    deliveries = []
    for client, token in tokens:
        uri = client.client_metadata["backchannel_logout_uri"]
        outcome = {"client_id": client.client_id, "uri": uri, "sid": sso.id}
        worker = threading.Thread(
            target=_deliver,
            args=(uri, token, DELIVERY_SECONDS, rule, outcome),
            name="backchannel-logout",
            daemon=True,
        )
        worker.start()
        deliveries.append((outcome, worker))
    outcomes = []
    # Background work, its own unit of work: what the deliveries did is committed
    # once all of them have answered or run out of time.
    with unit_of_work():
        for outcome, worker in deliveries:
            # A moment past the deadline: each fetch stops itself at it.
            worker.join(max(0.0, deadline + JOIN_GRACE_SECONDS - time.monotonic()))
            # Copied: a delivery still running may yet write into its own dict.
            outcome = dict(outcome)
            outcome.setdefault("result", f"failed: no answer within {DELIVERY_SECONDS} s")
            record_event("backchannel_logout", sso.user, **outcome)
            outcomes.append(outcome)
    return outcomes
