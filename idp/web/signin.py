"""Sign in (SPEC §3.1): the ID-or-email step, then the password step."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from ..errors import DomainError
from ..extensions import db, get_settings
from ..lifecycle.authentication import authenticate_password, end_sso_session, load_sso_session
from ..models import User
from ..oidc.id_tokens import read_id_token_hint
from . import flow
from .forms import IdentifierForm, PasswordForm

bp = Blueprint("signin", __name__)

REMEMBER_COOKIE = "ohid_remember"
REMEMBER_DAYS = 365


def _login_hint() -> str:
    """The ID to prefill: the portal's login_hint, else the user its id_token_hint names."""
    interaction = flow.current_interaction()
    if interaction is None:
        return ""
    hint = (interaction.params.get("login_hint") or [""])[0][:254]
    if hint:
        return hint
    claims = read_id_token_hint((interaction.params.get("id_token_hint") or [""])[0])
    if claims is None:
        return ""
    user = db.session.execute(db.select(User).filter_by(sub=claims["sub"])).scalar_one_or_none()
    return user.username if user is not None else ""


@bp.route("/signin", methods=["GET", "POST"])
def start():
    """Step 1: "One Healthcare ID or Email Address", then "Continue"."""
    form = IdentifierForm()
    if request.method == "GET":
        remembered = request.cookies.get(REMEMBER_COOKIE, "")
        form.identifier.data = _login_hint() or remembered
        form.remember.data = bool(remembered)
    if form.validate_on_submit():
        identifier = form.identifier.data.strip()
        session["signin_identifier"] = identifier
        response = make_response(redirect(url_for("signin.password")))
        settings = get_settings()
        if form.remember.data:
            response.set_cookie(
                REMEMBER_COOKIE,
                identifier,
                max_age=REMEMBER_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=settings.secure_cookies,
            )
        else:
            response.delete_cookie(REMEMBER_COOKIE)
        return response
    return render_template("signin/identifier.html", form=form)


@bp.route("/signin/password", methods=["GET", "POST"])
def password():
    """Step 2: "Password", then "Sign In"."""
    identifier = session.get("signin_identifier")
    if not identifier:
        return redirect(url_for("signin.start"))
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate_password(identifier, form.password.data)
        except DomainError as exc:
            error = exc
        else:
            session.pop("signin_identifier", None)
            flow.begin_sign_in(user, ["pwd"])
            return flow.continue_sign_in()
    status = 200 if error is None else 401
    return (
        render_template("signin/password.html", form=form, identifier=identifier, error=error),
        status,
    )


@bp.route("/signout", methods=["POST"])
def signout():
    """End this browser's SSO session and show the sign-in page."""
    sso = load_sso_session(session.get("sso"), touch=False)
    if sso is not None:
        end_sso_session(sso)
    session.clear()
    return redirect(url_for("signin.start", signed_out=1))
