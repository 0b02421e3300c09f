"""The authorization endpoint (OIDC Core §3.1.2) and resuming saved interactions.

An authorization request is validated by Authlib first. If the user must
sign in (or do anything else), the request is saved as an *interaction* and
the browser goes to the sign-in pages; when they are done the interaction is
resumed here and the code is issued. Errors that cannot be sent back to a
verified redirect_uri are shown as a page, never redirected (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidRequestError
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
    RequestNotSupportedError,
    RequestURINotSupportedError,
)
from flask import redirect, render_template, url_for
from werkzeug.datastructures import MultiDict

from ..extensions import get_settings, now
from ..lifecycle import browser
from ..lifecycle.browser import SignedInUser
from ..lifecycle.clients import find_client
from ..lifecycle.interactions import (
    Prompt,
    begin_interaction,
    finish_interaction,
    load_interaction,
    new_interaction,
    portal_waiting,
    save_interaction,
)
from ..lifecycle.journey import STEP_PAGES, next_step_for
from ..policy.redirects import near_miss
from ..policy.scopes import with_default_scopes
from ..store import db
from ..store.models import Interaction, User
from .clients import default_scopes
from .id_tokens import read_id_token_hint
from .response_modes import RESPONSE_MODES, form_post
from .server import server

# Longest nonce accepted (OIDC sets none): it is kept with the code, in an index.
NONCE_MAX_LENGTH = 512


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
    if error.redirect_uri and _first(params, "response_mode") == "form_post":
        status, body, headers = form_post(error.redirect_uri, error.get_body())
        return body, status, headers
    if error.redirect_uri:
        _, _, headers = error(None)
        location = dict(headers)["Location"]
        # RFC 9207 §2: the iss parameter is included in error responses too.
        return redirect(add_params_to_uri(location, {"iss": get_settings().issuer}))
    return (
        render_template(
            "errors/authorize.html",
            error=error.error,
            description=error.get_error_description() or error.description,
            developer=_developer_detail(params, error.error),
        ),
        400,
    )


def _developer_detail(params, error: str) -> dict | None:
    """What the portal's developer needs to fix a request that cannot be sent back:
    the client_id and redirect_uri that came, and what is registered (shown
    HTML-escaped on the error page); None when there is nothing to add."""
    client_id = _first(params, "client_id")
    client = find_client(client_id)
    detail = {"client_id": client_id, "registered": None, "redirect_uri": None}
    if client is not None:
        sent = _first(params, "redirect_uri")
        detail["registered"] = client.redirect_uris
        if sent and not client.check_redirect_uri(sent):
            detail["redirect_uri"] = sent
            detail["near_miss"] = near_miss(sent, client.redirect_uris)
        elif error != "unsupported_response_type":
            return None
    return detail


def _prompts(params) -> set[str]:
    return set((params.get("prompt") or [""])[0].split())


def _first(params, name: str) -> str | None:
    return (params.get(name) or [None])[0]


def _needs_login(
    params, signed_in: SignedInUser | None, interaction: Interaction | None, hint: dict | None
) -> bool:
    if signed_in is None:
        return True
    if interaction is not None and interaction.authenticated_at is not None:
        return False
    if "login" in _prompts(params):
        return True
    if hint is not None and hint["sub"] != signed_in.user.sub:
        # OIDC Core §3.1.2.1 id_token_hint: the hinted user is not the one signed in.
        return True
    max_age = _first(params, "max_age")
    if max_age is not None:
        try:
            seconds = int(max_age)
        except ValueError:
            seconds = 0
        # OIDC Core §3.1.2.1 max_age: re-authenticate when the last one is older
        # (max_age=0 is the same as prompt=login).
        if seconds <= 0 or now().timestamp() - signed_in.auth_time > seconds:
            return True
    return False


def _protocol_error(params, redirect_uri: str) -> OAuth2Error | None:
    """OIDC checks Authlib leaves to us, once the redirect_uri is known to be good."""
    nonce = _first(params, "nonce")
    if nonce is not None and len(nonce) > NONCE_MAX_LENGTH:
        # OIDC sets no limit; the nonce is stored with the code, in an index.
        return InvalidRequestError(
            f"'nonce' is too long: at most {NONCE_MAX_LENGTH} characters.",
            redirect_uri=redirect_uri,
        )
    if _first(params, "request"):
        # OIDC Core §6: an OP without request object support returns request_not_supported.
        return RequestNotSupportedError(redirect_uri=redirect_uri)
    if _first(params, "request_uri"):
        return RequestURINotSupportedError(redirect_uri=redirect_uri)
    mode = _first(params, "response_mode")
    if mode is not None and mode not in RESPONSE_MODES:
        params.pop("response_mode")
        # OAuth 2.0 Multiple Response Type Encoding Practices §2.1: a mode the
        # server does not support is an invalid request, answered the default way.
        return InvalidRequestError(
            "Unsupported 'response_mode': use query or form_post.",
            redirect_uri=redirect_uri,
        )
    return None


def _resolve_prompt(params, hint: dict | None) -> Prompt:
    """What the sign-in pages need to know of the request, resolved once here."""
    login_hint = (_first(params, "login_hint") or "")[:254]
    if not login_hint and hint is not None:
        # OIDC Core §3.1.2.1 id_token_hint: prefill the ID of the user it names.
        user = db.session.execute(db.select(User).filter_by(sub=hint["sub"])).scalar_one_or_none()
        login_hint = user.username if user is not None else ""
    return Prompt(
        login_hint=login_hint,
        acr_values=_first(params, "acr_values") or "",
        consent="consent" in _prompts(params),
    )


def _begin(params, client_id: str, hint: dict | None) -> Interaction:
    interaction = begin_interaction(client_id, params, _resolve_prompt(params, hint))
    browser.bind_interaction(interaction)
    return interaction


def _with_default_scopes(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """The request with its client's default scopes added (a broker asking only for
    ``openid`` still gets profile and email); the saved interaction keeps them."""
    client = find_client(_first(params, "client_id"))
    if client is None or len(params.get("scope", [])) != 1:
        return params
    requested = scope_to_list(params["scope"][0]) or []
    wanted = with_default_scopes(requested, default_scopes(client))
    if wanted == requested:
        return params
    return {**params, "scope": [" ".join(wanted)]}


def process_authorization(params: dict[str, list[str]], interaction: Interaction | None = None):
    """Validate, then either send the user to sign in (or another step) or issue the code."""
    params = _with_default_scopes(params)
    oauth_request = SavedAuthorizationRequest(params)
    signed_in = browser.signed_in_user()
    try:
        grant = server.get_consent_grant(request=oauth_request, end_user=signed_in)
    except OAuth2Error as error:
        return _error_response(error, params)
    if not oauth_request.payload.redirect_uri and "openid" in (
        scope_to_list(oauth_request.payload.scope or "") or []
    ):
        # OIDC Core §3.1.2.1: redirect_uri is REQUIRED in an OpenID Connect request.
        return _error_response(InvalidRequestError("Missing 'redirect_uri' in request."), params)
    redirect_uri = (
        oauth_request.payload.redirect_uri or grant.request.client.get_default_redirect_uri()
    )
    error = _protocol_error(params, redirect_uri)
    hint = None
    if error is None and _first(params, "id_token_hint"):
        hint = read_id_token_hint(_first(params, "id_token_hint"))
        if hint is None:
            error = InvalidRequestError(
                "Invalid 'id_token_hint': not an ID token issued by this provider.",
                redirect_uri=redirect_uri,
            )
    if error is not None:
        return _error_response(error, params)
    prompts = _prompts(params)
    if "create" in prompts and (interaction is None or interaction.authenticated_at is None):
        # Initiating User Registration via OpenID Connect 1.0 §4.1: prompt=create starts at
        # account creation; once the new account is signed in the interaction resumes here.
        interaction = interaction or _begin(params, grant.request.client.client_id, hint)
        return redirect(url_for("register.start"))
    if _needs_login(params, signed_in, interaction, hint):
        if "none" in prompts:
            return _error_response(LoginRequiredError(redirect_uri=redirect_uri), params)
        interaction = interaction or _begin(params, grant.request.client.client_id, hint)
        return redirect(url_for("signin.start", interaction=interaction.uid))
    # Signed in already: is anything left (second factor, step-up, consent, ...)?
    # A sign-in finished inside this interaction has just been through the
    # journey to its end (``web.flow``), so the code is issued at once.
    asking = interaction or new_interaction(
        grant.request.client.client_id, params, _resolve_prompt(params, hint)
    )
    step = (
        None
        if interaction is not None and interaction.authenticated_at is not None
        else next_step_for(signed_in.user, signed_in.as_sign_in(), asking, browser.device_token())
    )
    if step is not None:
        if "none" in prompts:
            # OIDC Core §3.1.2.6: consent_required when only consent is missing.
            error_class = ConsentRequiredError if step == "consent" else InteractionRequiredError
            return _error_response(error_class(redirect_uri=redirect_uri), params)
        if interaction is None:
            save_interaction(asking)
            browser.bind_interaction(asking)
        return redirect(url_for(STEP_PAGES[step]))
    response = server.create_authorization_response(
        request=oauth_request, grant_user=signed_in, grant=grant
    )
    # The code and the end of the interaction are committed together.
    if interaction is not None:
        _forget_interaction(interaction)
    else:
        db.session.commit()
    return response


def _forget_interaction(interaction: Interaction) -> None:
    finish_interaction(interaction)
    browser.forget_interaction()


def _deny(interaction: Interaction):
    """The user declined: send access_denied back to the portal (RFC 6749 §4.1.2.1)."""
    params = interaction.params
    client = find_client(interaction.client_id)
    redirect_uri = _first(params, "redirect_uri") or (
        client.get_default_redirect_uri() if client is not None else None
    )
    _forget_interaction(interaction)
    return _error_response(
        AccessDeniedError(
            "The user declined to share their One Healthcare ID.", redirect_uri=redirect_uri
        ),
        params,
    )


def resume(uid: str):
    """Continue a saved authorization request after the user signed in (or declined)."""
    interaction = load_interaction(uid) if browser.owns_interaction(uid) else None
    if not portal_waiting(interaction):
        return render_template("errors/interaction.html"), 400
    if interaction.denied_at is not None:
        return _deny(interaction)
    return process_authorization(interaction.params, interaction)
