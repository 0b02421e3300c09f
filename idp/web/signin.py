"""Sign in (SPEC §3.1): the ID-or-email step, then the password step."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from ..errors import DomainError, SharedEmailNeedsId
from ..extensions import get_settings
from ..lifecycle.authentication import authenticate_password
from ..lifecycle.interactions import prompt_of
from . import browser, flow
from .forms import IdentifierForm, PasswordForm

bp = Blueprint("signin", __name__)

REMEMBER_COOKIE = "ohid_remember"
REMEMBER_DAYS = 365


def _login_hint() -> str:
    """The ID to prefill: what the portal hinted (login_hint or id_token_hint)."""
    return prompt_of(browser.current_interaction()).login_hint


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
    return render_template(
        "signin/identifier.html",
        form=form,
        error=session.pop("signin_needs_id", None) if request.method == "GET" else None,
    )


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
        except SharedEmailNeedsId as exc:
            # Said only after a right password: the email alone reveals nothing.
            session.pop("signin_identifier", None)
            session["signin_needs_id"] = exc.text
            return redirect(url_for("signin.start"))
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
    browser.sign_out_browser()
    return redirect(url_for("signin.start", signed_out=1))
