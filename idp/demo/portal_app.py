"""One demo portal: a Flask app signing people in with Authlib's OpenID Connect client.

It does what a real portal does against One Healthcare ID: the code flow with
PKCE and nonce, userinfo, RP-initiated sign-out through ``end_session``, and
back-channel logout (OIDC Back-Channel Logout 1.0 §2.6: validate the logout
token, then end the local session of that ``sid``).
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, jsonify, redirect, render_template, request, session, url_for
from flask_wtf import CSRFProtect
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..resources import PACKAGE_DIR, bundled_path
from .portal_rules import (
    ACCOUNT_DEACTIVATED,
    ACCOUNT_REACTIVATED,
    SHARED_EMAIL_REFUSED,
    TIMED_OUT,
    IssuerClock,
    PortalAccounts,
    is_timed_out,
)
from .portals import ACCESS_FORMS, Portal

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
STANDARD_CLAIMS = (
    "sub",
    "preferred_username",
    "name",
    "email",
    "email_verified",
    "acr",
    "amr",
    "auth_time",
    "sid",
)
PORTAL_CLAIMS = (
    "npi",
    "tax_ids",
    "state",
    "role",
    "job_functions",
    "practice_name",
    "provider_type",
)


class EndedSessions:
    """The ``sid`` values One Healthcare ID said have ended (shared by the app's threads)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sids: set[str] = set()

    def add(self, sid: str) -> None:
        with self._lock:
            self._sids.add(sid)

    def __contains__(self, sid) -> bool:
        with self._lock:
            return sid in self._sids


def check_logout_token(token: str, keys: KeySet, issuer: str, client_id: str) -> dict:
    """The claims of a valid logout token (§2.6), or ValueError saying why not."""
    try:
        decoded = jwt.decode(token, keys, algorithms=["RS256", "ES256"])
    except (JoseError, ValueError) as exc:
        raise ValueError(f"signature: {exc}") from None
    claims = decoded.claims
    aud = claims.get("aud")
    if claims.get("iss") != issuer:
        raise ValueError("iss is not the issuer")
    if client_id not in (aud if isinstance(aud, list) else [aud]):
        raise ValueError("aud is not this portal")
    if LOGOUT_EVENT not in (claims.get("events") or {}):
        raise ValueError("not a logout token (events)")
    if "nonce" in claims:
        raise ValueError("a logout token must not have a nonce")
    if not claims.get("sid") and not claims.get("sub"):
        raise ValueError("no sid or sub")
    return claims


def create_portal_app(
    portal: Portal,
    issuer: str,
    secret: str | None,
    auth_method: str,
    url: str,
    qa_token: str = "",
):
    """The Flask app of ``portal``, served at ``url`` (http://localhost:PORT).

    ``issuer`` is where the portal's backend reaches the provider; tokens are checked
    against the issuer its discovery document names (the same URL unless the provider
    splits browser and back-channel host names). ``qa_token`` lets the portal read One
    Healthcare ID's QA clock where the QA API asks for one; the portal's own time rules
    run on that clock.
    """
    app = Flask(
        f"demo-{portal.client_id}",
        template_folder=str(bundled_path("templates")),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    app.config.update(
        SECRET_KEY=secrets.token_urlsafe(32),
        # Browsers share cookies across ports of one host: each portal needs its own name.
        SESSION_COOKIE_NAME=f"{portal.client_id}-session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    csrf = CSRFProtect(app)
    ended = EndedSessions()
    clock = IssuerClock(issuer, qa_token)
    accounts = PortalAccounts()
    oauth = OAuth(app)
    ohid = oauth.register(
        "ohid",
        client_id=portal.client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": portal.scope,
            "token_endpoint_auth_method": auth_method,
            "code_challenge_method": "S256",
        },
    )

    def page(template: str, **context):
        return render_template(f"demo/{template}", portal=portal, issuer=issuer, url=url, **context)

    def signed_in_user():
        user = session.get("user")
        if user and user.get("sid") in ended:
            session.clear()
            session["notice"] = (
                "You were signed out: One Healthcare ID ended your session (back-channel logout)."
            )
            return None
        if user and portal.idle_minutes:
            moment = clock.now()
            last_seen = datetime.fromisoformat(session.get("last_seen", moment.isoformat()))
            if is_timed_out(last_seen, moment, portal.idle_minutes):
                return time_out()
            session["last_seen"] = moment.isoformat()
        return user

    def time_out():
        session.clear()
        session["notice"] = TIMED_OUT.format(portal=portal.name, minutes=portal.idle_minutes)
        return None

    @app.get("/")
    def home():
        user = signed_in_user()
        notice = session.pop("notice", None)
        if user is None:
            return page("landing.html", notice=notice)
        claims = user["claims"]
        return page(
            "signed_in.html",
            notice=notice,
            user=user,
            standard=[(n, claims[n]) for n in STANDARD_CLAIMS if n in claims],
            portal_claims=[(n, claims[n]) for n in PORTAL_CLAIMS if n in claims],
            other=[(n, v) for n, v in user["userinfo"].items() if n not in claims and n != "sub"],
            idle_seconds=portal.idle_minutes * 60,
            warning_seconds=portal.idle_warning_minutes * 60,
            which_portal=session.pop("enrolling", False) and portal.family == "Optum Connect",
            access_forms=ACCESS_FORMS,
        )

    def start(**extra):
        return ohid.authorize_redirect(f"{url}/callback", **extra)

    @app.get("/login")
    def login():
        if session.get("reactivate"):
            # Reactivating takes a sign-in of its own, not a silent single sign-on.
            return start(prompt="login")
        return start()

    @app.get("/enroll")
    def enroll():
        """The "One Healthcare ID" link of the "Validate with One Healthcare ID" pop-up:
        sign in (or create an ID) at One Healthcare ID, then choose a portal to register for."""
        session["enrolling"] = True
        return start()

    @app.route("/access-form/<form_name>", methods=["GET", "POST"])
    def access_form(form_name: str):
        """The portal's access form, the One Healthcare ID filled in (Optum Connect guide)."""
        if form_name not in ACCESS_FORMS:
            return page("landing.html", notice="There is no such access form."), 404
        user = signed_in_user()
        if user is None:
            session["notice"] = "Log In (With OHID) first to fill in an access form."
            return redirect(url_for("home"))
        portal_name, title = ACCESS_FORMS[form_name]
        submitted = request.method == "POST"
        return page(
            "access_form.html",
            user=user,
            title=title,
            portal_name=portal_name,
            form_name=form_name,
            submitted=submitted,
            values=request.form if submitted else {},
        )

    @app.get("/register")
    def register():
        # The portal's registration starts with a One Healthcare ID sign-in (Optum Pro guide).
        return start()

    @app.get("/signup")
    def signup():
        # OIDC prompt=create: go straight to "Create One Healthcare ID".
        return start(prompt="create")

    @app.get("/callback")
    def callback():
        try:
            token = ohid.authorize_access_token()
            userinfo = ohid.userinfo(token=token)
        except OAuthError as exc:
            session["notice"] = f"Sign-in did not finish: {exc.error} {exc.description or ''}"
            return redirect(url_for("home"))
        claims = dict(token["userinfo"])
        refusal = portal_refusal(claims, dict(userinfo))
        if refusal is not None:
            return refusal
        notice = portal_notice()
        enrolling = session.get("enrolling", False)
        session.clear()
        if enrolling:
            session["enrolling"] = True
        if notice:
            session["notice"] = notice
        if portal.idle_minutes:
            session["last_seen"] = clock.now().isoformat()
        session["user"] = {
            "claims": claims,
            "userinfo": dict(userinfo),
            "id_token": token["id_token"],
            "sid": claims.get("sid"),
        }
        return redirect(url_for("home"))

    def portal_refusal(claims: dict, userinfo: dict):
        """The page of a sign-in the portal refuses by its own rules, or None."""
        if portal.refuses_shared_email and (
            claims.get("email_shared") or userinfo.get("email_shared")
        ):
            session.clear()
            return page("refused.html", message=SHARED_EMAIL_REFUSED), 403
        if not portal.inactivity_days:
            return None
        reactivate = bool(session.pop("reactivate", False))
        status = accounts.sign_in(claims["sub"], clock.now(), portal.inactivity_days, reactivate)
        if status == "deactivated":
            session.clear()
            session["reactivate"] = True
            message = ACCOUNT_DEACTIVATED.format(portal=portal.name, days=portal.inactivity_days)
            return page("deactivated.html", message=message), 403
        session["portal_status"] = status
        return None

    def portal_notice() -> str | None:
        if session.pop("portal_status", None) == "reactivated":
            return ACCOUNT_REACTIVATED.format(portal=portal.name)
        return None

    @app.post("/timeout")
    def timeout():
        """The page's idle timer ran out: sign out of the portal (not of One Healthcare ID)."""
        if session.get("user"):
            time_out()
        return redirect(url_for("home"))

    @app.post("/logout")
    def logout():
        user = session.pop("user", None)
        metadata = ohid.load_server_metadata()
        params = {"client_id": portal.client_id, "post_logout_redirect_uri": f"{url}/"}
        if user:
            params["id_token_hint"] = user["id_token"]
        session["notice"] = "You signed out."
        return redirect(f"{metadata['end_session_endpoint']}?{urlencode(params)}")

    @app.post("/backchannel-logout")
    @csrf.exempt
    def backchannel_logout():
        token = request.form.get("logout_token", "")
        try:
            keys = KeySet.import_key_set(ohid.fetch_jwk_set(force=True))
            named_issuer = ohid.load_server_metadata()["issuer"]
            claims = check_logout_token(token, keys, named_issuer, portal.client_id)
        except ValueError as exc:
            return jsonify(error="invalid_request", error_description=str(exc)), 400
        if claims.get("sid"):
            ended.add(claims["sid"])
        response = jsonify()
        response.headers["Cache-Control"] = "no-store"
        return response

    return app
