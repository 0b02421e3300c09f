"""Provider metadata (OIDC Discovery 1.0 §3, RFC 8414): exactly what is supported.

The issuer is one string. When a portal's backend fetches discovery by a host name listed
in ``server.internal_hosts`` (``http://mock-ohid:8765`` inside compose), the endpoints it
calls itself are listed on that name, while those the browser visits stay on the issuer.
"""

from __future__ import annotations

from flask import current_app

from ..extensions import get_settings
from .claims import ACR_VALUES_SUPPORTED, CLAIMS_SUPPORTED, SCOPES_SUPPORTED
from .client_auth import ASSERTION_ALGS
from .code_grant import ALL_CLIENT_AUTH_METHODS, CONFIDENTIAL_AUTH_METHODS
from .id_tokens import ID_TOKEN_ALGS
from .internal_hosts import back_channel_base
from .response_modes import RESPONSE_MODES


def provider_metadata(back_channel: str | None = None) -> dict:
    """What this provider supports, and nothing it does not.

    ``back_channel`` (from :func:`back_channel_base`) replaces the issuer's URL in the
    endpoints a portal's backend calls; the issuer and the browser's endpoints keep it.
    """
    settings = get_settings()
    issuer = settings.issuer
    backend = back_channel or issuer
    metadata = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{backend}/token",
        "userinfo_endpoint": f"{backend}/userinfo",
        "jwks_uri": f"{backend}/.well-known/jwks.json",
        "revocation_endpoint": f"{backend}/revoke",
        "introspection_endpoint": f"{backend}/introspect",
        "end_session_endpoint": f"{issuer}/end_session",
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": RESPONSE_MODES,
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ID_TOKEN_ALGS,
        "token_endpoint_auth_methods_supported": ALL_CLIENT_AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": ALL_CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "introspection_endpoint_auth_methods_supported": CONFIDENTIAL_AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "claims_parameter_supported": True,
        "claim_types_supported": ["normal"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_request_uri_registration": False,
        "authorization_response_iss_parameter_supported": True,
        "prompt_values_supported": ["none", "login", "consent", "create"],
        "acr_values_supported": ACR_VALUES_SUPPORTED,
        "display_values_supported": ["page"],
        "ui_locales_supported": ["en-US"],
        "claims_locales_supported": ["en-US"],
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
    }
    if settings.clients.dynamic_registration:
        metadata["registration_endpoint"] = f"{backend}/register"
    return metadata


def metadata_bytes() -> bytes:
    """The metadata for this request as JSON bytes, made once per app and back channel:
    it depends on settings and the internal host name only."""
    made = current_app.extensions.setdefault("mock_ohid.discovery", {})
    back_channel = back_channel_base()
    body = made.get(back_channel)
    if body is None:
        body = current_app.json.dumps(provider_metadata(back_channel)).encode()
        made[back_channel] = body
    return body
