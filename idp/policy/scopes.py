"""Default scopes (Keycloak's "default client scopes") and when refresh tokens
are issued: pure rules.

A broker that asks only for ``openid`` still gets an ID token worth having:
the client's default scopes are added to any OpenID Connect request.
"""

from __future__ import annotations


def default_scopes_of(
    configured: list[str] | None, *, strict: bool, server_default: list[str]
) -> list[str]:
    """The scopes a client gets without asking: its own ``default_scopes`` when set,
    none for a strict client, else the server's ``clients.default_scopes``."""
    if configured is not None:
        return list(configured)
    return [] if strict else list(server_default)


def with_default_scopes(requested: list[str], defaults: list[str]) -> list[str]:
    """``requested`` plus the defaults it lacks, for OpenID Connect requests only
    (a plain OAuth request gets no ID token or userinfo the defaults would fill)."""
    if "openid" not in requested:
        return list(requested)
    return list(requested) + [s for s in defaults if s not in requested]


def gets_refresh_token(
    grant_type: str, *, may_refresh: bool, scopes: list[str], requires_offline_access: bool
) -> bool:
    """Whether a token response carries a refresh token: at every code exchange and
    refresh for a client allowed the refresh_token grant (as Keycloak does), or,
    with ``tokens.refresh_token_requires_offline_access``, only when the scope has
    ``offline_access`` (OIDC Core §11)."""
    if grant_type not in ("authorization_code", "refresh_token") or not may_refresh:
        return False
    return not requires_offline_access or "offline_access" in scopes
