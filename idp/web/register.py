"""Create One Healthcare ID (SPEC §3.2), Verify Your Email Address (§3.3) and
Verify Phone Number (§3.4).

After the form is accepted the new user is signing in (``flow.begin_sign_in``),
with the step ``registration`` recorded on the sign-in; the journey then asks
for the email (every sign-in, while it is unverified) and, for a registrant who
gave a phone number, the phone. Each page calls ``flow.continue_journey()``
when its step is done.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from ..audit import record_event
from ..errors import (
    CodeExpired,
    CodeInvalid,
    LinkTokenExpired,
    LinkTokenInvalid,
    RegistrationRefused,
    ResendLimitReached,
    ResendTooSoon,
    SharedEmailWarning,
    TooManyAttempts,
    ValidationFailed,
)
from ..extensions import get_settings
from ..lifecycle.email_verification import (
    activate_by_link,
    check_activation_link,
    confirm_activation_code,
    has_live_code,
    resend_activation_email,
)
from ..lifecycle.phone_verification import (
    CHANNELS,
    call_status,
    confirm_phone_code,
    send_phone_code,
    update_phone,
)
from ..lifecycle.registration import Registration, register_account
from ..messages import message
from ..policy.contact import mask_email, phone_last_four
from ..policy.passwords import password_checklist
from ..policy.usernames import username_checklist
from . import flow
from .register_forms import (
    ActionForm,
    ActivationCodeForm,
    PhoneCodeForm,
    RegistrationForm,
    UpdatePhoneForm,
    split_phone,
)

bp = Blueprint("register", __name__)

CODE_ERRORS = (CodeInvalid, CodeExpired, TooManyAttempts)
RESEND_ERRORS = (ResendTooSoon, ResendLimitReached)


# --- Create One Healthcare ID ---


def _checklists(form: RegistrationForm) -> dict:
    settings = get_settings()
    username = form.username.data or ""
    return {
        "username_rules": username_checklist(username, settings.username),
        "password_rules": password_checklist(form.password.data or "", settings.password, username),
        "settings_username": settings.username,
        "settings_password": settings.password,
    }


def _registration_of(form: RegistrationForm) -> Registration:
    return Registration(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        year_of_birth=form.year_of_birth.data or "",
        email=form.email.data or "",
        username=form.username.data or "",
        password=form.password.data or "",
        password_again=form.password_again.data or "",
        country_code=form.country_code.data or "+1",
        phone=form.phone.data or "",
        questions=form.question_pairs(),
        agreed=bool(form.agreed.data),
        share_email=bool(form.share_email.data),
    )


@bp.route("/register", methods=["GET", "POST"])
def start():
    """The "Create One Healthcare ID" form; "Continue" creates the account."""
    form = RegistrationForm()
    errors: dict[str, list[str]] = {}
    taken: set[str] = set()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user = register_account(_registration_of(form))
            except SharedEmailWarning as exc:
                return _shared_email_page(form, exc), 409
            except RegistrationRefused as exc:
                errors, taken = exc.errors, exc.taken
                status = 409 if taken and set(errors) <= taken else 400
            else:
                flow.begin_sign_in(user, ["pwd"], registration=True)
                return flow.continue_sign_in()
        else:
            errors = {name: list(texts) for name, texts in form.errors.items()}
            status = 400
    return (
        render_template(
            "register/start.html", form=form, errors=errors, taken=taken, **_checklists(form)
        ),
        status,
    )


def _shared_email_page(form: RegistrationForm, warning: SharedEmailWarning):
    """The warning for an email another ID uses: Sign In first, or go on sharing it.

    The second option posts the same form again (its values as hidden fields, as
    the browser sent them) with ``share_email`` set.
    """
    carried = [
        (field.name, field.data)
        for field in form
        if field.name not in ("csrf_token", "share_email") and field.data not in (None, "", False)
    ]
    return render_template(
        "register/shared_email.html",
        form=form,
        email=form.email.data,
        warning=warning.text,
        carried=[(name, "y" if value is True else value) for name, value in carried],
    )


@bp.get("/terms-of-use")
def terms():
    return render_template("register/terms.html")


@bp.get("/privacy-policy")
def privacy():
    return render_template("register/privacy.html")


# --- Verify Your Email Address ---


def _verify_email_page(
    user, code_form=None, code_error=None, resend_error=None, status=200, notice=None
):
    return (
        render_template(
            "register/verify_email.html",
            user=user,
            notice=notice,
            form=code_form or ActivationCodeForm(formdata=None),
            action_form=ActionForm(formdata=None),
            code_error=code_error,
            resend_error=resend_error,
        ),
        status,
    )


@bp.get("/register/verify-email")
def verify_email():
    """ "Verify Your Email Address": a code field, "Verify" and "Resend Code"."""
    user = flow.journey_user()
    if user is None:
        return redirect(url_for("signin.start"))
    if user.email_verified:
        return flow.continue_journey()
    # Showing the page sends nothing: the step that led here sent the email. When
    # no code is waiting (it expired, or too many were sent lately), say so.
    notice = None if has_live_code(user) else message("activation_code_missing")
    return _verify_email_page(user, notice=notice)


@bp.post("/register/verify-email")
def confirm_email():
    user = flow.journey_user()
    if user is None:
        return redirect(url_for("signin.start"))
    if user.email_verified:
        return flow.continue_journey()
    form = ActivationCodeForm()
    typed = (form.code.data or "").strip()
    if not typed:
        return _verify_email_page(user, form, message("code_required"), status=400)
    try:
        confirm_activation_code(user, typed)
    except CODE_ERRORS as exc:
        return _verify_email_page(user, form, exc.text, status=400)
    return redirect(url_for("register.email_verified"))


@bp.post("/register/verify-email/resend")
def resend_email():
    """ "Resend Code": a new code and link; the old ones stop working."""
    user = flow.journey_user()
    if user is None:
        return redirect(url_for("signin.start"))
    if user.email_verified:
        return flow.continue_journey()
    try:
        resend_activation_email(user)
    except RESEND_ERRORS as exc:
        return _verify_email_page(user, resend_error=exc.text, status=429)
    flash(message("activation_sent", email=user.email), "info")
    return redirect(url_for("register.verify_email"))


def _email_verified_page(user, text: str):
    journey_user = flow.journey_user()
    can_continue = journey_user is not None and journey_user.id == user.id
    return render_template(
        "register/email_verified.html",
        text=text,
        can_continue=can_continue,
        action_form=ActionForm(formdata=None),
    )


@bp.get("/register/email-verified")
def email_verified():
    """The success message and "Continue"."""
    user = flow.journey_user()
    if user is None or not user.email_verified:
        return redirect(url_for("register.verify_email"))
    return _email_verified_page(user, message("email_verified"))


@bp.get("/activate/<token>")
def activate(token: str):
    """The activation link from the email: a page that verifies on "Continue".

    Opening the link changes nothing, so a mail scanner following it verifies
    nothing (Optum Pro guide: "In the browser that opens, select Continue").
    """
    try:
        user, already = check_activation_link(token)
    except (LinkTokenInvalid, LinkTokenExpired, *CODE_ERRORS) as exc:
        return render_template("register/link_error.html", text=exc.text), 400
    if already:
        return _email_verified_page(user, message("email_already_verified"))
    return render_template(
        "register/activate.html",
        user=user,
        email=mask_email(user.email),
        action_form=ActionForm(formdata=None),
    )


@bp.post("/activate/<token>")
def confirm_activation(token: str):
    """ "Continue" on the activation page: verify the email address."""
    form = ActionForm()
    if not form.validate():
        return redirect(url_for("register.activate", token=token))
    try:
        user, newly = activate_by_link(token)
    except (LinkTokenInvalid, LinkTokenExpired, *CODE_ERRORS) as exc:
        return render_template("register/link_error.html", text=exc.text), 400
    text = message("email_verified" if newly else "email_already_verified")
    return _email_verified_page(user, text)


@bp.post("/register/continue")
def continue_journey():
    """ "Continue" after a step's success message."""
    if flow.journey_user() is None:
        return redirect(url_for("signin.start"))
    return flow.continue_journey()


# --- Verify Phone Number ---


def _registrant():
    """The pending registrant and their journey state, or ``(None, None)``."""
    state = flow.current_sign_in()
    if state is None or not state.registration:
        return None, None
    return flow.signing_in_user(), state


def _phone_done(user, state) -> bool:
    return not user.phone or user.phone_verified or state.phone_step_done


def _leave_phone_step():
    if flow.journey_user() is None:
        return redirect(url_for("signin.start"))
    return flow.continue_journey()


def _verify_phone_page(user, state, form=None, error=None, notice=None, status=200):
    method = state.phone_method
    template = {
        None: "register/verify_phone_choose.html",
        "sms": "register/verify_phone_text.html",
        "voice": "register/verify_phone_call.html",
    }[method]
    call = call_status(user) if method == "voice" else None
    return (
        render_template(
            template,
            user=user,
            last4=phone_last_four(user.phone),
            form=form or PhoneCodeForm(formdata=None),
            action_form=ActionForm(formdata=None),
            call_code=state.call_code,
            call=call,
            error=error,
            notice=notice,
        ),
        status,
    )


@bp.get("/register/verify-phone")
def verify_phone():
    """ "Verify Phone Number": choose text message or call, then verify."""
    user, state = _registrant()
    if user is None:
        return _leave_phone_step()
    if _phone_done(user, state):
        return flow.continue_sign_in()
    return _verify_phone_page(user, state)


@bp.post("/register/verify-phone/send")
def send_phone():
    """ "Text Message", "Call Me", "Resend Code" and "Call to Verify": send a new code."""
    user, state = _registrant()
    if user is None:
        return _leave_phone_step()
    if _phone_done(user, state):
        return flow.continue_sign_in()
    method = request.form.get("method", "")
    if method not in CHANNELS:
        return _verify_phone_page(user, state, error="Choose Text Message or Call Me.", status=400)
    try:
        code = send_phone_code(user, method)
    except RESEND_ERRORS as exc:
        return _verify_phone_page(user, state, error=exc.text, status=429)
    # The screen itself says a text was sent or a call placed; a banner only for a resent text.
    resent = method == "sms" and state.phone_method == "sms"
    flow.update_sign_in(phone_method=method, call_code=code if method == "voice" else None)
    if resent:
        flash(message("phone_code_sent", last4=phone_last_four(user.phone)), "info")
    return redirect(url_for("register.verify_phone"))


def _phone_verified():
    flow.update_sign_in(phone_step_done=True)
    return redirect(url_for("register.phone_verified"))


@bp.get("/register/phone-verified")
def phone_verified():
    """The success message and "Continue" (Optum Connect guide, step 9)."""
    user, _state = _registrant()
    if user is None:
        return _leave_phone_step()
    if not user.phone_verified:
        return redirect(url_for("register.verify_phone"))
    return render_template(
        "register/phone_verified.html",
        text=message("phone_verified"),
        action_form=ActionForm(formdata=None),
    )


@bp.post("/register/verify-phone")
def confirm_phone():
    """ "Verify" with the code from the text message."""
    user, state = _registrant()
    if user is None:
        return _leave_phone_step()
    if _phone_done(user, state):
        return flow.continue_sign_in()
    form = PhoneCodeForm()
    typed = (form.code.data or "").strip()
    if not typed:
        return _verify_phone_page(user, state, form, message("code_required"), status=400)
    try:
        confirm_phone_code(user, typed)
    except CODE_ERRORS as exc:
        return _verify_phone_page(user, state, form, exc.text, status=400)
    return _phone_verified()


@bp.get("/register/verify-phone/status")
def phone_call_status():
    """What the waiting call page polls: ``{state, text}``."""
    user, state = _registrant()
    if user is None:
        return jsonify(state="none", text=message("session_expired")), 401
    status = call_status(user)
    return jsonify(state=status.state, text=status.text)


@bp.post("/register/verify-phone/call-done")
def phone_call_done():
    """ "I have entered the code": move on once the call got the right digits."""
    user, state = _registrant()
    if user is None:
        return _leave_phone_step()
    if call_status(user).state == "verified":
        return _phone_verified()
    return _verify_phone_page(user, state, notice=message("registration_call_not_answered"))


@bp.post("/register/verify-phone/skip")
def skip_phone():
    """ "Skip": the phone stays unverified."""
    user, state = _registrant()
    if user is None:
        return _leave_phone_step()
    record_event("phone_verification_skipped", user)
    flow.update_sign_in(phone_step_done=True)
    return flow.continue_sign_in()


@bp.route("/register/update-phone", methods=["GET", "POST"])
def update_phone_number():
    """ "Update Phone Number": country code and number, "Update" or "Back"."""
    user, state = _registrant()
    if user is None:
        return _leave_phone_step()
    form = UpdatePhoneForm()
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        form.country_code.data, form.phone.data = split_phone(user.phone)
    elif form.validate():
        try:
            update_phone(user, form.phone.data or "", form.country_code.data or "+1")
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flow.update_sign_in(phone_method=None, call_code=None)
            flash(message("phone_updated"), "info")
            return redirect(url_for("register.verify_phone"))
    else:
        errors = {name: list(texts) for name, texts in form.errors.items()}
    return (
        render_template("register/update_phone.html", form=form, errors=errors),
        400 if errors else 200,
    )
