"""``POST /_qa/tokens``: tokens without a browser (SPEC §5.4).

The answer is what the token endpoint would give after a code flow with these
choices; the tokens work at userinfo, introspection, revocation and refresh.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import jsonify
from pydantic import Field

from ..audit import record_event
from ..lifecycle.accounts import find_by_username
from ..lifecycle.clients import find_client
from ..oidc.clients import default_scopes
from ..oidc.direct_tokens import issue_tokens as issue_direct_tokens
from ..policy.claims import SCOPES_SUPPORTED
from ..policy.mfa import ACR_MULTI_FACTOR, ACR_VALUES_SUPPORTED, acr_for
from ..policy.scopes import with_default_scopes
from .api import QAError, bp, json_body
from .schemas import WHOLE, QARequest, Says, parse

MAX_EXPIRES_IN = 366 * 24 * 3600


class ClaimsRequest(QARequest):
    """An OIDC claims request (OpenID Connect Core §5.5)."""

    id_token: dict[str, Any] = None
    userinfo: dict[str, Any] = None


class TokenRequest(QARequest):
    """``POST /_qa/tokens``: whose tokens, for which portal, with which sign-in."""

    client_id: Annotated[str, Field(min_length=1)]
    username: Annotated[str, Field(min_length=1)]
    scope: Annotated[str, Field(examples=["openid profile portal"])] = None
    claims: Annotated[
        ClaimsRequest,
        Field(description="OIDC claims request (id_token, userinfo)"),
        Says("claims: an OIDC claims request has only 'id_token' and 'userinfo' members."),
    ] = None
    expires_in: Annotated[
        int,
        Field(ge=1, le=MAX_EXPIRES_IN),
        WHOLE,
        Says(f"expires_in: give seconds from 1 to {MAX_EXPIRES_IN}."),
    ] = None
    acr: Annotated[
        Literal[tuple(ACR_VALUES_SUPPORTED)],
        Says(f"acr: use one of {', '.join(ACR_VALUES_SUPPORTED)}."),
    ] = None
    amr: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=20)]],
        Field(min_length=1, max_length=10),
        Says('amr: give a list of 1 to 10 method names such as ["pwd", "mfa"].'),
    ] = None
    nonce: Annotated[
        str, Field(min_length=1, max_length=255), Says("nonce: give 1 to 255 characters.")
    ] = None


def _bad(field: str, text: str) -> QAError:
    return QAError(400, "invalid_request", f"{field}: {text}")


def _scope(body: dict, client) -> str:
    wanted = (body.get("scope") or "openid").split()
    unknown = [s for s in wanted if s not in SCOPES_SUPPORTED]
    if unknown:
        supported = " ".join(SCOPES_SUPPORTED)
        raise _bad("scope", f"unknown scope {unknown[0]!r} (supported: {supported}).")
    allowed = client.get_allowed_scope(" ".join(wanted)).split()
    refused = [s for s in wanted if s not in allowed]
    if refused:
        raise _bad("scope", f"client {client.client_id!r} may not ask for {refused[0]!r}.")
    # What a code flow would grant: the client's default scopes join an OIDC request.
    return " ".join(dict.fromkeys(with_default_scopes(wanted, default_scopes(client))))


def issue_for(body: dict) -> dict:
    """Check a ``/_qa/tokens`` request and issue its tokens; QAError names a bad field."""
    body = parse(TokenRequest, body)
    client = find_client(body["client_id"])
    if client is None:
        raise QAError(404, "not_found", f"client_id: no registered client {body['client_id']!r}.")
    user = find_by_username(body["username"])
    if user is None:
        raise QAError(
            404, "not_found", f"username: no user with One Healthcare ID {body['username']!r}."
        )
    if user.deactivated_at is not None:
        raise QAError(409, "conflict", f"username: {user.username} is deactivated.")
    scope = _scope(body, client)
    amr, acr = body.get("amr"), body.get("acr")
    if amr is None and acr == ACR_MULTI_FACTOR:
        # Multi-factor asked for without saying how: a password and a one-time code.
        amr = ["pwd", "otp", "mfa"]
    acr = acr or (acr_for(amr) if amr else None)
    token = issue_direct_tokens(
        client,
        user,
        scope,
        claims_request=body.get("claims"),
        acr=acr,
        amr=amr,
        nonce=body.get("nonce"),
        expires_in=body.get("expires_in"),
    )
    record_event("qa_tokens_issued", user, client_id=client.client_id, scope=scope)
    return token


@bp.post("/tokens")
def issue_tokens():
    """Issue ID, access and (when allowed) refresh tokens for a user and client."""
    return jsonify(issue_for(json_body()))
