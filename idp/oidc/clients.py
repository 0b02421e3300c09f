"""Client (portal) registrations: loaded from clients.toml, added by the CLI."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from ..extensions import db, now
from ..models import OAuth2Client
from ..security.digests import token_digest

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none", "private_key_jwt")
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
}


class ClientConfigError(ValueError):
    """A client registration is invalid; the message says which and why."""


def _check_uri(uri: str, label: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ClientConfigError(f"{label}: not an absolute http(s) URI without fragment: {uri!r}")


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
    for uri in entry.get("post_logout_redirect_uris", []):
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
    client = db.session.execute(
        db.select(OAuth2Client).filter_by(client_id=entry["client_id"])
    ).scalar_one_or_none()
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


def load_clients_file(path: Path) -> list[OAuth2Client]:
    """Register every [[client]] in a clients.toml file and commit."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ClientConfigError(f"clients file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClientConfigError(f"{path} is not valid TOML ({exc})") from None
    clients = [register_client(entry) for entry in data.get("client", [])]
    db.session.commit()
    return clients


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)
