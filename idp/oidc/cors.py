"""Cross-origin calls from single-page portals (SPEC §4.1, the CORS protocol of
the Fetch standard).

Discovery and JWKS are public: any origin may read them. The token, userinfo,
revocation and introspection endpoints answer only the origins of registered
redirect URIs and of a client's ``allowed_origins``; any other origin gets no
CORS headers, so the browser blocks it. Nothing else (``/authorize``, HTML
pages, ``/_qa``) ever answers CORS.

A preflight names no client, so it is answered for the origins of every
registered client. The actual request is answered only when its origin is
registered for the client it names: the client the endpoint looked up (by
``client_id``, HTTP Basic, a client assertion or the access token's grant).
Anyone may register a client, so one client's origins never open another's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from ..store import oauth as oauth_store

PUBLIC_ENDPOINTS = ("oidc.discovery", "oidc.jwks")
CLIENT_ENDPOINTS = ("oidc.token", "oidc.userinfo", "oidc.revoke", "oidc.introspect")
ALLOWED_HEADERS = "Authorization, Content-Type, DPoP"
# Preflight answers may be cached this long by the browser (seconds).
PREFLIGHT_MAX_AGE = "600"


def origin_of(uri: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URI, lower-cased as browsers send it."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def is_origin(value: str) -> bool:
    """Whether ``value`` is a bare origin: scheme, host and port, nothing else."""
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.path
        and not parts.query
        and not parts.fragment
        and "@" not in parts.netloc
    )


def client_origins(metadata: dict | None) -> set[str]:
    """The origins one client may call the protected endpoints from."""
    origins: set[str] = set()
    for uri in (metadata or {}).get("redirect_uris", []):
        origin = origin_of(uri)
        if origin:
            origins.add(origin)
    origins.update(o.lower() for o in (metadata or {}).get("allowed_origins", []))
    return origins


def registered_origins() -> set[str]:
    """Every origin any registered client may call the protected endpoints from."""
    origins: set[str] = set()
    for metadata in oauth_store.all_client_metadata():
        origins |= client_origins(metadata)
    return origins


def _allowed_for_named_client(origin: str) -> bool:
    """Whether ``origin`` is registered for every client this request looked up (at least one)."""
    named = oauth_store.clients_held()
    return bool(named) and all(origin in client_origins(c.metadata_json) for c in named)


def add_cors_headers(response):
    """After a protocol endpoint answered: add CORS headers where SPEC §4.1 allows them."""
    origin = request.headers.get("Origin")
    if not origin:
        return response
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif request.endpoint in CLIENT_ENDPOINTS:
        response.headers.add("Vary", "Origin")
        preflight = request.method == "OPTIONS"
        allowed = (
            origin.lower() in registered_origins()
            if preflight
            else _allowed_for_named_client(origin.lower())
        )
        if not allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        # The bearer challenge must be readable by the page (RFC 6750 §3).
        response.headers["Access-Control-Expose-Headers"] = "WWW-Authenticate"
    else:
        return response
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response
