"""The authorization endpoint (OIDC Core §3.1.2) and resuming saved interactions.

An authorization request goes through ``CHECKS``: named one-purpose steps in
order (as node-oidc-provider composes its authorization actions). The request
checks come first (Authlib's validation, then the OIDC rules Authlib leaves to
us), then whether the user must sign in, then whether the sign-in journey has
steps left; the last step issues the code. When the user must do something the
request is saved as an *interaction* and the browser enters the sign-in journey
at the step named (``web.flow.enter_journey`` picks the page). When the journey
is over the interaction resumes and runs only the checks it has not passed:
never the request checks again, the sign-in checks only while a sign-in is
still owed, the journey only when it did not end inside the interaction. A
sign-in completed on a sign-in page resumes in that page's request
(``answer_signed_in``), so its code is written with the SSO session; a consent
given or declined resumes at ``/authorize/resume``. Errors that cannot be sent
back to a verified redirect_uri are shown as a page, never redirected (RFC 6749
§4.1.2.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidClientError, InvalidRequestError
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
    RequestNotSupportedError,
    RequestURINotSupportedError,
)
from flask import redirect, render_template
from werkzeug.datastructures import MultiDict

from ..extensions import get_settings, now
from ..lifecycle.clients import find_client
from ..lifecycle.interactions import (
    Prompt,
    SignedInUser,
    begin_interaction,
    finish_interaction,
    new_interaction,
    portal_waiting,
    prompt_of,
    save_interaction,
)
from ..lifecycle.journey import CREATE_ACCOUNT, SIGN_IN, next_step_for
from ..policy.redirects import near_miss
from ..policy.scopes import with_default_scopes
from ..store.interactions import username_of_sub
from ..store.models import Interaction
from ..web import browser
from ..web.device_cookie import device_token
from ..web.flow import answers_portal, enter_journey
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


@dataclass
class Authorization:
    """One authorization request on its way through ``CHECKS``, as they find it out."""

    params: dict[str, list[str]]
    # The user of this browser's SSO session, if any.
    signed_in: SignedInUser | None
    # The saved interaction: being resumed, or begun when the user must act.
    interaction: Interaction | None = None
    resumed: bool = False
    request: SavedAuthorizationRequest | None = None
    grant: object = None
    redirect_uri: str | None = None
    # The claims of a valid id_token_hint.
    hint: dict | None = None
    prompts: set[str] = field(init=False)

    def __post_init__(self):
        self.prompts = _prompts(self.params)

    def first(self, name: str) -> str | None:
        """The request parameter ``name`` (its first value), if sent."""
        return _first(self.params, name)

    def refuse(self, error: OAuth2Error):
        """Answer with ``error``: to the portal when its redirect_uri is verified."""
        return _error_response(error, self.params)

    @property
    def client_id(self) -> str:
        return self.request.client.client_id


# --- The request checks: passed once, when the request comes ---------------------------


def validate_request(auth: Authorization):
    """Authlib's validation (RFC 6749 §4.1.1, PKCE, the OIDC prompt and nonce rules):
    the client, its redirect_uri, response_type and scope."""
    auth.request = SavedAuthorizationRequest(auth.params)
    try:
        auth.grant = server.get_consent_grant(request=auth.request, end_user=auth.signed_in)
    except OAuth2Error as error:
        return auth.refuse(error)
    return None


def require_redirect_uri(auth: Authorization):
    """OIDC Core §3.1.2.1: redirect_uri is REQUIRED in an OpenID Connect request."""
    payload = auth.request.payload
    if not payload.redirect_uri and "openid" in (scope_to_list(payload.scope or "") or []):
        return auth.refuse(InvalidRequestError("Missing 'redirect_uri' in request."))
    auth.redirect_uri = payload.redirect_uri or auth.request.client.get_default_redirect_uri()
    return None


def limit_nonce_length(auth: Authorization):
    """OIDC sets no limit; the nonce is stored with the code, in an index."""
    nonce = auth.first("nonce")
    if nonce is not None and len(nonce) > NONCE_MAX_LENGTH:
        return auth.refuse(
            InvalidRequestError(
                f"'nonce' is too long: at most {NONCE_MAX_LENGTH} characters.",
                redirect_uri=auth.redirect_uri,
            )
        )
    return None


def refuse_request_objects(auth: Authorization):
    """OIDC Core §6: an OP without request object support says so."""
    if auth.first("request"):
        return auth.refuse(RequestNotSupportedError(redirect_uri=auth.redirect_uri))
    if auth.first("request_uri"):
        return auth.refuse(RequestURINotSupportedError(redirect_uri=auth.redirect_uri))
    return None


def check_response_mode(auth: Authorization):
    """OAuth 2.0 Multiple Response Type Encoding Practices §2.1: a mode the server does
    not support is an invalid request, answered the default way."""
    mode = auth.first("response_mode")
    if mode is not None and mode not in RESPONSE_MODES:
        auth.params.pop("response_mode")
        return auth.refuse(
            InvalidRequestError(
                "Unsupported 'response_mode': use query or form_post.",
                redirect_uri=auth.redirect_uri,
            )
        )
    return None


def verify_id_token_hint(auth: Authorization):
    """OIDC Core §3.1.2.1 id_token_hint: an ID token this provider issued."""
    if auth.first("id_token_hint"):
        auth.hint = read_id_token_hint(auth.first("id_token_hint"))
        if auth.hint is None:
            return auth.refuse(
                InvalidRequestError(
                    "Invalid 'id_token_hint': not an ID token issued by this provider.",
                    redirect_uri=auth.redirect_uri,
                )
            )
    return None


# --- On resume: the saved request, for the client as registered now ---------------------


def reload_request(auth: Authorization):
    """The saved request passed the request checks when it came: its grant is
    rebuilt, not validated again. A client removed since gets the error page."""
    client = find_client(auth.first("client_id"))
    if client is None:
        return auth.refuse(
            InvalidClientError(description="The client does not exist on this server.")
        )
    auth.request = SavedAuthorizationRequest(auth.params)
    auth.request.client = client
    auth.request.user = auth.signed_in
    auth.request.scope = client.get_allowed_scope(auth.request.payload.scope)
    auth.grant = server.get_authorization_grant(auth.request)
    auth.redirect_uri = auth.request.payload.redirect_uri or client.get_default_redirect_uri()
    auth.grant.redirect_uri = auth.redirect_uri
    return None


# --- Whether the user must sign in ----------------------------------------------------


def _resolve_prompt(auth: Authorization, sign_in_owed: bool) -> Prompt:
    """What the sign-in pages need to know of the request, resolved once here."""
    login_hint = (auth.first("login_hint") or "")[:254]
    if not login_hint and auth.hint is not None:
        # OIDC Core §3.1.2.1 id_token_hint: prefill the ID of the user it names.
        login_hint = username_of_sub(auth.hint["sub"]) or ""
    return Prompt(
        login_hint=login_hint,
        acr_values=auth.first("acr_values") or "",
        consent="consent" in auth.prompts,
        sign_in_owed=sign_in_owed,
    )


def _enter_sign_in(auth: Authorization, step: str):
    """The user must sign in (``step``: or create an account) inside an interaction."""
    if auth.interaction is None:
        auth.interaction = begin_interaction(
            auth.client_id, auth.params, _resolve_prompt(auth, sign_in_owed=True)
        )
    return enter_journey(auth.interaction, step)


def offer_account_creation(auth: Authorization):
    """Initiating User Registration via OpenID Connect 1.0 §4.1: prompt=create starts
    at account creation; once the new account is signed in the interaction resumes."""
    if "create" in auth.prompts:
        return _enter_sign_in(auth, CREATE_ACCOUNT)
    return None


def require_sso_session(auth: Authorization):
    """No SSO session in this browser: the user signs in (prompt=none: login_required)."""
    if auth.signed_in is None:
        return _sign_in(auth)
    return None


def _sign_in(auth: Authorization):
    if "none" in auth.prompts:
        return auth.refuse(LoginRequiredError(redirect_uri=auth.redirect_uri))
    return _enter_sign_in(auth, SIGN_IN)


def _max_age_passed(auth: Authorization) -> bool:
    max_age = auth.first("max_age")
    if max_age is None:
        return False
    try:
        seconds = int(max_age)
    except ValueError:
        seconds = 0
    # max_age=0 is the same as prompt=login.
    return seconds <= 0 or now().timestamp() - auth.signed_in.auth_time > seconds


def require_fresh_sign_in(auth: Authorization):
    """The SSO session does not do for this request: prompt=login, an id_token_hint
    naming another user, or a sign-in older than max_age (OIDC Core §3.1.2.1)."""
    hinted_other = auth.hint is not None and auth.hint["sub"] != auth.signed_in.user.sub
    if "login" in auth.prompts or hinted_other or _max_age_passed(auth):
        return _sign_in(auth)
    return None


# --- The sign-in journey ----------------------------------------------------------------


def finish_journey(auth: Authorization):
    """Signed in already: is anything left (second factor, step-up, consent, ...)?"""
    asking = auth.interaction or new_interaction(
        auth.client_id, auth.params, _resolve_prompt(auth, sign_in_owed=False)
    )
    signed_in = auth.signed_in
    step = next_step_for(signed_in.user, signed_in.as_sign_in(), asking, device_token())
    if step is None:
        return None
    if "none" in auth.prompts:
        # OIDC Core §3.1.2.6: consent_required when only consent is missing.
        error_class = ConsentRequiredError if step == "consent" else InteractionRequiredError
        return auth.refuse(error_class(redirect_uri=auth.redirect_uri))
    if auth.interaction is None:
        auth.interaction = save_interaction(asking)
    return enter_journey(auth.interaction, step)


# --- The answer -------------------------------------------------------------------------


def issue_code(auth: Authorization):
    """Issue the code to the portal; the interaction ends with it (written together)."""
    grant = auth.grant
    status, body, headers = grant.create_authorization_response(auth.redirect_uri, auth.signed_in)
    response = server.handle_response(status, body, headers)
    # What Authlib's server adds to an authorization response it makes (RFC 9207's iss).
    server.execute_hook("after_create_authorization_response", response)
    grant.execute_hook("after_authorization_response", response)
    if auth.interaction is not None:
        _forget_interaction(auth.interaction)
    return response


# --- The checks, in order -----------------------------------------------------------------


def _passed_when_saved(interaction: Interaction) -> bool:
    return True


def _never_passed(interaction: Interaction) -> bool:
    return False


def _sign_in_done(interaction: Interaction) -> bool:
    return interaction.authenticated_at is not None or not prompt_of(interaction).sign_in_owed


def _journey_done(interaction: Interaction) -> bool:
    return interaction.authenticated_at is not None


@dataclass(frozen=True)
class Check:
    """One step of the authorization endpoint: it answers (a response) or lets the
    request go on (None)."""

    run: Callable[[Authorization], object]
    # Whether a saved interaction has been through it: its resume skips the check.
    passed_by: Callable[[Interaction], bool]
    # Whether a request coming in (not a resume) goes through it.
    on_request: bool = True

    @property
    def name(self) -> str:
        return self.run.__name__


CHECKS: list[Check] = [
    Check(validate_request, _passed_when_saved),
    Check(require_redirect_uri, _passed_when_saved),
    Check(limit_nonce_length, _passed_when_saved),
    Check(refuse_request_objects, _passed_when_saved),
    Check(check_response_mode, _passed_when_saved),
    Check(verify_id_token_hint, _passed_when_saved),
    Check(reload_request, _never_passed, on_request=False),
    Check(offer_account_creation, _sign_in_done),
    Check(require_sso_session, _never_passed),
    Check(require_fresh_sign_in, _sign_in_done),
    Check(finish_journey, _journey_done),
    Check(issue_code, _never_passed),
]


def _run_checks(auth: Authorization):
    for check in CHECKS:
        runs = not check.passed_by(auth.interaction) if auth.resumed else check.on_request
        if runs:
            response = check.run(auth)
            if response is not None:
                return response
    raise AssertionError("issue_code always answers")


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


def process_authorization(params: dict[str, list[str]]):
    """Run a portal's authorization request through ``CHECKS``: a code, an error, or
    the browser sent to sign in (or to another step of the journey)."""
    auth = Authorization(_with_default_scopes(params), browser.signed_in_user())
    return _run_checks(auth)


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


@answers_portal
def answer_signed_in(interaction: Interaction, signed_in: SignedInUser):
    """The sign-in inside ``interaction`` is complete (``signed_in``: its new SSO
    session): resume the portal's request now, in the sign-in's own request."""
    auth = Authorization(interaction.params, signed_in, interaction=interaction, resumed=True)
    return _run_checks(auth)


def resume(uid: str):
    """Continue a saved authorization request after the user signed in (or declined),
    through the checks it has not passed yet."""
    interaction = browser.current_interaction() if browser.owns_interaction(uid) else None
    if not portal_waiting(interaction):
        return render_template("errors/interaction.html"), 400
    if interaction.denied_at is not None:
        return _deny(interaction)
    auth = Authorization(
        interaction.params, browser.signed_in_user(), interaction=interaction, resumed=True
    )
    return _run_checks(auth)
