"""QA clients: list, register, read, change in place, remove (``/_qa/clients``).

Changing a client revokes nothing; removing one revokes its tokens and users'
consent, as ``mock-ohid clients remove`` does. Resource-server fields
(``introspect_any``, ``resource_servers``) may be set here, unlike at the
anonymous ``/register``.
"""

from __future__ import annotations

from flask import jsonify

from ..extensions import db
from ..lifecycle.clients import find_client
from ..oidc.clients import (
    EDITABLE_LISTS,
    ClientConfigError,
    client_details,
    new_client_secret,
    register_client,
    remove_client,
    update_client,
)
from .api import QAError, bp, check_types, json_body

_LIST_TYPES = {f"{verb}_{name}": list for name in EDITABLE_LISTS for verb in ("add", "remove")}
_SETTABLE_TYPES = {
    "client_name": str,
    "token_endpoint_auth_method": str,
    "strict_auth_method": bool,
    "trusted": bool,
    "require_phone": bool,
    "scope": str,
    "default_scopes": list,
    "grant_types": list,
    "access_token_format": str,
    "access_token_typ": str,
    "access_token_audience": (str, list),
    "introspect_any": bool,
    "resource_servers": list,
    "backchannel_logout_uri": str,
}
UPDATE_FIELDS = {**_LIST_TYPES, **_SETTABLE_TYPES, "client_secret": str, "new_secret": bool}
CREATE_FIELDS = {
    **_SETTABLE_TYPES,
    "client_id": str,
    "client_secret": str,
    "redirect_uris": list,
    "post_logout_redirect_uris": list,
    "allowed_origins": list,
    "response_types": list,
    "id_token_signed_response_alg": str,
    "jwks": dict,
    "jwks_uri": str,
    "scope_claims": dict,
}


def _client_or_404(client_id: str):
    client = find_client(client_id)
    if client is None:
        raise QAError(404, "not_found", f"No client {client_id!r}.")
    return client


def _check(body: dict, allowed: dict) -> None:
    for name, kind in allowed.items():
        value = body.get(name)
        if isinstance(kind, tuple) and value is not None and not isinstance(value, kind):
            raise QAError(400, "invalid_request", f"'{name}' must be a string or a list.")
    check_types(body, {k: (object if isinstance(v, tuple) else v) for k, v in allowed.items()})


@bp.get("/clients")
def list_clients():
    """Every registered client, as ``GET /_qa/clients/<id>`` shows it."""
    from ..models import OAuth2Client

    rows = db.session.execute(db.select(OAuth2Client).order_by(OAuth2Client.client_id))
    return jsonify([client_details(c) for c in rows.scalars()])


@bp.post("/clients")
def create_client():
    """Register a client (fields as in clients.toml); a secret is generated when needed."""
    body = json_body()
    _check(body, CREATE_FIELDS)
    if not isinstance(body.get("client_id"), str) or not body["client_id"]:
        raise QAError(400, "invalid_request", "Missing field(s): client_id.")
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
        db.session.rollback()
        raise QAError(400, "invalid_request", str(exc)) from None
    db.session.commit()
    answer = client_details(client)
    if generated:
        answer["client_secret"] = generated
    return jsonify(answer), 201


@bp.get("/clients/<client_id>")
def get_client(client_id: str):
    return jsonify(client_details(_client_or_404(client_id)))


@bp.patch("/clients/<client_id>")
def patch_client(client_id: str):
    """Change a client in place (add/remove URIs and origins, set fields); nothing is revoked."""
    client = _client_or_404(client_id)
    body = json_body()
    _check(body, UPDATE_FIELDS)
    if not body:
        raise QAError(400, "invalid_request", "Send at least one field to change.")
    try:
        shown = update_client(client, body)
    except ClientConfigError as exc:
        db.session.rollback()
        raise QAError(400, "invalid_request", str(exc)) from None
    db.session.commit()
    answer = client_details(client)
    if shown:
        answer["client_secret"] = shown
    return jsonify(answer)


@bp.delete("/clients/<client_id>")
def delete_client(client_id: str):
    """Remove a client, revoking its tokens and users' consent to it."""
    _client_or_404(client_id)
    remove_client(client_id)
    return "", 204
