"""The protocol endpoints: discovery (OIDC Discovery 1.0 §3), JWKS, /authorize,
/token (RFC 6749 §3.2), /userinfo (OIDC Core §5.3), /revoke (RFC 7009),
/introspect (RFC 7662), /end_session (RP-Initiated Logout 1.0) and /register
(RFC 7591)."""

from __future__ import annotations

from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError
from flask import Blueprint, current_app, request

from ..extensions import csrf, get_clock, get_key_store, get_settings
from .authorize import params_from, process_authorization, resume
from .cors import add_cors_headers
from .discovery import metadata_bytes
from .end_session import handle_end_session
from .server import server

bp = Blueprint("oidc", __name__)
# Protocol endpoints are called by relying parties, not by our own forms.
csrf.exempt(bp)
bp.after_request(add_cors_headers)


@bp.get("/.well-known/openid-configuration")
# MSAL's generic OIDC authority must have a path ("https://host/tenant") and reads
# discovery below it; it accepts the issuer of the same scheme and host.
@bp.get("/ohid/.well-known/openid-configuration")
def discovery():
    response = current_app.response_class(metadata_bytes(), mimetype="application/json")
    if get_settings().internal_hosts:
        # The back-channel endpoints depend on the Host the document was asked for.
        response.vary.add("Host")
    return response


@bp.get("/.well-known/jwks.json")
def jwks():
    body = get_key_store().jwks_bytes(get_clock().now())
    response = current_app.response_class(body, mimetype="application/json")
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


@bp.post("/revoke")
def revoke():
    return server.create_endpoint_response("revocation")


@bp.post("/introspect")
def introspect():
    return server.create_endpoint_response("introspection")


@bp.route("/end_session", methods=["GET", "POST"])
def end_session():
    return handle_end_session(server)


def client_registration():
    """RFC 7591 registration: a POST to /register with a JSON body.

    /register is also the "Create One Healthcare ID" page (SPEC §3.2), so the
    app's wiring routes JSON POSTs there to this view (see ``idp.routing``).
    """
    # Malformed (or too deeply nested) JSON gets the protocol's own error, not a bare 400.
    if request.mimetype != "application/json" or request.get_json(silent=True) is None:
        error = InvalidClientMetadataError("Send the client metadata as a JSON object.")
        return server.handle_response(*error(None))
    return server.create_endpoint_response("client_registration")
