"""My Profile's "Manage Verification Options" (SPEC §3.5, §3.7): passkeys, authenticator
apps, the recovery code and remembered browsers, under ``/profile/security/``;
``templates/security/_manage.html`` is the partial My Profile includes. Adding a
method uses the Setup pages of ``web/register_security.py``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from ..errors import DomainError
from ..lifecycle.devices import forget_device, remembered_devices
from ..lifecycle.passkeys import (
    rename_passkey,
)
from ..lifecycle.recovery_codes import regenerate_recovery_code
from ..lifecycle.second_factors import (
    METHODS,
    has_strong_method,
    remove_enrolled,
)
from ..policy.mfa import group_recovery_code
from .flow import signed_in_page
from .mfa_forms import ManageForm, RenameForm

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
