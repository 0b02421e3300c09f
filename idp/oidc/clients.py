"""Client (portal) registrations: loaded from clients.toml, added by the CLI."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..extensions import db, now
from ..lifecycle.clients import find_client
from ..lifecycle.tokens import revoke_tokens_of_client
from ..models import ConsentGrant, OAuth2Client
from ..policy.client_metadata import is_uri_text
from ..policy.portal_claims import check_scope_claims
from ..security.digests import token_digest
from .claims import SCOPES_SUPPORTED
from .cors import is_origin

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none", "private_key_jwt")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
_KNOWN_KEYS = {
    "client_id",
    "client_name",
    "client_secret",
    "redirect_uris",
    "post_logout_redirect_uris",
    "token_endpoint_auth_method",
    "trusted",
    "require_phone",
    "grant_types",
    "response_types",
    "scope",
    "id_token_signed_response_alg",
    "backchannel_logout_uri",
    "jwks",
    "jwks_uri",
    "allowed_origins",
    "scope_claims",
}


class ClientConfigError(ValueError):
    """A client registration is invalid; the message says which and why.

    ``public`` is the same without the offending value, for answers to callers
    whose value it is (dynamic registration).
    """

    def __init__(self, message: str, public: str | None = None):
        super().__init__(message)
        self.public = public or message


def _check_uri(uri: str, label: str) -> None:
    parts = urlsplit(uri)
    if (
        not is_uri_text(uri)
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.fragment
    ):
        problem = "not an absolute http(s) URI without fragment"
        raise ClientConfigError(f"{label}: {problem}: {uri!r}", public=f"{label}: {problem}.")


def _check_grants(entry: dict, method: str, label: str) -> None:
    grants = entry.get("grant_types", ["authorization_code", "refresh_token"])
    if not isinstance(grants, list) or not set(grants) <= set(GRANT_TYPES) or not grants:
        raise ClientConfigError(f"{label}: grant_types must be a list of {', '.join(GRANT_TYPES)}")
    responses = entry.get("response_types", ["code"])
    if not isinstance(responses, list) or not set(responses) <= {"code"}:
        raise ClientConfigError(f"{label}: response_types may only be ['code']")
    if "client_credentials" in grants and method == "none":
        # RFC 6749 §4.4: the client credentials grant is for confidential clients only.
        raise ClientConfigError(f"{label}: client_credentials needs a confidential client")


def _check_keys(entry: dict, method: str, label: str) -> None:
    jwks, jwks_uri = entry.get("jwks"), entry.get("jwks_uri")
    if jwks is not None and jwks_uri is not None:
        # RFC 7591 §2: jwks and jwks_uri MUST NOT both be present.
        raise ClientConfigError(f"{label}: give jwks or jwks_uri, not both")
    if jwks is not None:
        try:
            KeySet.import_key_set(jwks)
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            raise ClientConfigError(f"{label}: jwks is not a valid JSON Web Key Set") from None
    if jwks_uri is not None:
        if not isinstance(jwks_uri, str):
            raise ClientConfigError(f"{label} jwks_uri: must be a URI")
        _check_uri(jwks_uri, f"{label} jwks_uri")
    if method == "private_key_jwt" and jwks is None and jwks_uri is None:
        raise ClientConfigError(f"{label}: private_key_jwt needs jwks or jwks_uri")


def validate_registration(entry: dict) -> dict:
    """Check one client entry and return its metadata."""
    unknown = set(entry) - _KNOWN_KEYS
    client_id = entry.get("client_id")
    label = f"client {client_id!r}" if client_id else "client"
    if unknown:
        raise ClientConfigError(f"{label}: unknown keys {', '.join(sorted(unknown))}")
    if not isinstance(client_id, str) or not client_id or len(client_id) > 100:
        raise ClientConfigError(f"{label}: client_id must be a string of 1-100 characters")
    uris = entry.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise ClientConfigError(f"{label}: redirect_uris must be a non-empty list of URIs")
    for uri in uris:
        _check_uri(uri, f"{label} redirect_uris")
    logout_uris = entry.get("post_logout_redirect_uris", [])
    if not isinstance(logout_uris, list) or not all(isinstance(u, str) for u in logout_uris):
        raise ClientConfigError(f"{label}: post_logout_redirect_uris must be a list of URIs")
    for uri in logout_uris:
        _check_uri(uri, f"{label} post_logout_redirect_uris")
    method = entry.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise ClientConfigError(
            f"{label}: token_endpoint_auth_method must be one of {AUTH_METHODS}"
        )
    if method in ("client_secret_basic", "client_secret_post") and not entry.get("client_secret"):
        raise ClientConfigError(f"{label}: {method} needs a client_secret")
    alg = entry.get("id_token_signed_response_alg", "RS256")
    if alg not in ("RS256", "ES256"):
        raise ClientConfigError(f"{label}: id_token_signed_response_alg must be RS256 or ES256")
    _check_grants(entry, method, label)
    _check_keys(entry, method, label)
    if "scope" in entry:
        scope = entry["scope"]
        if not isinstance(scope, str) or not set(scope.split()) <= set(SCOPES_SUPPORTED):
            raise ClientConfigError(
                f"{label}: scope must be a space-separated list of {' '.join(SCOPES_SUPPORTED)}"
            )
    if "scope_claims" in entry:
        problem = check_scope_claims(entry["scope_claims"], SCOPES_SUPPORTED)
        if problem:
            raise ClientConfigError(f"{label}: {problem}")
    if entry.get("backchannel_logout_uri") is not None:
        uri = entry["backchannel_logout_uri"]
        if not isinstance(uri, str):
            raise ClientConfigError(f"{label} backchannel_logout_uri: must be a URI")
        _check_uri(uri, f"{label} backchannel_logout_uri")
    origins = entry.get("allowed_origins", [])
    if not isinstance(origins, list) or not all(
        isinstance(o, str) and is_origin(o) for o in origins
    ):
        raise ClientConfigError(
            f"{label}: allowed_origins must be a list of origins like http://localhost:3000"
            " (scheme, host and port; no path)"
        )
    metadata = {
        k: v
        for k, v in entry.items()
        if k not in ("client_id", "client_secret", "trusted", "require_phone", "client_name")
    }
    metadata["token_endpoint_auth_method"] = method
    metadata.setdefault("grant_types", ["authorization_code", "refresh_token"])
    metadata.setdefault("response_types", ["code"])
    return metadata


def register_client(entry: dict, source: str = "config", replace: bool = True) -> OAuth2Client:
    """Create or update a client from a registration entry (not committed)."""
    metadata = validate_registration(entry)
    client = find_client(entry["client_id"])
    if client is not None and not replace:
        raise ClientConfigError(f"client {entry['client_id']!r} already exists")
    if client is None:
        client = OAuth2Client(client_id=entry["client_id"], created_at=now())
        db.session.add(client)
    secret = entry.get("client_secret")
    client.client_secret_hash = token_digest(secret) if secret else None
    client.client_name = entry.get("client_name") or entry["client_id"]
    client.metadata_json = metadata
    client.trusted = bool(entry.get("trusted", False))
    client.require_phone = bool(entry.get("require_phone", False))
    client.source = source
    return client


def load_clients_file(path: Path, commit: bool = True) -> list[OAuth2Client]:
    """Register every [[client]] in a clients.toml file (and commit, unless told not to)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClientConfigError(f"clients file not found: {path}") from None
    except IsADirectoryError:
        raise ClientConfigError(f"{path} is a directory, not a clients file") from None
    except UnicodeDecodeError:
        raise ClientConfigError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClientConfigError(f"{path} is not valid TOML ({exc})") from None
    entries = data.get("client")
    if not (isinstance(entries, list) and entries and all(isinstance(e, dict) for e in entries)):
        # A file that registers nothing is a mistake (a typo like [client] or [[clients]]).
        raise ClientConfigError(f"{path} has no [[client]] tables")
    clients = [register_client(entry) for entry in entries]
    if commit:
        db.session.commit()
    return clients


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def remove_client(client_id: str) -> bool:
    """Delete a client, revoke every token it holds and forget users' consent to it."""
    client = find_client(client_id)
    if client is None:
        return False
    revoke_tokens_of_client(client_id)
    db.session.execute(db.delete(ConsentGrant).where(ConsentGrant.client_id == client_id))
    db.session.delete(client)
    db.session.commit()
    return True
