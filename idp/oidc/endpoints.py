"""The protocol endpoints: discovery (OIDC Discovery 1.0 §3), JWKS, /authorize,
/token (RFC 6749 §3.2) and /userinfo (OIDC Core §5.3)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..extensions import csrf, get_clock, get_key_store, get_settings
from ..policy.mfa import ACR_VALUES_SUPPORTED
from .authorize import params_from, process_authorization, resume
from .claims import CLAIMS_SUPPORTED, SCOPES_SUPPORTED
from .server import server

bp = Blueprint("oidc", __name__)
# Protocol endpoints are called by relying parties, not by our own forms.
csrf.exempt(bp)


def provider_metadata() -> dict:
    """What this provider supports, and nothing it does not."""
    issuer = get_settings().issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "acr_values_supported": ACR_VALUES_SUPPORTED,
        "claims_parameter_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "prompt_values_supported": ["none", "login", "consent", "create"],
        "ui_locales_supported": ["en-US"],
        "claim_types_supported": ["normal"],
    }


@bp.get("/.well-known/openid-configuration")
def discovery():
    return jsonify(provider_metadata())


@bp.get("/.well-known/jwks.json")
def jwks():
    response = jsonify(get_key_store().jwks(get_clock().now()))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    # OIDC Core §3.1.2.1: the request may be sent by GET or by form POST.
    return process_authorization(params_from(request.values))


@bp.get("/authorize/resume/<uid>")
def resume_interaction(uid: str):
    return resume(uid)


@bp.post("/token")
def token():
    return server.create_token_response()


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    return server.create_endpoint_response("userinfo")
