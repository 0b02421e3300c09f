"""Switch to faster and more secure sign-in methods (``/register/security``), a step of
the registration journey, and its Setup pages for a passkey and an authenticator app
(SPEC §3.5, §3.7). My Profile's "Manage Verification Options" links to the same
Setup pages; its management actions are ``web/security.py``'s.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for

from ..errors import DomainError
from ..extensions import get_settings
from ..lifecycle.authenticators import (
    begin_authenticator_setup,
    confirm_authenticator,
    pending_authenticator,
    provisioning_uri,
)
from ..lifecycle.mfa import first_recovery_code
from ..lifecycle.passkeys import (
    begin_passkey_registration,
    finish_passkey_registration,
)
from ..lifecycle.second_factors import (
    AUTHENTICATOR,
    PASSKEY,
)
from ..messages import message
from ..policy.mfa import ACR_MULTI_FACTOR, group_recovery_code, passkey_amr
from . import browser, flow
from .mfa import keep_ceremony, take_ceremony
from .mfa_forms import CodeForm, ContinueForm, PasskeyForm

bp = Blueprint("register_security", __name__)


def _security_user():
    """(user, in_registration) for a new registrant or a signed-in user; else (None, False).

    Someone part-way through signing in (password given, second factor not)
    must not add a method: that would let a password alone bypass the
    second factor.
    """
    state = flow.current_sign_in()
    if state is not None:
        if state.registration:
            return flow.signing_in_user(), True
        return None, False
    signed_in = browser.signed_in_user()
    return (signed_in.user, False) if signed_in is not None else (None, False)


def _ip_warning() -> str | None:
    settings = get_settings()
    return message("rp_id_is_ip", host=settings.rp_id) if settings.issuer_host_is_ip else None


def _method_added(user, in_registration: bool, kind: str, success: str):
    """After a passkey or authenticator is set up: success, recovery code, Continue."""
    if in_registration:
        # Setting the method up proved the user holds it: it is this sign-in's second factor.
        flow.add_methods([kind, "mfa"], acr=ACR_MULTI_FACTOR)
    code = first_recovery_code(user)
    return render_template(
        "register/security_done.html",
        success=success,
        code=group_recovery_code(code) if code else None,
        # From My Profile, Continue goes back there, not through the registration offer.
        continue_to=url_for("register_security.offer" if in_registration else "security.manage"),
    )


@bp.route("/register/security", methods=["GET", "POST"])
def offer():
    """Rows Passkey and Authenticator, each with "Setup", and "Continue"."""
    user, in_registration = _security_user()
    if user is None:
        return redirect(url_for("signin.start"))
    form = ContinueForm()
    if form.validate_on_submit():
        if in_registration:
            flow.update_sign_in(security_methods_offered=True)
            return flow.continue_sign_in()
        return redirect(url_for("profile.show"))
    return render_template(
        "register/security_offer.html",
        user=user,
        passkeys=PASSKEY.enrolled(user),
        authenticators=AUTHENTICATOR.enrolled(user),
        form=form,
        ip_warning=_ip_warning(),
    )


@bp.get("/register/security/passkey")
def passkey():
    """Passkey Setup."""
    user, _ = _security_user()
    if user is None:
        return redirect(url_for("signin.start"))
    return render_template(
        "register/security_passkey.html", form=PasskeyForm(formdata=None), ip_warning=_ip_warning()
    )


@bp.post("/register/security/passkey/options")
def passkey_options():
    """WebAuthn registration options (JSON) for this browser's ceremony."""
    user, _ = _security_user()
    if user is None:
        return jsonify(error="login_required", detail="Sign in first."), 401
    ceremony_id, options = begin_passkey_registration(user)
    keep_ceremony("register", ceremony_id)
    return jsonify(options)


@bp.post("/register/security/passkey")
def passkey_finish():
    """Store the passkey the browser created."""
    user, in_registration = _security_user()
    if user is None:
        return redirect(url_for("signin.start"))
    form = PasskeyForm()
    if not form.validate_on_submit():
        return render_template(
            "register/security_passkey.html", form=form, ip_warning=_ip_warning(), error=None
        ), 400
    try:
        row = finish_passkey_registration(user, take_ceremony("register"), form.credential.data)
    except DomainError as exc:
        return render_template(
            "register/security_passkey.html", form=form, ip_warning=_ip_warning(), error=exc
        ), 400
    kind = passkey_amr(row.device_type, user_verified=False)[0]
    return _method_added(user, in_registration, kind, "Your passkey is set up.")


@bp.route("/register/security/authenticator", methods=["GET", "POST"])
def authenticator():
    """Authenticator Setup: QR code and secret, confirmed with a current code."""
    user, in_registration = _security_user()
    if user is None:
        return redirect(url_for("signin.start"))
    row = pending_authenticator(user, session.get("totp_setup"))
    if row is None and request.method == "GET":
        row = begin_authenticator_setup(user)
        session["totp_setup"] = row.id
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            confirm_authenticator(user, session.get("totp_setup"), form.code.data)
        except DomainError as exc:
            error = exc
        else:
            session.pop("totp_setup", None)
            return _method_added(user, in_registration, "otp", "Your authenticator app is set up.")
    if row is None:
        # The setup this form belonged to is gone (finished or replaced elsewhere).
        flash(message("setup_expired"), "error")
        return redirect(url_for("register_security.authenticator"))
    uri = provisioning_uri(user, row)
    # Imported here: only this page draws a QR code.
    import segno

    qr_svg = segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app"
    )
    status = 200 if request.method == "GET" else (401 if error is not None else 400)
    return (
        render_template(
            "register/security_authenticator.html",
            form=form,
            error=error,
            qr_svg=qr_svg,
            secret=" ".join(row.secret[i : i + 4] for i in range(0, len(row.secret), 4)),
            uri=uri,
        ),
        status,
    )


# --- My Profile: "Manage Verification Options" ---------------------------------------
