"""Provider metadata (OIDC Discovery 1.0 §3, RFC 8414): exactly what is supported."""

from __future__ import annotations

from flask import current_app

from ..extensions import get_settings
from .claims import ACR_VALUES_SUPPORTED, CLAIMS_SUPPORTED, SCOPES_SUPPORTED
from .client_auth import ASSERTION_ALGS
from .code_grant import ALL_CLIENT_AUTH_METHODS, CONFIDENTIAL_AUTH_METHODS
from .id_tokens import ID_TOKEN_ALGS
from .response_modes import RESPONSE_MODES


def provider_metadata() -> dict:
    """What this provider supports, and nothing it does not."""
    settings = get_settings()
    issuer = settings.issuer
    metadata = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/revoke",
        "introspection_endpoint": f"{issuer}/introspect",
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
    if settings["clients.dynamic_registration"]:
        metadata["registration_endpoint"] = f"{issuer}/register"
    return metadata


def metadata_bytes() -> bytes:
    """The metadata as JSON bytes, made once per app: it depends on settings only."""
    body = current_app.extensions.get("mock_ohid.discovery")
    if body is None:
        body = current_app.json.dumps(provider_metadata()).encode()
        current_app.extensions["mock_ohid.discovery"] = body
    return body
