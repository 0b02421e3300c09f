"""Client (portal) registrations: loaded from clients.toml, added by the CLI."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..crypto.digests import token_digest
from ..extensions import get_settings, now
from ..lifecycle.clients import find_client
from ..lifecycle.tokens import revoke_tokens_of_client
from ..policy.client_metadata import is_uri_text
from ..policy.portal_claims import check_scope_claims
from ..policy.scopes import default_scopes_of
from ..store import oauth as oauth_store
from ..store.models import OAuth2Client
from .access_tokens import FORMATS, TYPES
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
    "strict_auth_method",
    "default_scopes",
    "access_token_format",
    "access_token_typ",
    "access_token_audience",
    "introspect_any",
    "resource_servers",
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


def _check_access_tokens(entry: dict, label: str) -> None:
    for key, allowed in (("access_token_format", FORMATS), ("access_token_typ", TYPES)):
        if key in entry and entry[key] not in allowed:
            raise ClientConfigError(f"{label}: {key} must be one of {', '.join(allowed)}")
    audience = entry.get("access_token_audience")
    if audience is not None and not (
        (isinstance(audience, str) and audience)
        or (
            isinstance(audience, list)
            and audience
            and all(isinstance(a, str) and a for a in audience)
        )
    ):
        raise ClientConfigError(f"{label}: access_token_audience must be a string or a list")
    if not isinstance(entry.get("introspect_any", False), bool):
        raise ClientConfigError(f"{label}: introspect_any must be true or false")
    servers = entry.get("resource_servers", [])
    if not isinstance(servers, list) or not all(isinstance(s, str) and s for s in servers):
        raise ClientConfigError(f"{label}: resource_servers must be a list of client ids")


def validate_registration(entry: dict, secret_known: bool = False) -> dict:
    """Check one client entry and return its metadata (``secret_known``: the client
    already has a secret, so the entry need not carry it)."""
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
    if (
        method in ("client_secret_basic", "client_secret_post")
        and not entry.get("client_secret")
        and not secret_known
    ):
        raise ClientConfigError(f"{label}: {method} needs a client_secret")
    if not isinstance(entry.get("strict_auth_method", False), bool):
        raise ClientConfigError(f"{label}: strict_auth_method must be true or false")
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
    if "default_scopes" in entry:
        defaults = entry["default_scopes"]
        if not isinstance(defaults, list) or not set(defaults) <= set(SCOPES_SUPPORTED):
            raise ClientConfigError(
                f"{label}: default_scopes must be a list of {' '.join(SCOPES_SUPPORTED)}"
            )
    _check_access_tokens(entry, label)
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


def default_scopes(client: OAuth2Client) -> list[str]:
    """The scopes added to the client's OpenID Connect requests (``policy.scopes``),
    limited to the scopes it may ask for."""
    settings = get_settings()
    defaults = default_scopes_of(
        client.client_metadata.get("default_scopes"),
        strict=client.strict_auth_method or settings.clients.strict_auth_method,
        server_default=settings.clients.default_scopes.split(),
    )
    return client.get_allowed_scope(" ".join(defaults)).split()


def register_client(entry: dict, source: str = "config", replace: bool = True) -> OAuth2Client:
    """Create or update a client from a registration entry (written with the unit of work)."""
    metadata = validate_registration(entry)
    client = find_client(entry["client_id"])
    if client is not None and not replace:
        raise ClientConfigError(f"client {entry['client_id']!r} already exists")
    if client is None:
        client = OAuth2Client(client_id=entry["client_id"], created_at=now())
        oauth_store.add_client(client)
    secret = entry.get("client_secret")
    client.client_secret_hash = token_digest(secret) if secret else None
    client.client_name = entry.get("client_name") or entry["client_id"]
    client.metadata_json = metadata
    client.trusted = bool(entry.get("trusted", False))
    client.require_phone = bool(entry.get("require_phone", False))
    client.source = source
    return client


def load_clients_file(path: Path) -> list[OAuth2Client]:
    """Register every [[client]] in a clients.toml file (written with the unit of work)."""
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
    return [register_client(entry) for entry in entries]


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def remove_client(client_id: str) -> bool:
    """Delete a client, revoke every token it holds and forget users' consent to it."""
    client = find_client(client_id)
    if client is None:
        return False
    revoke_tokens_of_client(client_id)
    oauth_store.delete_client(client)
    return True


# Lists that ``update_client`` adds to and removes from.
EDITABLE_LISTS = ("redirect_uris", "post_logout_redirect_uris", "allowed_origins")
# Fields ``update_client`` sets (None removes an optional one).
SETTABLE = (
    "client_name",
    "token_endpoint_auth_method",
    "strict_auth_method",
    "trusted",
    "require_phone",
    "scope",
    "default_scopes",
    "grant_types",
    "access_token_format",
    "access_token_typ",
    "access_token_audience",
    "introspect_any",
    "resource_servers",
    "backchannel_logout_uri",
)
_SECRET_METHODS = ("client_secret_basic", "client_secret_post")


def client_details(client: OAuth2Client) -> dict:
    """Everything a portal needs to connect, secret aside, with the defaults in force."""
    settings = get_settings()
    metadata = client.client_metadata
    details = {
        "client_id": client.client_id,
        "client_name": client.client_name,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "strict_auth_method": client.strict_auth_method,
        "has_secret": bool(client.client_secret_hash),
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "allowed_origins": list(metadata.get("allowed_origins", [])),
        "grant_types": list(metadata.get("grant_types", [])),
        "response_types": list(metadata.get("response_types", ["code"])),
        "scope": metadata.get("scope"),
        "default_scopes": default_scopes(client),
        "trusted": client.trusted,
        "require_phone": client.require_phone,
        "id_token_signed_response_alg": client.id_token_signed_response_alg,
        "access_token_format": metadata.get("access_token_format")
        or settings.tokens.access_token_format,
        "access_token_typ": metadata.get("access_token_typ") or settings.tokens.access_token_typ,
        "access_token_audience": metadata.get("access_token_audience") or client.client_id,
        "introspect_any": bool(metadata.get("introspect_any", False)),
        "resource_servers": list(metadata.get("resource_servers", [])),
        "source": client.source,
    }
    for optional in ("backchannel_logout_uri", "jwks_uri", "scope_claims"):
        if metadata.get(optional) is not None:
            details[optional] = metadata[optional]
    return details


def _entry_of(client: OAuth2Client) -> dict:
    entry = dict(client.client_metadata)
    entry.update(
        client_id=client.client_id,
        client_name=client.client_name,
        trusted=client.trusted,
        require_phone=client.require_phone,
    )
    return entry


def _edit_list(entry: dict, name: str, add: list, remove: list) -> None:
    current = list(entry.get(name, []))
    missing = [item for item in remove if item not in current]
    if missing:
        raise ClientConfigError(f"{name}: {missing[0]!r} is not registered for this client")
    current = [item for item in current if item not in remove]
    current += [item for item in add if item not in current]
    entry[name] = current


def update_client(client: OAuth2Client, changes: dict) -> str | None:
    """Change a registration in place, validated like clients.toml; nothing is
    revoked (tokens and consent stay). ``changes`` holds ``add_<list>`` and
    ``remove_<list>`` for the lists of ``EDITABLE_LISTS``, any of ``SETTABLE``
    (None removes an optional field), ``client_secret`` (a new secret) and
    ``new_secret`` (True: generate one). Returns a secret to show once, or None.
    Not committed."""
    entry = _entry_of(client)
    for name in EDITABLE_LISTS:
        _edit_list(
            entry,
            name,
            list(changes.get(f"add_{name}") or []),
            list(changes.get(f"remove_{name}") or []),
        )
    for name in SETTABLE:
        if name not in changes:
            continue
        if changes[name] is None:
            entry.pop(name, None)
        else:
            entry[name] = changes[name]
    method = entry.get("token_endpoint_auth_method", "client_secret_basic")
    secret = changes.get("client_secret")
    if secret is not None and method not in _SECRET_METHODS:
        raise ClientConfigError(f"a client_secret makes no sense with {method}")
    shown = None
    if (
        method in _SECRET_METHODS
        and secret is None
        and (changes.get("new_secret") or not client.client_secret_hash)
    ):
        secret = shown = new_client_secret()
    if secret is not None:
        entry["client_secret"] = secret
    metadata = validate_registration(entry, secret_known=bool(client.client_secret_hash))
    client.metadata_json = metadata
    client.client_name = entry.get("client_name") or client.client_id
    client.trusted = bool(entry.get("trusted", False))
    client.require_phone = bool(entry.get("require_phone", False))
    if secret is not None:
        client.client_secret_hash = token_digest(secret)
    elif method not in _SECRET_METHODS:
        # A public or private_key_jwt client has no secret to accept.
        client.client_secret_hash = None
    return shown
