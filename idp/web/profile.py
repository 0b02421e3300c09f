"""My Profile (SPEC §3.7): "Manage your One Healthcare ID", in OHID's three tabs.

Update Profile (names, year of birth), Sign In Information (the One Healthcare
ID, password, primary email, recent sign-in activity) and Manage Verification
Options (phone, security questions, notifications, and the sign-in methods
partial ``security/_manage.html``). Each form posts to its own URL, calls one
lifecycle function, and redirects back to its tab with a notice.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..errors import DomainError, SharedEmailAddress
from ..extensions import get_settings, now
from ..lifecycle import notifications, profile
from ..lifecycle.password_change import change_password as change_password_of
from ..policy.passwords import password_age, password_checklist
from .flow import signed_in_page
from .form_errors import attach_errors
from .profile_forms import (
    ChangePasswordForm,
    EmailForm,
    NotificationsForm,
    PhoneForm,
    ProfileForm,
    SecurityQuestionsForm,
    UsernameForm,
)
from .recover import CALL_MESSAGES
from .recover_forms import ActionForm, CodeForm

bp = Blueprint("profile", __name__)

TABS = [
    ("profile.show", "Update Profile"),
    ("profile.sign_in_information", "Sign In Information"),
    ("profile.verification_options", "Manage Verification Options"),
]
PHONE_CALL_CODE = "profile_phone_call_code"
ACTIVITY_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "sign_in_refused": "Sign-in refused",
}
# How someone signed in (the amr values of RFC 8176), in words for the activity list.
AMR_LABELS = {
    "pwd": "Password",
    "otp": "One-time code",
    "sms": "Text message code",
    "tel": "Phone call code",
    "hwk": "Passkey",
    "swk": "Passkey",
    "mfa": "two-step verification",
}


def _page(template: str, signed_in, status: int = 200, **context):
    user = signed_in.user
    age = password_age(user.password_changed_at, now(), get_settings().password)
    return render_template(
        template,
        user=user,
        tabs=TABS,
        password_days_left=age.days_left if age.warn else None,
        **context,
    ), status


def _done(text: str, endpoint: str):
    flash(text, "success")
    return redirect(url_for(endpoint))


# --- Update Profile -------------------------------------------------------------------


def _update_tab(signed_in, form=None, status=200):
    user = signed_in.user
    form = form or ProfileForm(
        formdata=None,
        data={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "year_of_birth": str(user.year_of_birth or ""),
        },
    )
    return _page("profile/show.html", signed_in, status, form=form, active="profile.show")


@bp.get("/profile")
@signed_in_page
def show(signed_in):
    """The Update Profile tab (the landing page of My Profile)."""
    return _update_tab(signed_in)


@bp.post("/profile")
@signed_in_page
def update_profile(signed_in):
    """Save names and year of birth."""
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            profile.update_profile(
                signed_in.user, form.first_name.data, form.last_name.data, form.year_of_birth.data
            )
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            return _done("Your profile has been updated.", "profile.show")
    return _update_tab(signed_in, form, 400)


# --- Sign In Information ------------------------------------------------------------


def _sign_in_tab(signed_in, status=200, general=None, **forms):
    user = signed_in.user
    password_form = forms.get("password_form") or ChangePasswordForm(formdata=None)
    return _page(
        "profile/sign_in_information.html",
        signed_in,
        status,
        active="profile.sign_in_information",
        username_form=forms.get("username_form")
        or UsernameForm(formdata=None, data={"username": user.username}),
        password_form=password_form,
        rules=password_checklist(
            password_form.new_password.data or "", get_settings().password, user.username
        ),
        email_form=forms.get("email_form") or EmailForm(formdata=None),
        pending_email=profile.pending_email(user),
        activity=profile.recent_activity(user),
        activity_labels=ACTIVITY_LABELS,
        amr_labels=AMR_LABELS,
        general=general or {},
    )


@bp.get("/profile/sign-in-information")
@signed_in_page
def sign_in_information(signed_in):
    """The Sign In Information tab."""
    return _sign_in_tab(signed_in)


@bp.post("/profile/username")
@signed_in_page
def change_username(signed_in):
    """A new One Healthcare ID (rules and uniqueness)."""
    form = UsernameForm()
    if form.validate_on_submit():
        try:
            profile.change_username(signed_in.user, form.username.data)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            return _done("Your One Healthcare ID has been changed.", "profile.sign_in_information")
    return _sign_in_tab(signed_in, 400, username_form=form)


@bp.post("/profile/password")
@signed_in_page
def change_password(signed_in):
    """A new password; the current one is required."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password_of(
                signed_in.user,
                form.current_password.data,
                form.new_password.data,
                form.confirm_password.data,
                keep_session_id=signed_in.sid,
            )
        except DomainError as exc:
            general = attach_errors(form, exc)
            return _sign_in_tab(signed_in, 400, {"password": general}, password_form=form)
        return _done("Your password has been changed.", "profile.sign_in_information")
    return _sign_in_tab(signed_in, 400, password_form=form)


@bp.post("/profile/email")
@signed_in_page
def change_email(signed_in):
    """Send a code to a new email address; it becomes primary once verified."""
    form = EmailForm()
    if form.validate_on_submit():
        share = request.form.get("share_email") == "y"
        try:
            profile.request_email_change(signed_in.user, form.email.data, share=share)
        except SharedEmailAddress as exc:
            return _page(
                "profile/shared_email.html",
                signed_in,
                409,
                form=form,
                email=form.email.data.strip(),
                warning=exc.text,
                active="profile.sign_in_information",
            )
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            # The page itself says where the code went: no banner repeating it.
            return redirect(url_for("profile.verify_email"))
    return _sign_in_tab(signed_in, 400, email_form=form)


@bp.route("/profile/email/verify", methods=["GET", "POST"])
@signed_in_page
def verify_email(signed_in):
    """The new address becomes the primary one only when its code is confirmed."""
    address = profile.pending_email(signed_in.user)
    if address is None:
        return redirect(url_for("profile.sign_in_information"))
    form = CodeForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            profile.confirm_email_change(signed_in.user, form.code.data)
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            return _done("Your email address has been changed.", "profile.sign_in_information")
    return _page(
        "profile/verify_email.html",
        signed_in,
        400 if form.errors or general else 200,
        form=form,
        general=general,
        action_form=ActionForm(),
        address=address,
        active="profile.sign_in_information",
    )


@bp.post("/profile/email/resend")
@signed_in_page
def resend_email_code(signed_in):
    """Resend the code to the pending email address."""
    if ActionForm().validate_on_submit():
        try:
            profile.resend_email_code(signed_in.user)
        except DomainError as exc:
            flash(exc.text, "error")
        else:
            flash("We sent a new code.", "success")
    return redirect(url_for("profile.verify_email"))


@bp.post("/profile/email/cancel")
@signed_in_page
def cancel_email_change(signed_in):
    """Drop the pending email address."""
    if ActionForm().validate_on_submit():
        profile.cancel_email_change(signed_in.user)
    return redirect(url_for("profile.sign_in_information"))


# --- Manage Verification Options ----------------------------------------------------


def _verification_tab(signed_in, status=200, general=None, **forms):
    user = signed_in.user
    questions = forms.get("questions_form")
    if questions is None:
        questions = SecurityQuestionsForm(
            formdata=None,
            data={f"question_{row.position}": row.question for row in user.security_answers},
        )
    notify_form = forms.get("notifications_form")
    if notify_form is None:
        notify_form = NotificationsForm(formdata=None)
        notify_form.fill(notifications.preferences(user))
    return _page(
        "profile/verification_options.html",
        signed_in,
        status,
        active="profile.verification_options",
        phone_form=forms.get("phone_form") or PhoneForm(formdata=None),
        pending_phone=profile.pending_phone(user),
        questions_form=questions,
        notifications_form=notify_form,
        events=notifications.EVENTS,
        general=general or {},
    )


@bp.get("/profile/verification-options")
@signed_in_page
def verification_options(signed_in):
    """The Manage Verification Options tab."""
    return _verification_tab(signed_in)


@bp.post("/profile/phone")
@signed_in_page
def change_phone(signed_in):
    """Send a code (text) or call a new number; it replaces the phone once verified."""
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            code = profile.request_phone_change(
                signed_in.user, form.phone.data, form.country_code.data, form.method.data
            )
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            session[PHONE_CALL_CODE] = code
            return redirect(url_for("profile.verify_phone"))
    return _verification_tab(signed_in, 400, phone_form=form)


@bp.route("/profile/phone/verify", methods=["GET", "POST"])
@signed_in_page
def verify_phone(signed_in):
    """Text: type the code. Call: key the screen's code in on the call, then Continue."""
    pending = profile.pending_phone(signed_in.user)
    if pending is None:
        return redirect(url_for("profile.verification_options"))
    number, channel = pending
    form = CodeForm() if channel == "sms" else ActionForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            if channel == "sms":
                profile.confirm_phone_change(signed_in.user, form.code.data)
            else:
                profile.confirm_phone_change_call(signed_in.user)
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            session.pop(PHONE_CALL_CODE, None)
            return _done("Your phone number has been verified.", "profile.verification_options")
    return _page(
        "profile/verify_phone.html",
        signed_in,
        400 if form.errors or general else 200,
        form=form,
        action_form=ActionForm(),
        number=number,
        channel=channel,
        call_code=session.get(PHONE_CALL_CODE),
        general=general,
        active="profile.verification_options",
    )


@bp.get("/profile/phone/call-status")
@signed_in_page
def phone_call_status(signed_in):
    """JSON for the call page poll: ``{status, message}``."""
    status = profile.phone_call_status(signed_in.user)
    return jsonify(status=status, message=CALL_MESSAGES.get(status, ""))


@bp.post("/profile/phone/resend")
@signed_in_page
def resend_phone_code(signed_in):
    """Text again or call again the pending number."""
    pending = profile.pending_phone(signed_in.user)
    if pending is not None and ActionForm().validate_on_submit():
        number, channel = pending
        try:
            code = profile.request_phone_change(signed_in.user, number, "+1", channel)
        except DomainError as exc:
            flash(exc.text, "error")
        else:
            session[PHONE_CALL_CODE] = code
            flash("We sent a new code." if channel == "sms" else "We are calling you again.")
    return redirect(url_for("profile.verify_phone"))


@bp.post("/profile/phone/cancel")
@signed_in_page
def cancel_phone_change(signed_in):
    """Drop the pending phone number."""
    if ActionForm().validate_on_submit():
        profile.cancel_phone_change(signed_in.user)
        session.pop(PHONE_CALL_CODE, None)
    return redirect(url_for("profile.verification_options"))


@bp.post("/profile/security-questions")
@signed_in_page
def change_security_questions(signed_in):
    """Replace all three security questions and answers."""
    form = SecurityQuestionsForm()
    if form.validate_on_submit():
        try:
            profile.change_security_questions(signed_in.user, form.pairs())
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            return _done("Your security questions have been saved.", "profile.verification_options")
    return _verification_tab(signed_in, 400, questions_form=form)


@bp.post("/profile/notifications")
@signed_in_page
def change_notifications(signed_in):
    """Save which events are sent by email and text."""
    form = NotificationsForm()
    if form.validate_on_submit():
        try:
            notifications.set_preferences(signed_in.user, form.chosen())
        except DomainError as exc:
            general = attach_errors(form, exc)
            return _verification_tab(
                signed_in, 400, {"notifications": general}, notifications_form=form
            )
        return _done("Your notification choices have been saved.", "profile.verification_options")
    return _verification_tab(signed_in, 400, notifications_form=form)
