"""QA clients: list, register, read, change in place, remove (``/_qa/clients``).

Changing a client revokes nothing; removing one revokes its tokens and users'
consent, as ``mock-ohid clients remove`` does. Resource-server fields
(``introspect_any``, ``resource_servers``) may be set here, unlike at the
anonymous ``/register``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import jsonify
from pydantic import Field, create_model, model_validator

from ..lifecycle.clients import find_client
from ..oidc.access_tokens import FORMATS, TYPES
from ..oidc.clients import (
    AUTH_METHODS,
    EDITABLE_LISTS,
    ClientConfigError,
    client_details,
    new_client_secret,
    register_client,
    remove_client,
    update_client,
)
from ..oidc.id_tokens import ID_TOKEN_ALGS
from ..store import oauth as oauth_store
from .api import QAError, bp, json_body
from .schemas import QARequest, Says, parse, rule_broken


def _one_of(name: str, allowed) -> Says:
    return Says(f"{name} must be one of {', '.join(allowed)}.")


class _ClientSettings(QARequest):
    """What a client's entry in clients.toml sets, as the QA API takes it."""

    client_name: str = None
    token_endpoint_auth_method: Annotated[
        Literal[tuple(AUTH_METHODS)], _one_of("token_endpoint_auth_method", AUTH_METHODS)
    ] = None
    strict_auth_method: Annotated[
        bool,
        Field(description="Take the secret only by the registered method (default: Basic or body)"),
    ] = None
    trusted: bool = None
    require_phone: bool = None
    scope: Annotated[str | None, Field(description="Scopes it may ask for")] = None
    default_scopes: Annotated[
        list[str] | None,
        Field(description="Added to its OpenID Connect requests (null: clients.default_scopes)"),
    ] = None
    grant_types: list[str] = None
    access_token_format: Annotated[
        Literal[tuple(FORMATS)] | None, _one_of("access_token_format", FORMATS)
    ] = None
    access_token_typ: Annotated[
        Literal[tuple(TYPES)] | None, _one_of("access_token_typ", TYPES)
    ] = None
    access_token_audience: Annotated[
        str | list[str] | None,
        Says("'access_token_audience' must be a string or a list.", on_type=True),
    ] = None
    introspect_any: Annotated[
        bool, Field(description="A resource server: may introspect every client's tokens")
    ] = None
    resource_servers: Annotated[
        list[str], Field(description="Client ids that may introspect this client's tokens")
    ] = None
    backchannel_logout_uri: str | None = None


class NewClient(_ClientSettings):
    """``POST /_qa/clients``: a client registered as clients.toml would (secret generated)."""

    client_id: Annotated[str, Field(min_length=1)]
    client_secret: str = None
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = None
    allowed_origins: list[str] = None
    response_types: list[str] = None
    id_token_signed_response_alg: Annotated[
        Literal[tuple(ID_TOKEN_ALGS)],
        Says(f"id_token_signed_response_alg must be {' or '.join(ID_TOKEN_ALGS)}."),
    ] = None
    jwks: dict[str, Any] = None
    jwks_uri: str = None
    scope_claims: dict[str, Any] = None


class _ChangesBase(_ClientSettings):
    client_secret: str = None
    new_secret: Annotated[bool, Field(description="Generate a new secret (in the answer)")] = None

    @model_validator(mode="after")
    def _names_a_change(self):
        if not self.model_fields_set:
            raise rule_broken("Send at least one field to change.")
        return self


_VERBS = ("add", "remove")
ClientChanges = create_model(
    "ClientChanges",
    __base__=_ChangesBase,
    __doc__="``PATCH /_qa/clients/<client_id>``: add or remove URIs and origins, set fields.",
    **{
        f"{verb}_{name}": (list[str], None) for name in EDITABLE_LISTS for verb in ("add", "remove")
    },
)


def _client_or_404(client_id: str):
    client = find_client(client_id)
    if client is None:
        raise QAError(404, "not_found", f"No client {client_id!r}.")
    return client


@bp.get("/clients")
def list_clients():
    """Every registered client, as ``GET /_qa/clients/<id>`` shows it."""
    return jsonify([client_details(c) for c in oauth_store.all_clients()])


def register_qa_client(body: dict) -> dict:
    """Register a client from checked ``NewClient`` fields; its details (and a generated
    secret, shown once)."""
    if find_client(body["client_id"]) is not None:
        raise QAError(409, "conflict", f"client {body['client_id']!r} already exists.")
    entry = dict(body)
    method = entry.get("token_endpoint_auth_method", "client_secret_basic")
    generated = None
    if method in ("client_secret_basic", "client_secret_post") and not entry.get("client_secret"):
        generated = entry["client_secret"] = new_client_secret()
    try:
        client = register_client(entry, source="qa", replace=False)
    except ClientConfigError as exc:
        raise QAError(400, "invalid_request", str(exc)) from None
    answer = client_details(client)
    if generated:
        answer["client_secret"] = generated
    return answer


def change_qa_client(client, body: dict) -> dict:
    """Apply checked ``ClientChanges`` to ``client``; its details (and a new secret)."""
    try:
        shown = update_client(client, body)
    except ClientConfigError as exc:
        raise QAError(400, "invalid_request", str(exc)) from None
    answer = client_details(client)
    if shown:
        answer["client_secret"] = shown
    return answer


@bp.post("/clients")
def create_client():
    """Register a client (fields as in clients.toml); a secret is generated when needed."""
    return jsonify(register_qa_client(parse(NewClient, json_body()))), 201


@bp.get("/clients/<client_id>")
def get_client(client_id: str):
    return jsonify(client_details(_client_or_404(client_id)))


@bp.patch("/clients/<client_id>")
def patch_client(client_id: str):
    """Change a client in place (add/remove URIs and origins, set fields); nothing is revoked."""
    client = _client_or_404(client_id)
    return jsonify(change_qa_client(client, parse(ClientChanges, json_body())))


@bp.delete("/clients/<client_id>")
def delete_client(client_id: str):
    """Remove a client, revoking its tokens and users' consent to it."""
    _client_or_404(client_id)
    remove_client(client_id)
    return "", 204
