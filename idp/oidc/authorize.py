"""The authorization endpoint (OIDC Core §3.1.2) and resuming saved interactions.

An authorization request is validated by Authlib first. If the user must
sign in (or do anything else), the request is saved as an *interaction* and
the browser goes to the sign-in pages; when they are done the interaction is
resumed here and the code is issued. Errors that cannot be sent back to a
verified redirect_uri are shown as a page, never redirected (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oidc.core.errors import InteractionRequiredError, LoginRequiredError
from flask import redirect, render_template, session, url_for
from werkzeug.datastructures import MultiDict

from ..extensions import db, get_settings, now
from ..models import Interaction
from ..web import flow
from .server import SignedInUser, server

INTERACTION_MINUTES = 30


class SavedPayload(OAuth2Payload):
    """Request parameters kept as lists, so duplicate parameters stay detectable."""

    def __init__(self, params: dict[str, list[str]]):
        self._datalist = {k: list(v) for k, v in params.items()}
        self._data = {k: v[0] for k, v in params.items() if v}

    @property
    def data(self):
        return self._data

    @property
    def datalist(self):
        return self._datalist


class SavedAuthorizationRequest(OAuth2Request):
    """An authorization request rebuilt from its parameters (live or saved)."""

    def __init__(self, params: dict[str, list[str]]):
        super().__init__("GET", get_settings().issuer + "/authorize")
        self.payload = SavedPayload(params)

    @property
    def args(self):
        return self.payload.data

    @property
    def form(self):
        return {}


def params_from(values: MultiDict) -> dict[str, list[str]]:
    """Request parameters as lists; empty values count as absent (OAuth 2.0 §3.1)."""
    return {k: [v for v in values.getlist(k)] for k in values if any(values.getlist(k))}


def _error_response(error: OAuth2Error, params: dict[str, list[str]]):
    """Redirect the error to the client when its redirect_uri is verified, else a page."""
    state = (params.get("state") or [None])[0]
    if error.redirect_uri:
        error.state = state
        _, _, headers = error(None)
        location = dict(headers)["Location"]
        # RFC 9207 §2: the iss parameter is included in error responses too.
        return redirect(add_params_to_uri(location, {"iss": get_settings().issuer}))
    return (
        render_template(
            "errors/authorize.html",
            error=error.error,
            description=error.get_error_description() or error.description,
        ),
        400,
    )


def _prompts(params) -> set[str]:
    return set((params.get("prompt") or [""])[0].split())


def _needs_login(params, signed_in: SignedInUser | None, interaction: Interaction | None) -> bool:
    if signed_in is None:
        return True
    if interaction is not None and interaction.authenticated_at is not None:
        return False
    if "login" in _prompts(params):
        return True
    max_age = (params.get("max_age") or [None])[0]
    if max_age is not None:
        try:
            seconds = int(max_age)
        except ValueError:
            seconds = 0
        # OIDC Core §3.1.2.1 max_age: re-authenticate when the last one is older.
        if now().timestamp() - signed_in.auth_time > max(seconds, 0):
            return True
    return False


def _save_interaction(params, client_id: str) -> Interaction:
    moment = now()
    interaction = Interaction(
        uid=secrets.token_urlsafe(24),
        client_id=client_id,
        params=params,
        created_at=moment,
        expires_at=moment + timedelta(minutes=INTERACTION_MINUTES),
    )
    db.session.add(interaction)
    db.session.commit()
    session["interaction"] = interaction.uid
    return interaction


def process_authorization(params: dict[str, list[str]], interaction: Interaction | None = None):
    """Validate, then either send the user to sign in or issue the code."""
    oauth_request = SavedAuthorizationRequest(params)
    signed_in = flow.signed_in_user()
    try:
        grant = server.get_consent_grant(request=oauth_request, end_user=signed_in)
    except OAuth2Error as error:
        return _error_response(error, params)
    redirect_uri = (
        oauth_request.payload.redirect_uri or grant.request.client.get_default_redirect_uri()
    )
    prompts = _prompts(params)
    if "create" in prompts and (interaction is None or interaction.authenticated_at is None):
        # Initiating User Registration via OpenID Connect 1.0 §4.1: prompt=create starts at
        # account creation; once the new account is signed in the interaction resumes here.
        interaction = interaction or _save_interaction(params, grant.request.client.client_id)
        flow.clear_pending()
        return redirect(url_for("register.start"))
    if _needs_login(params, signed_in, interaction):
        if "none" in prompts:
            return _error_response(LoginRequiredError(redirect_uri=redirect_uri), params)
        interaction = interaction or _save_interaction(params, grant.request.client.client_id)
        flow.clear_pending()
        return redirect(url_for("signin.start", interaction=interaction.uid))
    sso_state = {
        "user_id": signed_in.user.id,
        "amr": signed_in.amr,
        "acr": signed_in.acr,
        "sso": True,
    }
    step = flow.next_step_for(signed_in.user, grant.request.client, params, sso_state)
    if step is not None:
        if "none" in prompts:
            return _error_response(InteractionRequiredError(redirect_uri=redirect_uri), params)
        interaction = interaction or _save_interaction(params, grant.request.client.client_id)
        return flow.redirect_to_step(step)
    response = server.create_authorization_response(
        request=oauth_request, grant_user=signed_in, grant=grant
    )
    if interaction is not None:
        db.session.delete(interaction)
        db.session.commit()
        session.pop("interaction", None)
    return response


def load_interaction(uid: str) -> Interaction | None:
    """The live interaction ``uid`` if it belongs to this browser."""
    if not uid or session.get("interaction") != uid:
        return None
    interaction = db.session.get(Interaction, uid)
    if interaction is None or now() >= interaction.expires_at:
        return None
    return interaction


def resume(uid: str):
    """Continue a saved authorization request after the user signed in."""
    interaction = load_interaction(uid)
    if interaction is None:
        return render_template("errors/interaction.html"), 400
    return process_authorization(interaction.params, interaction)
