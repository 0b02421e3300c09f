"""The debugger (SPEC §5.4 ``/_qa/debugger``): a relying party for any registered client.

It does what a portal does, over HTTP against this issuer: discovery, the
authorization request (with PKCE, state and nonce), the code exchange, the
standard ID token checks against the published JWKS, userinfo, refresh,
revocation and RP-initiated sign-out, and shows every request and answer.

Its calls go through the server's fetch module (no redirects, one deadline,
a byte cap). It never changes a client's registration: while a run is open,
that run lets the client use the debugger's two URIs (``DebuggerRun.allows``).
The client secret is checked before the run starts and kept in a signed
cookie of this browser (path /_qa/debugger), never in the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from wtforms import IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..extensions import get_clock, get_settings, now
from ..fetch import FetchAnswer, FetchError, fetch
from ..lifecycle.clients import find_client
from ..policy.id_token_checks import check_id_token
from ..policy.mfa import ACR_VALUES_SUPPORTED
from ..store import oauth as oauth_store
from ..store import qa as qa_store
from ..store.models import DebuggerRun, OAuth2Client
from .api import bp as qa_bp
from .api import form_page

bp = Blueprint("debugger", __name__, url_prefix="/debugger")
# Nested in the QA blueprint: its guard (loopback or QA token) applies, but not its
# CSRF exemption, so these forms keep their CSRF check.
qa_bp.register_blueprint(bp)

THROWAWAY = "__throwaway__"
# Each call to the issuer: its deadline, and the most it may answer.
HTTP_SECONDS = 10
HTTP_MAX_BYTES = 1024 * 1024
ID_TOKEN_ALGS = ["RS256", "ES256"]
# Client secrets of the latest runs (by run id), in a signed cookie of the browser.
SECRETS_COOKIE = "ohid_debugger"
SECRETS_KEPT = 5


class DebuggerError(Exception):
    """The provider could not be reached or answered nonsense; the text says which."""


class StartForm(FlaskForm):
    client_id = SelectField("Client", validate_choice=False)
    client_secret = StringField(
        "Client secret", validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "off"}
    )
    scope = StringField(
        "scope", default="openid profile email", validators=[DataRequired(), Length(max=500)]
    )
    prompt = SelectField(
        "prompt",
        choices=[SelectChoice("", "(not sent)")]
        + [SelectChoice(p, p) for p in ("none", "login", "consent", "select_account", "create")],
    )
    acr_values = SelectField(
        "acr_values",
        choices=[SelectChoice("", "(not sent)")]
        + [SelectChoice(a, a) for a in ACR_VALUES_SUPPORTED],
    )
    max_age = IntegerField(
        "max_age (seconds)",
        validators=[
            Optional(),
            NumberRange(0, 10**8, message="Give max_age as whole seconds, 0 or more."),
        ],
    )
    login_hint = StringField("login_hint", validators=[Optional(), Length(max=254)])
    start = SubmitField("Start login")


class ActionForm(FlaskForm):
    """The refresh, revoke and sign-out buttons (CSRF-protected)."""


def _callback_uri() -> str:
    return get_settings().issuer + "/_qa/debugger/callback"


def _signed_out_uri() -> str:
    return get_settings().issuer + "/_qa/debugger/signed-out"


def _call(
    method: str,
    url: str,
    *,
    form: dict | None = None,
    json_body: dict | None = None,
    basic: tuple[str, str] | None = None,
    bearer: str | None = None,
) -> FetchAnswer:
    """One HTTP call to the provider, as a relying party makes it."""
    headers = {"Accept": "application/json"}
    body = None
    if form is not None:
        body = urlencode(form).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if json_body is not None:
        body = json.dumps(json_body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if basic is not None:
        pair = f"{basic[0]}:{basic[1]}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        return fetch(
            url,
            rule=get_settings().fetch_rule,
            seconds=HTTP_SECONDS,
            max_bytes=HTTP_MAX_BYTES,
            method=method,
            body=body,
            headers=headers,
        )
    except FetchError as exc:
        raise DebuggerError(f"Could not call {url}: {exc}") from None


def _provider() -> dict:
    """The issuer's discovery document, fetched as a relying party would."""
    url = get_settings().issuer + "/.well-known/openid-configuration"
    answer = _call("GET", url)
    try:
        if answer.status != 200:
            raise ValueError(f"HTTP {answer.status}")
        document = answer.json()
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
        return document
    except ValueError as exc:
        raise DebuggerError(f"Could not read {url}: {exc}") from None


def _answer(response: FetchAnswer) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = response.text[:2000]
    return {"status": response.status, "body": body}


def _client_choices() -> list[tuple[str, str]]:
    clients = oauth_store.all_clients(order_by="client_name")
    return [SelectChoice(THROWAWAY, "Register a throw-away client")] + [
        SelectChoice(
            c.client_id, f"{c.client_name} ({c.client_id}, {c.token_endpoint_auth_method})"
        )
        for c in clients
    ]


def _registered_client(form: StartForm) -> OAuth2Client | None:
    """The chosen registered client, checked; errors go next to the fields."""
    client = find_client(form.client_id.data)
    if client is None:
        form.client_id.errors.append("Pick a registered client or a throw-away one.")
        return None
    method = client.token_endpoint_auth_method
    if method == "private_key_jwt":
        form.client_id.errors.append(
            "This client signs its own client assertions (private_key_jwt); the debugger "
            "cannot. Pick another client or a throw-away one."
        )
        return None
    if method != "none" and not form.client_secret.data:
        form.client_secret.errors.append(f"This client uses {method}: type its client secret.")
        return None
    if method != "none" and not client.check_client_secret(form.client_secret.data):
        form.client_secret.errors.append(
            f"That is not the client secret of {client.client_id}: type it again."
        )
        return None
    return client


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="debugger-secrets")


def _kept_secrets() -> dict:
    try:
        kept = _signer().loads(request.cookies.get(SECRETS_COOKIE, ""))
    except BadSignature:
        return {}
    return kept if isinstance(kept, dict) else {}


def _keep_secret(response, run_id: str, secret: str | None):
    """Put the run's client secret in the browser's signed cookie (the latest few runs)."""
    kept = _kept_secrets()
    kept[run_id] = secret
    response.set_cookie(
        SECRETS_COOKIE,
        _signer().dumps(dict(list(kept.items())[-SECRETS_KEPT:])),
        path=url_for(".start"),
        httponly=True,
        samesite="Lax",
        secure=get_settings().secure_cookies,
    )
    return response


def _secret_of(run: DebuggerRun) -> str | None:
    kept = _kept_secrets()
    if run.id not in kept:
        raise DebuggerError(
            "This browser does not hold the client secret of this run (it stays in the "
            "browser that started it): start a new login."
        )
    return kept[run.id]


def _register_throwaway(provider: dict) -> tuple[str, str, str]:
    """RFC 7591: register a client for this run; returns (client_id, secret, auth method)."""
    endpoint = provider.get("registration_endpoint")
    if not endpoint:
        raise DebuggerError("Dynamic client registration is off (clients.dynamic_registration).")
    response = _call(
        "POST",
        endpoint,
        json_body={
            "client_name": "mock-ohid debugger (throw-away)",
            "redirect_uris": [_callback_uri()],
            "post_logout_redirect_uris": [_signed_out_uri()],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
        },
    )
    body = _answer(response)["body"]
    if response.status != 201 or not isinstance(body, dict):
        raise DebuggerError(f"Registration refused: {body}")
    return body["client_id"], body["client_secret"], "client_secret_basic"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@bp.route("", methods=["GET", "POST"])
@form_page
def start():
    """Pick a client and the request's options; Start login goes to the authorization endpoint."""
    form = StartForm()
    form.client_id.choices = _client_choices()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("qa/debugger.html", form=form, run=None), status
    if "openid" not in form.scope.data.split():
        form.scope.errors.append("The debugger signs in with OpenID Connect: include openid.")
        return render_template("qa/debugger.html", form=form, run=None), 400
    try:
        provider = _provider()
        if form.client_id.data == THROWAWAY:
            client_id, secret, method = _register_throwaway(provider)
        else:
            client = _registered_client(form)
            if client is None:
                return render_template("qa/debugger.html", form=form, run=None), 400
            client_id, secret = client.client_id, form.client_secret.data or None
            method = client.token_endpoint_auth_method
    except DebuggerError as exc:
        return render_template("qa/debugger.html", form=form, run=None, problem=str(exc)), 502
    verifier, challenge = _pkce()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": _callback_uri(),
        "scope": form.scope.data,
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    for name in ("prompt", "acr_values", "login_hint"):
        if getattr(form, name).data:
            params[name] = getattr(form, name).data
    if form.max_age.data is not None:
        params["max_age"] = str(form.max_age.data)
    authorize_url = f"{provider['authorization_endpoint']}?{urlencode(params)}"
    run = DebuggerRun(
        id=secrets.token_urlsafe(24),
        state=params["state"],
        client_id=client_id,
        created_at=now(),
        data={
            "client": {"client_id": client_id, "method": method},
            # What this run lets the client use besides its registration.
            "allowed_uris": {
                "redirect_uri": _callback_uri(),
                "post_logout_redirect_uri": _signed_out_uri(),
            },
            "nonce": params["nonce"],
            "code_verifier": verifier,
            "authorization_request": {"url": authorize_url, "params": params},
            "steps": [],
        },
    )
    qa_store.add_debugger_run(run)
    return _keep_secret(redirect(authorize_url), run.id, secret)


def _client_auth(run: DebuggerRun, form: dict) -> tuple[dict, tuple | None]:
    """The token-endpoint client authentication the client registered (RFC 6749 §2.3.1)."""
    client = run.data["client"]
    form = dict(form)
    if client["method"] == "client_secret_basic":
        # §2.3.1: both are form-urlencoded before they go into the Basic header.
        return form, (quote_plus(client["client_id"]), quote_plus(_secret_of(run) or ""))
    form["client_id"] = client["client_id"]
    if client["method"] == "client_secret_post":
        form["client_secret"] = _secret_of(run) or ""
    return form, None


def _decode_part(part: str) -> dict:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def _inspect_id_token(provider: dict, id_token: str, client_id: str, nonce, access_token) -> dict:
    """Header, claims and the standard checks of an ID token."""
    try:
        header_part, claims_part, _ = id_token.split(".")
        header, claims = _decode_part(header_part), _decode_part(claims_part)
    except (ValueError, UnicodeDecodeError):
        return {"problem": "The ID token is not a compact JWS (header.claims.signature)."}
    alg = header.get("alg", "")
    signature_error = None
    try:
        jwks = _call("GET", provider["jwks_uri"]).json()
        jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=ID_TOKEN_ALGS)
    except (DebuggerError, ValueError, JoseError) as exc:
        signature_error = str(exc) or type(exc).__name__
    checks = check_id_token(
        claims,
        alg=alg,
        signature_error=signature_error,
        issuer=provider["issuer"],
        client_id=client_id,
        # A portal checks exp and iat against its own, real clock.
        now=get_clock().real_timestamp(),
        nonce=nonce,
        access_token=access_token,
    )
    return {
        "raw": id_token,
        "header": header,
        "claims": claims,
        "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks],
    }


def _inspect_access_token(provider: dict, access_token: str) -> dict:
    """Header and claims of a JWT access token (RFC 9068), its signature checked
    against the JWKS as a portal's API would; opaque tokens are said to be so."""
    try:
        header_part, claims_part, _ = access_token.split(".")
        header, claims = _decode_part(header_part), _decode_part(claims_part)
    except (ValueError, UnicodeDecodeError):
        return {"opaque": True}
    signature_error = None
    try:
        jwks = _call("GET", provider["jwks_uri"]).json()
        jwt.decode(access_token, KeySet.import_key_set(jwks), algorithms=ID_TOKEN_ALGS)
    except (DebuggerError, ValueError, JoseError) as exc:
        signature_error = str(exc) or type(exc).__name__
    return {"header": header, "claims": claims, "signature_error": signature_error}


def _call_userinfo(provider: dict, access_token: str) -> dict:
    response = _call("GET", provider["userinfo_endpoint"], bearer=access_token)
    answer = _answer(response)
    if response.status >= 400:
        answer["www_authenticate"] = response.headers.get("WWW-Authenticate", "")
    return answer


def _token_call(run: DebuggerRun, provider: dict, form: dict, nonce) -> dict:
    """POST to the token endpoint; on success inspect the ID token and call userinfo."""
    data = dict(run.data)
    body, auth = _client_auth(run, form)
    response = _call("POST", provider["token_endpoint"], form=body, basic=auth)
    answer = _answer(response)
    data["token_response"] = answer
    tokens = answer["body"] if response.status == 200 and isinstance(answer["body"], dict) else {}
    if tokens.get("access_token"):
        # A refresh answer may omit the refresh token: keep the one we hold then.
        held = {k: v for k, v in data.get("tokens", {}).items() if k == "refresh_token"}
        fresh = {k: tokens[k] for k in ("access_token", "refresh_token", "id_token") if k in tokens}
        data["tokens"] = held | fresh
        if tokens.get("id_token"):
            data["id_token"] = _inspect_id_token(
                provider,
                tokens["id_token"],
                data["client"]["client_id"],
                nonce,
                tokens["access_token"],
            )
        data["access_token"] = _inspect_access_token(provider, tokens["access_token"])
        data["userinfo"] = _call_userinfo(provider, tokens["access_token"])
    return data


def _run_or_404(run_id: str) -> DebuggerRun:
    run = qa_store.find_debugger_run(run_id) if len(run_id) <= 64 else None
    if run is None:
        abort(404, "No such debugger run.")
    return run


def _step(data: dict, text: str) -> dict:
    data = dict(data)
    data["steps"] = [*data.get("steps", []), text]
    return data


@bp.get("/callback")
@form_page
def callback():
    """The redirect URI: record the authorization response, then exchange the code."""
    state = request.args.get("state", "")
    run = qa_store.debugger_run_with_state(state)
    if run is None or not state:
        abort(400, "This answer's state matches no login started in the debugger.")
    data = _step(run.data, "Authorization response received")
    data["authorization_response"] = dict(request.args)
    iss = request.args.get("iss")
    try:
        provider = _provider()
        if iss is not None and iss != provider["issuer"]:
            data["iss_problem"] = f"iss {iss!r} is not the issuer {provider['issuer']!r} (RFC 9207)"
        if "code" in request.args and "iss_problem" not in data:
            run.data = data
            data = _step(
                _token_call(
                    run,
                    provider,
                    {
                        "grant_type": "authorization_code",
                        "code": request.args["code"],
                        "redirect_uri": _callback_uri(),
                        "code_verifier": data["code_verifier"],
                    },
                    data["nonce"],
                ),
                "Code exchanged at the token endpoint",
            )
    except DebuggerError as exc:
        data["problem"] = str(exc)
    run.data = data
    return redirect(url_for(".show", run_id=run.id))


@bp.get("/runs/<run_id>")
@form_page
def show(run_id: str):
    """Everything the login sent and received, with the ID token checks."""
    run = _run_or_404(run_id)
    return render_template("qa/debugger.html", form=None, actions=ActionForm(), run=run)


def _action(run_id: str, act):
    run = _run_or_404(run_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    try:
        run.data = act(run, _provider())
    except DebuggerError as exc:
        run.data = dict(run.data, problem=str(exc))
    return redirect(url_for(".show", run_id=run.id))


@bp.post("/runs/<run_id>/refresh")
@form_page
def refresh(run_id: str):
    """Exchange the refresh token (RFC 6749 §6) and check the new ID token."""

    def act(run, provider):
        token = run.data.get("tokens", {}).get("refresh_token")
        if not token:
            return dict(
                run.data,
                problem="No refresh token: the client is not allowed the refresh_token grant"
                " (or tokens.refresh_token_requires_offline_access is on: ask for offline_access).",
            )
        data = _token_call(
            run, provider, {"grant_type": "refresh_token", "refresh_token": token}, None
        )
        return _step(data, "Refreshed at the token endpoint")

    return _action(run_id, act)


@bp.post("/runs/<run_id>/revoke")
@form_page
def revoke(run_id: str):
    """Revoke the access and refresh tokens (RFC 7009), then call userinfo again."""

    def act(run, provider):
        data = dict(run.data)
        tokens = data.get("tokens", {})
        answers = {}
        for kind in ("access_token", "refresh_token"):
            if tokens.get(kind):
                body, auth = _client_auth(run, {"token": tokens[kind], "token_type_hint": kind})
                response = _call("POST", provider["revocation_endpoint"], form=body, basic=auth)
                answers[kind] = _answer(response)
        data["revocation"] = answers
        if tokens.get("access_token"):
            data["userinfo"] = _call_userinfo(provider, tokens["access_token"])
        return _step(data, "Tokens revoked; userinfo called again")

    return _action(run_id, act)


@bp.post("/runs/<run_id>/signout")
@form_page
def sign_out(run_id: str):
    """RP-initiated logout: send the browser to the end-session endpoint."""
    run = _run_or_404(run_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    try:
        provider = _provider()
    except DebuggerError as exc:
        run.data = dict(run.data, problem=str(exc))
        return redirect(url_for(".show", run_id=run.id))
    params = {
        "client_id": run.client_id,
        "post_logout_redirect_uri": _signed_out_uri(),
        "state": run.state,
    }
    id_token = run.data.get("tokens", {}).get("id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return redirect(f"{provider['end_session_endpoint']}?{urlencode(params)}")


@bp.get("/signed-out")
@form_page
def signed_out():
    """Where the provider sends the browser after sign-out."""
    state = request.args.get("state", "")
    run = qa_store.debugger_run_with_state(state)
    if run is None or not state:
        abort(400, "This sign-out's state matches no debugger run.")
    run.data = _step(dict(run.data, signed_out=True), "Signed out at the end-session endpoint")
    return redirect(url_for(".show", run_id=run.id))
