"""RP-Initiated Logout 1.0: a portal sends the user here to sign out of OHID.

Authlib's ``EndSessionEndpoint`` validates the request: the ``id_token_hint``
must be an ID token we signed (expired ones are accepted, §2), a given
``client_id`` must be its audience, and ``post_logout_redirect_uri`` must
exactly match one the client registered (§3), with ``state`` passed back.
The user is signed out at once only when a valid hint names the user signed
in on this browser; otherwise (no hint, another user's hint, or a browser that
holds no session at all) they are asked to confirm first (§2, §6). An ID token
is no secret, so holding one never ends a session in another browser.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from flask import render_template, request, session
from flask_wtf import FlaskForm
from wtforms import HiddenField

from ..extensions import get_clock, get_key_store
from ..lifecycle.authentication import end_sso_session
from ..policy.redirects import near_miss
from ..store import oauth as oauth_store
from ..store.models import DebuggerRun, SsoSession
from ..web.browser import browser_sso_session
from .id_tokens import ID_TOKEN_ALGS

# Request parameters of RP-Initiated Logout 1.0 §2 kept through the confirmation.
LOGOUT_PARAMS = (
    "id_token_hint",
    "client_id",
    "post_logout_redirect_uri",
    "state",
    "logout_hint",
    "ui_locales",
)


class LogoutForm(FlaskForm):
    """ "Sign out of One Healthcare ID?": the original request rides along hidden."""

    id_token_hint = HiddenField()
    client_id = HiddenField()
    post_logout_redirect_uri = HiddenField()
    state = HiddenField()
    logout_hint = HiddenField()
    ui_locales = HiddenField()


class OhidEndSessionEndpoint(EndSessionEndpoint):
    """Authlib's endpoint wired to our keys and SSO sessions."""

    def get_server_jwks(self) -> dict:
        return get_key_store().jwks(get_clock().now())

    def get_algorithms(self) -> list[str]:
        return ID_TOKEN_ALGS

    def resolve_client_from_id_token_claims(self, id_token_claims: dict):
        # Our ID tokens carry aud as a one-element list.
        aud = id_token_claims.get("aud")
        if isinstance(aud, list) and len(aud) == 1:
            aud = aud[0]
        return self.server.query_client(aud) if isinstance(aud, str) else None

    def _is_valid_post_logout_redirect_uri(self, client, post_logout_redirect_uri: str) -> bool:
        # A debugger run may use its sign-out page without it being registered.
        return super()._is_valid_post_logout_redirect_uri(
            client, post_logout_redirect_uri
        ) or DebuggerRun.allows(
            client.client_id, "post_logout_redirect_uri", post_logout_redirect_uri
        )

    def is_post_logout_redirect_uri_legitimate(self, request, uri, client, logout_hint) -> bool:
        # Without an id_token_hint the user confirms the sign-out on our page
        # first, and the URI was already matched against the client's registration.
        return client is not None

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        for sso in sessions_to_end(end_session_request.id_token_claims):
            end_sso_session(sso, reason="end_session")
        session.clear()


def _browser_session() -> SsoSession | None:
    return browser_sso_session(touch=False)


def sessions_to_end(hint_claims: dict | None) -> list[SsoSession]:
    """This browser's SSO session, and the one the ID token's ``sid`` names when
    it belongs to the user signed in on this browser."""
    browser = _browser_session()
    if browser is None:
        return []
    found = [browser]
    if hint_claims and isinstance(hint_claims.get("sid"), str):
        named = oauth_store.find_sso_session(hint_claims["sid"])
        if (
            named is not None
            and named.ended_at is None
            and named.user.sub == hint_claims.get("sub") == browser.user.sub
            and named not in found
        ):
            found.append(named)
    return found


def redirect_note(end_session_request: EndSessionRequest) -> dict | None:
    """Why a ``post_logout_redirect_uri`` that came will not be followed, for the
    portal's developer (the user still is not redirected: §3 forbids it)."""
    sent = request.values.get("post_logout_redirect_uri")
    if not sent or end_session_request.redirect_uri is not None:
        return None
    client = end_session_request.client
    if client is None:
        return {"sent": sent, "client_id": None}
    registered = client.post_logout_redirect_uris
    if sent in registered:
        return None
    return {
        "sent": sent,
        "client_id": client.client_id,
        "registered": registered,
        "near_miss": near_miss(sent, registered),
    }


def needs_confirmation(end_session_request: EndSessionRequest) -> bool:
    """Ask the user unless a valid hint names the user signed in on this browser (§2, §6)."""
    claims = end_session_request.id_token_claims
    if claims is None:
        return True
    browser = _browser_session()
    return browser is None or browser.user.sub != claims.get("sub")


def handle_end_session(server):
    """GET or POST /end_session, answered through the wired Authlib ``server``."""
    try:
        end_session_request = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        # §4: after an error the OP MUST NOT redirect.
        return (
            render_template(
                "logout/error.html",
                error=error.error,
                description=error.get_error_description() or error.description,
            ),
            400,
        )
    confirming = request.method == "POST" and "csrf_token" in request.form
    if needs_confirmation(end_session_request):
        # The confirmation page posts a form; a JSON body is not read as one.
        form = LogoutForm(formdata=request.form)
        if not (confirming and form.validate_on_submit()):
            if not confirming:
                for name in LOGOUT_PARAMS:
                    getattr(form, name).data = request.values.get(name, "")
            client = end_session_request.client
            page = render_template(
                "logout/confirm.html",
                form=form,
                client_name=client.client_name if client is not None else None,
                signed_in=_browser_session() is not None,
                expired=confirming,
                redirect_note=redirect_note(end_session_request),
            )
            # A confirmation whose CSRF token failed is bad input: 400, nobody signed out.
            return page, 400 if confirming else 200
    note = redirect_note(end_session_request)
    response = server.create_endpoint_response("end_session", end_session_request)
    if response is not None:
        return response
    return render_template("logout/signed_out.html", redirect_note=note)
