"""Forgot One Healthcare ID, forgot password, unlock, and expired password (SPEC §3.6).

Forgot password is a few small steps; the browser carries a recovery *ticket*
(see ``lifecycle.recovery``) between them. The expired-password and
expiry-warning pages are sign-in journey steps (``password_expired`` and
``password_expiring``), registered with ``flow`` below.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from wtforms.fields.choices import SelectChoice

from ..errors import DomainError, RecoveryExpired
from ..extensions import get_settings, now
from ..lifecycle import recovery
from ..lifecycle import voice as calls
from ..lifecycle.password_change import set_password
from ..messages import message
from ..policy.passwords import password_age, password_checklist
from . import browser, flow
from .form_errors import attach_errors
from .recover_forms import (
    ActionForm,
    CodeForm,
    ForgotIdForm,
    NewPasswordForm,
    RecoverIdentifierForm,
    SecurityAnswersForm,
    VerifyMethodForm,
)

bp = Blueprint("recover", __name__)

TICKET = "recovery"
CALL_MESSAGES = {
    calls.WAITING: "Waiting for you to answer the call and enter the code.",
    calls.WRONG_DIGITS: message("call_wrong_digits"),
    calls.EXPIRED: message("code_expired"),
    calls.DEAD: message("code_dead"),
}


def _status(ok: bool) -> int:
    return 200 if ok else 400


def _rules(form: NewPasswordForm, user):
    return password_checklist(form.new_password.data or "", get_settings().password, user.username)


def _own_session_id(user) -> str | None:
    """This browser's SSO session id when it is signed in as ``user`` (kept alive)."""
    signed_in = browser.signed_in_user()
    return signed_in.sid if signed_in is not None and signed_in.user.id == user.id else None


def _continue_with_notice(text: str):
    """Go on with the journey; say so on My Profile (a portal shows its own page)."""
    response = flow.continue_journey()
    # Flashed after the journey step: finishing sign-in starts a fresh session.
    if response.location == url_for("profile.show"):
        flash(text, "success")
    return response


def _journey_password_page(step: str, template: str, reason: str, **context):
    """A sign-in step that sets a new password (expired, or expiring soon)."""
    user = flow.journey_user()
    if user is None:
        return redirect(url_for("signin.start"))
    if flow.current_step() != step:
        return flow.continue_journey()
    form = NewPasswordForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            set_password(
                user,
                form.new_password.data,
                form.confirm_password.data,
                reason=reason,
                keep_session_id=_own_session_id(user),
            )
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            return _continue_with_notice("Your password has been changed.")
    extra = {name: build(user) for name, build in context.items()}
    return render_template(
        template,
        form=form,
        general=general,
        rules=_rules(form, user),
        username=user.username,
        **extra,
    ), _status(not form.errors and not general)


@bp.route("/recover/password/expired", methods=["GET", "POST"])
def password_expired():
    """ "Your password has expired": a new one, meeting the rules and not one of the last 5."""
    return _journey_password_page("password_expired", "recover/password_expired.html", "expired")


@bp.route("/recover/password/expiring", methods=["GET", "POST"])
def password_expiring():
    """The warning before expiry: days left, change it now, or remind me later."""
    return _journey_password_page(
        "password_expiring",
        "recover/password_expiring.html",
        "warning",
        later=lambda user: ActionForm(),
        days_left=lambda user: (
            password_age(user.password_changed_at, now(), get_settings().password).days_left
        ),
    )


@bp.post("/recover/password/expiring/later")
def password_expiring_later():
    """ "Remind Me Later": go on signing in; the warning shows again next time."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("recover.password_expiring"))
    user = flow.signing_in_user()
    if user is not None and flow.current_step() == "password_expiring":
        flow.update_sign_in(password_warning_seen=True)
    return flow.continue_journey()


# --- Forgot One Healthcare ID ---------------------------------------------------------


@bp.route("/recover/id", methods=["GET", "POST"])
def forgot_id():
    """ "Forgot One Healthcare ID?": the page says the same whether the email is known."""
    form = ForgotIdForm()
    sent = False
    if form.validate_on_submit():
        try:
            recovery.send_forgotten_id(form.email.data)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            sent = True
    return render_template("recover/forgot_id.html", form=form, sent=sent), _status(not form.errors)


# --- Forgot password ----------------------------------------------------------------


def _load(purpose: str = "reset"):
    """The ticket's user and the ticket, or None when it expired."""
    data = session.get(TICKET)
    try:
        return recovery.load_ticket(data, purpose), dict(data)
    except RecoveryExpired:
        return None, None


def _start_again(endpoint: str = "recover.forgot_password"):
    session.pop(TICKET, None)
    flash(message("recovery_expired"), "error")
    return redirect(url_for(endpoint))


@bp.route("/recover/password", methods=["GET", "POST"])
def forgot_password():
    """Step 1: the One Healthcare ID or email address, then "Continue"."""
    return _identifier_step(
        recovery.begin_recovery,
        "reset",
        "recover.verify_identity",
        "recover/forgot_password.html",
    )


def _identifier_step(begin, purpose: str, next_endpoint: str, template: str):
    """The first page of a recovery: find the account, start a ticket, go on."""
    form = RecoverIdentifierForm()
    if request.method == "GET":
        form.identifier.data = session.get("signin_identifier", "")
    general: list[str] = []
    if form.validate_on_submit():
        try:
            user = begin(form.identifier.data)
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            session[TICKET] = recovery.new_ticket(user, purpose=purpose)
            return redirect(url_for(next_endpoint))
    return render_template(template, form=form, general=general), _status(
        not form.errors and not general
    )


@bp.route("/recover/password/verify", methods=["GET", "POST"])
def verify_identity():
    """Step 2: "Verify your identity" with the account's verified channels only."""
    user, ticket = _load()
    if user is None:
        return _start_again()
    form = VerifyMethodForm()
    form.method.choices = [SelectChoice(o.method, o.label) for o in recovery.recovery_options(user)]
    general: list[str] = []
    if form.validate_on_submit():
        method = form.method.data
        ticket.update(method=method, verified=False, call_code=None)
        if method == "questions":
            session[TICKET] = ticket
            return redirect(url_for("recover.security_questions"))
        try:
            ticket["call_code"] = recovery.send_recovery_code(user, method)
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            session[TICKET] = ticket
            endpoint = "recover.call" if method == "voice" else "recover.enter_code"
            return redirect(url_for(endpoint))
    return render_template("recover/verify_identity.html", form=form, general=general), _status(
        not form.errors and not general
    )


def _sent_to(user, method: str) -> str:
    option = next((o for o in recovery.recovery_options(user) if o.method == method), None)
    return option.masked if option else ""


@bp.route("/recover/password/code", methods=["GET", "POST"])
def enter_code():
    """Step 3 (email or text): "Verification Code", "Verify", "Resend Code"."""
    user, ticket = _load()
    if user is None:
        return _start_again()
    if ticket.get("method") not in ("email", "sms"):
        return redirect(url_for("recover.verify_identity"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            recovery.confirm_recovery_code(user, ticket["method"], form.code.data)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            ticket["verified"] = True
            session[TICKET] = ticket
            return redirect(url_for("recover.new_password"))
    return render_template(
        "recover/enter_code.html",
        form=form,
        resend=ActionForm(),
        method=ticket["method"],
        sent_to=_sent_to(user, ticket["method"]),
    ), _status(not form.errors)


@bp.post("/recover/password/resend")
def resend_code():
    """ "Resend Code": a new code by the same channel (cool-down and hourly cap apply)."""
    user, ticket = _load()
    if user is None:
        return _start_again()
    method = ticket.get("method")
    if ActionForm().validate_on_submit() and method in ("email", "sms", "voice"):
        try:
            code = recovery.send_recovery_code(user, method)
        except DomainError as exc:
            flash(exc.text, "error")
        else:
            ticket["call_code"] = code
            session[TICKET] = ticket
            flash("We sent a new code." if method != "voice" else "We are calling you again.")
    endpoint = "recover.call" if method == "voice" else "recover.enter_code"
    return redirect(url_for(endpoint))


@bp.route("/recover/password/call", methods=["GET", "POST"])
def call():
    """Step 3 (call): the screen shows the code; the user keys it in on the call."""
    user, ticket = _load()
    if user is None:
        return _start_again()
    if ticket.get("method") != "voice" or not ticket.get("call_code"):
        return redirect(url_for("recover.verify_identity"))
    form = ActionForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            recovery.confirm_recovery_call(user)
        except DomainError as exc:
            general = [exc.text]
        else:
            ticket["verified"] = True
            ticket["call_code"] = None
            session[TICKET] = ticket
            return redirect(url_for("recover.new_password"))
    return render_template(
        "recover/call.html",
        form=form,
        again=ActionForm(),
        code=ticket["call_code"],
        sent_to=_sent_to(user, "voice"),
        general=general,
    ), _status(not general)


@bp.get("/recover/password/call/status")
def call_status():
    """JSON for the page poll: ``{status, message}``."""
    user, ticket = _load()
    if user is None or ticket.get("method") != "voice":
        return jsonify(status="expired", message=message("recovery_expired")), 404
    status = recovery.recovery_call_status(user)
    return jsonify(status=status, message=CALL_MESSAGES.get(status, ""))


@bp.route("/recover/password/questions", methods=["GET", "POST"])
def security_questions():
    """Step 3 (questions): answer all three of the account's security questions."""
    user, ticket = _load()
    if user is None:
        return _start_again()
    if ticket.get("method") != "questions":
        return redirect(url_for("recover.verify_identity"))
    form = SecurityAnswersForm()
    form.label_with([row.question for row in user.security_answers])
    general: list[str] = []
    if form.validate_on_submit():
        try:
            recovery.answer_security_questions(user, form.answers())
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            ticket["verified"] = True
            session[TICKET] = ticket
            return redirect(url_for("recover.new_password"))
    return render_template(
        "recover/security_questions.html",
        form=form,
        general=general,
        action=url_for("recover.security_questions"),
        heading="Verify your identity",
    ), _status(not form.errors and not general)


@bp.route("/recover/password/new", methods=["GET", "POST"])
def new_password():
    """Step 4: "New password" and "Type password again", with the rules."""
    user, ticket = _load()
    if user is None:
        return _start_again()
    if not ticket.get("verified"):
        return redirect(url_for("recover.verify_identity"))
    form = NewPasswordForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            recovery.reset_password(
                user,
                form.new_password.data,
                form.confirm_password.data,
                keep_session_id=_own_session_id(user),
            )
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            session.pop(TICKET, None)
            return redirect(url_for("recover.password_reset_done"))
    return render_template(
        "recover/new_password.html",
        form=form,
        general=general,
        rules=_rules(form, user),
        username=user.username,
    ), _status(not form.errors and not general)


@bp.get("/recover/password/done")
def password_reset_done():
    """Success page after a reset, with a Sign In link."""
    return render_template("recover/done.html", heading="Your password has been reset")


# --- Unlock with the security questions ----------------------------------------------


@bp.route("/recover/unlock", methods=["GET", "POST"])
def unlock():
    """Unlock a locked account by answering its security questions."""
    return _identifier_step(
        recovery.begin_unlock, "unlock", "recover.unlock_questions", "recover/unlock.html"
    )


@bp.route("/recover/unlock/questions", methods=["GET", "POST"])
def unlock_questions():
    """The account's three security questions; all right unlocks it."""
    user, _ticket = _load("unlock")
    if user is None:
        return _start_again("recover.unlock")
    form = SecurityAnswersForm()
    form.label_with([row.question for row in user.security_answers])
    general: list[str] = []
    if form.validate_on_submit():
        try:
            recovery.unlock_with_security_answers(user, form.answers())
        except DomainError as exc:
            general = attach_errors(form, exc)
        else:
            session.pop(TICKET, None)
            return redirect(url_for("recover.unlocked"))
    return render_template(
        "recover/security_questions.html",
        form=form,
        general=general,
        action=url_for("recover.unlock_questions"),
        heading="Unlock your One Healthcare ID",
    ), _status(not form.errors and not general)


@bp.get("/recover/unlock/done")
def unlocked():
    """Success page after unlocking, with a Sign In link."""
    return render_template("recover/done.html", heading="Your One Healthcare ID is unlocked")
