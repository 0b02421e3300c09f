"""Passkeys, authenticator apps and the recovery code (SPEC §3.5, §3.7).

"Switch to faster and more secure sign-in methods" (``/register/security``)
is a step of the registration journey and is also reachable from My Profile.
The management actions of My Profile's "Manage Verification Options" live
under ``/profile/security/``; ``templates/security/_manage.html`` is the
partial My Profile includes.
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
from ..lifecycle.devices import forget_device, remembered_devices
from ..lifecycle.mfa import first_recovery_code
from ..lifecycle.passkeys import (
    begin_passkey_registration,
    finish_passkey_registration,
    rename_passkey,
)
from ..lifecycle.recovery_codes import regenerate_recovery_code
from ..lifecycle.second_factors import (
    AUTHENTICATOR,
    METHODS,
    PASSKEY,
    has_strong_method,
    remove_enrolled,
)
from ..messages import message
from ..policy.mfa import ACR_MULTI_FACTOR, group_recovery_code, passkey_amr
from . import browser, flow
from .flow import signed_in_page
from .mfa import keep_ceremony, take_ceremony
from .mfa_forms import CodeForm, ContinueForm, ManageForm, PasskeyForm, RenameForm

bp = Blueprint("security", __name__)


@bp.app_context_processor
def _template_helpers():
    # "Manage Verification Options" renders each method of the table with its own partial.
    return {
        "second_factor_methods": METHODS,
        "has_strong_method": has_strong_method,
        "remembered_devices": remembered_devices,
        "group_recovery_code": group_recovery_code,
    }


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
        "security/done.html",
        success=success,
        code=group_recovery_code(code) if code else None,
        # From My Profile, Continue goes back there, not through the registration offer.
        continue_to=url_for("security.offer" if in_registration else "security.manage"),
    )


# --- "Switch to faster and more secure sign-in methods" ---------------------------------


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
        "security/offer.html",
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
        "security/passkey.html", form=PasskeyForm(formdata=None), ip_warning=_ip_warning()
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
            "security/passkey.html", form=form, ip_warning=_ip_warning(), error=None
        ), 400
    try:
        row = finish_passkey_registration(user, take_ceremony("register"), form.credential.data)
    except DomainError as exc:
        return render_template(
            "security/passkey.html", form=form, ip_warning=_ip_warning(), error=exc
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
        return redirect(url_for("security.authenticator"))
    uri = provisioning_uri(user, row)
    # Imported here: only this page draws a QR code.
    import segno

    qr_svg = segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app"
    )
    status = 200 if request.method == "GET" else (401 if error is not None else 400)
    return (
        render_template(
            "security/authenticator.html",
            form=form,
            error=error,
            qr_svg=qr_svg,
            secret=" ".join(row.secret[i : i + 4] for i in range(0, len(row.secret), 4)),
            uri=uri,
        ),
        status,
    )


# --- My Profile: "Manage Verification Options" ---------------------------------------


def _back(form) -> str:
    """Where an action returns to: the page it was on (only our own paths)."""
    target = (form.next.data or "") if form is not None else ""
    if target.startswith("/profile") and not target.startswith("//"):
        return target
    return url_for("security.manage")


@bp.get("/profile/security")
@signed_in_page
def manage(signed_in):
    """Passkeys, authenticator apps, recovery code and remembered devices."""
    user = signed_in.user
    return render_template("security/manage.html", user=user)


@bp.post("/profile/security/passkeys/<int:passkey_id>/rename")
@signed_in_page
def passkey_rename(signed_in, passkey_id: int):
    user = signed_in.user
    form = RenameForm()
    if not form.validate_on_submit():
        return redirect(_back(form))
    try:
        row = rename_passkey(user, passkey_id, form.name.data)
    except DomainError as exc:
        return render_template(
            "security/manage.html",
            user=user,
            rename_errors={passkey_id: exc.text},
            return_to=url_for("security.manage"),
        ), 400
    if row is None:
        return render_template(
            "errors/http.html",
            code=404,
            name="Not Found",
            description="That passkey is not on your account.",
        ), 404
    flash("Your passkey was renamed.", "info")
    return redirect(_back(form))


@bp.post("/profile/security/passkeys/<int:passkey_id>/remove")
@signed_in_page
def passkey_remove(signed_in, passkey_id: int):
    return _remove(signed_in.user, "passkey", passkey_id, "The passkey was removed.")


@bp.post("/profile/security/authenticators/<int:authenticator_id>/remove")
@signed_in_page
def authenticator_remove(signed_in, authenticator_id: int):
    return _remove(
        signed_in.user, "authenticator", authenticator_id, "The authenticator app was removed."
    )


def _remove(user, kind: str, method_id: int, done: str):
    form = ManageForm()
    if not form.validate_on_submit():
        return redirect(_back(form))
    if not remove_enrolled(user, kind, method_id):
        return render_template(
            "errors/http.html",
            code=404,
            name="Not Found",
            description="That sign-in method is not on your account.",
        ), 404
    flash(done, "info")
    return redirect(_back(form))


@bp.post("/profile/security/recovery-code")
@signed_in_page
def recovery_code_regenerate(signed_in):
    """A new recovery code, shown once; the old one stops working."""
    user = signed_in.user
    form = ManageForm()
    if not form.validate_on_submit() or not has_strong_method(user):
        return redirect(_back(form))
    code = regenerate_recovery_code(user)
    return render_template(
        "security/recovery_code.html", code=group_recovery_code(code), back=_back(form)
    )


@bp.post("/profile/security/devices/<int:device_id>/forget")
@signed_in_page
def device_forget(signed_in, device_id: int):
    user = signed_in.user
    form = ManageForm()
    if not form.validate_on_submit():
        return redirect(_back(form))
    if not forget_device(user, device_id):
        return render_template(
            "errors/http.html",
            code=404,
            name="Not Found",
            description="That device is not on your account.",
        ), 404
    flash("The device was forgotten.", "info")
    return redirect(_back(form))
