"""Sign-in steps after the password (SPEC §3.1): passkey sign-in, "Verify your
identity" (second factor), "Unrecognized device" and phone "Step up".

Each page works for a sign-in in progress and for an already signed-in user
whom a portal asks for more (``acr_values``, ``require_phone``); it calls one
lifecycle function and then ``flow.continue_journey()``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..errors import AccountLocked, DomainError, MethodUnavailable
from ..lifecycle.device_check import (
    device_check_label,
    device_check_methods,
    pass_device_check,
    pick_question,
    question_text,
    send_device_code,
)
from ..lifecycle.devices import remember_device
from ..lifecycle.mfa import add_second_factor_to_sso
from ..lifecycle.passkeys import authenticate_passkey, begin_passkey_sign_in
from ..lifecycle.phone_step_up import confirm_step_up_code, send_step_up_code
from ..lifecycle.second_factors import (
    METHOD_NAMES,
    PASSKEY,
    Answer,
    available_methods,
    method_named,
    send_second_factor_code,
    sent_code_method,
    verify_second_factor,
)
from ..messages import message
from ..policy.contact import phone_last_four
from ..policy.mfa import (
    ACR_MULTI_FACTOR,
    acr_for,
    group_recovery_code,
    passkey_amr,
)
from . import browser, flow
from .device_cookie import device_label, device_token_or_new, set_device_cookie
from .forms import IdentifierForm
from .mfa_forms import (
    AccessCodeForm,
    CodeForm,
    ContinueForm,
    DeviceAnswerForm,
    PasskeyForm,
    SendCodeForm,
    StepUpPhoneForm,
)

bp = Blueprint("mfa", __name__)

PASSKEY_KINDS = ("hwk", "swk")


# --- helpers ---------------------------------------------------------------------


def keep_ceremony(purpose: str, ceremony_id: str) -> None:
    """Bind a WebAuthn ceremony to this browser's session."""
    ceremonies = dict(session.get("passkey_ceremonies") or {})
    ceremonies[purpose] = ceremony_id
    session["passkey_ceremonies"] = ceremonies


def take_ceremony(purpose: str) -> str | None:
    """This browser's ceremony id for ``purpose``, forgotten as it is read."""
    ceremonies = dict(session.get("passkey_ceremonies") or {})
    ceremony_id = ceremonies.pop(purpose, None)
    session["passkey_ceremonies"] = ceremonies
    return ceremony_id


def _journey():
    """(user, sso id) for a sign-in in progress (sso id None) or a signed-in user; else None."""
    state = flow.current_sign_in()
    if state is not None:
        user = flow.signing_in_user()
        return (user, None) if user is not None else None
    signed_in = browser.signed_in_user()
    if signed_in is None:
        return None
    return signed_in.user, signed_in.sid


def _stop(text: str, sso_id: str | None):
    """The account locked mid-way: drop the sign-in (or the SSO session) and say so."""
    if sso_id is not None:
        browser.sign_out_browser(reason="locked")
    else:
        flow.forget_sign_in()
    return render_template("mfa/stopped.html", error=text), 403


def _record_methods(sso_id: str | None, methods: list[str]) -> None:
    """Add a passed second factor to the sign-in in progress, or to the SSO session."""
    if sso_id is None:
        flow.add_methods([*methods, "mfa"], acr=ACR_MULTI_FACTOR)
    else:
        add_second_factor_to_sso(sso_id, methods)


def _pending_amr() -> list[str]:
    sign_in = flow.current_sign_in()
    return list(sign_in.amr) if sign_in is not None else []


# --- "Sign in with a passkey" ------------------------------------------------------


@bp.post("/signin/passkey/options")
def passkey_signin_options():
    """WebAuthn options for a discoverable-credential sign-in (JSON)."""
    ceremony_id, options = begin_passkey_sign_in()
    keep_ceremony("sign_in", ceremony_id)
    return jsonify(options)


@bp.post("/signin/passkey")
def passkey_signin():
    """Sign in with a passkey alone: no ID typed."""
    form = PasskeyForm()
    if not form.validate_on_submit():
        return _signin_page("The page expired. Please try again."), 400
    try:
        user, assertion = authenticate_passkey(take_ceremony("sign_in"), form.credential.data)
    except DomainError as exc:
        return _signin_page(exc.text), 401
    amr = passkey_amr(assertion.device_type, assertion.user_verified)
    flow.forget_sign_in()
    flow.begin_sign_in(user, amr, acr_for(amr))
    return flow.continue_sign_in()


def _signin_page(passkey_error: str):
    return render_template(
        "signin/identifier.html", form=IdentifierForm(formdata=None), passkey_error=passkey_error
    )


# --- "Verify your identity" (second factor) -----------------------------------------


def _second_factor_methods(user) -> list:
    methods = available_methods(user)
    # A passkey that signed the user in cannot also be their second factor.
    if any(kind in _pending_amr() for kind in PASSKEY_KINDS):
        methods = [m for m in methods if m is not PASSKEY]
    return methods


def _chosen(methods: list):
    wanted = request.args.get("method") or session.get("mfa_method")
    for method in methods:
        if method.name == wanted:
            return method
    return methods[0] if methods else None


def _method_asked_problem(methods: list) -> str | None:
    """Why ``?method=`` names no method of this account (None: it does, or none was named).

    A script that guesses a name is told the valid ones, and nothing it sent is
    checked, so a guess cannot count towards the lockout.
    """
    wanted = request.args.get("method")
    if wanted is None or any(m.name == wanted for m in methods):
        return None
    if method_named(wanted) is None:
        return message("method_unknown", name=wanted[:40], names=", ".join(METHOD_NAMES))
    names = ", ".join(m.name for m in methods)
    return message("method_not_set_up", name=wanted[:40], names=names)


def _answer(method, form) -> Answer:
    if method.answer_kind == "passkey":
        return Answer(ceremony_id=take_ceremony("second_factor"), credential=form.credential.data)
    return Answer(code=form.code.data)


@bp.route("/signin/verify", methods=["GET", "POST"])
def verify():
    """ "Verify your identity": the user picks one of their methods and verifies."""
    who = _journey()
    if who is None:
        return redirect(url_for("signin.start"))
    user, sso_id = who
    methods = _second_factor_methods(user)
    method = _chosen(methods)
    if method is None:
        return render_template("mfa/no_method.html"), 403
    problem = _method_asked_problem(methods)
    if problem is not None:
        form = _method_form(method, formdata=None)
        return _verify_page(user, methods, method, form, method_error=problem), 400
    session["mfa_method"] = method.name
    form = _method_form(method)
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            passed = verify_second_factor(user, method.name, _answer(method, form))
        except AccountLocked as exc:
            return _stop(exc.text, sso_id)
        except DomainError as exc:
            error = exc
        else:
            return _second_factor_passed(user, sso_id, passed, form.remember.data)
    status = 200
    if request.method == "POST":
        status = 401 if error is not None else 400
    return _verify_page(user, methods, method, form, error=error), status


def _method_form(method, **kwargs):
    if method.answer_kind == "passkey":
        return PasskeyForm(**kwargs)
    form = CodeForm(**kwargs)
    form.code.label.text = method.code_label
    return form


def _verify_page(user, methods, method, form, method_error=None, error=None):
    return render_template(
        "mfa/verify.html",
        user=user,
        chosen=method,
        method=method.name,
        methods=[m.name for m in methods],
        label=lambda name: method_named(name).label(user),
        form=form,
        error=error,
        method_error=method_error,
        sent=method.name in (session.get("mfa_sent") or []),
    )


def _second_factor_passed(user, sso_id, passed, remember: bool):
    _record_methods(sso_id, passed.amr)
    session.pop("mfa_method", None)
    session.pop("mfa_sent", None)
    if passed.new_recovery_code:
        # The recovery code was spent: its replacement is shown once, here.
        response = make_response(
            render_template(
                "mfa/recovery_code.html",
                code=group_recovery_code(passed.new_recovery_code),
                form=ContinueForm(formdata=None),
            )
        )
    else:
        response = flow.continue_journey()
    if remember:
        token = device_token_or_new()
        remember_device(user, "mfa", token, device_label())
        set_device_cookie(response, token)
    return response


@bp.post("/signin/verify/continue")
def verify_continue():
    """ "Continue" after the new recovery code was shown."""
    ContinueForm().validate_on_submit()
    return flow.continue_journey()


@bp.post("/signin/verify/send")
def send_code():
    """Send a text, call or email code for the second factor."""
    who = _journey()
    if who is None:
        return redirect(url_for("signin.start"))
    user, sso_id = who
    return _send_code_and_return(
        user, sso_id, send_second_factor_code, "mfa.verify", remember_sent=True
    )


def _send_code_and_return(user, sso_id, send, page: str, remember_sent: bool = False):
    """Send a text, call or email code with ``send`` and go back to ``page``."""
    form = SendCodeForm()
    method = form.method.data
    sender = sent_code_method(method)
    if not form.validate_on_submit() or sender is None:
        return redirect(url_for(page))
    try:
        send(user, method)
    except MethodUnavailable:
        return redirect(url_for(page))
    except AccountLocked as exc:
        return _stop(exc.text, sso_id)
    except DomainError as exc:
        flash(exc.text, "error")
        return redirect(url_for(page, method=method))
    if remember_sent:
        session["mfa_sent"] = list({*(session.get("mfa_sent") or []), method})
    flash(sender.sent_notice(user), "info")
    return redirect(url_for(page, method=method))


@bp.post("/signin/verify/passkey/options")
def verify_passkey_options():
    """WebAuthn options for a passkey as the second factor (JSON)."""
    who = _journey()
    if who is None:
        return jsonify(error="login_required", detail="Sign in first."), 401
    user, _ = who
    ceremony_id, options = begin_passkey_sign_in(user)
    keep_ceremony("second_factor", ceremony_id)
    return jsonify(options)


# --- "Unrecognized device" -----------------------------------------------------------


@bp.route("/signin/device", methods=["GET", "POST"])
def device():
    """The first sign-in from an unknown browser: a security question or a code."""
    user = flow.signing_in_user()
    if user is None:
        return redirect(url_for("signin.start"))
    methods = device_check_methods(user)
    method = request.args.get("method") or session.get("device_method")
    if method not in methods:
        method = methods[0]
    session["device_method"] = method
    state = flow.current_sign_in()
    position = state.device_question
    if method == "question" and position is None:
        # Asked once per sign-in: reloading does not offer an easier question.
        position = pick_question(user)
        flow.update_sign_in(device_question=position)
    form = DeviceAnswerForm()
    form.answer.label.text = "Answer" if method == "question" else "Verification Code"
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            pass_device_check(user, method, form.answer.data, position)
        except AccountLocked as exc:
            return _stop(exc.text, None)
        except DomainError as exc:
            error = exc
        else:
            flow.update_sign_in(device_checked=True)
            session.pop("device_method", None)
            response = flow.continue_sign_in()
            if form.personal.data:
                token = device_token_or_new()
                remember_device(user, "device", token, device_label())
                set_device_cookie(response, token)
            return response
    status = 200 if request.method == "GET" else (401 if error is not None else 400)
    return (
        render_template(
            "mfa/device.html",
            user=user,
            method=method,
            methods=methods,
            label=lambda m: device_check_label(user, m),
            question=question_text(user, position) if method == "question" else None,
            form=form,
            error=error,
        ),
        status,
    )


@bp.post("/signin/device/send")
def device_send():
    user = flow.signing_in_user()
    if user is None:
        return redirect(url_for("signin.start"))
    return _send_code_and_return(user, None, send_device_code, "mfa.device")


# --- "Step up": add a phone for a portal that requires one ----------------------------


@bp.route("/signin/phone", methods=["GET", "POST"])
def phone():
    """Add a phone number: number, Text Message or Call Me, then the Access Code."""
    who = _journey()
    if who is None:
        return redirect(url_for("signin.start"))
    user, _ = who
    form = StepUpPhoneForm()
    error = None
    if form.validate_on_submit():
        try:
            e164 = send_step_up_code(
                user, form.phone.data, form.country_code.data, form.channel.data
            )
        except DomainError as exc:
            error = exc
        else:
            session["step_up_phone"] = e164
            flash(
                "We are calling you with your Access Code."
                if form.channel.data == "call"
                else "We texted you an Access Code.",
                "info",
            )
            return redirect(url_for("mfa.phone_verify"))
    status = 200 if request.method == "GET" else 400
    return render_template("mfa/phone.html", form=form, error=error), status


@bp.route("/signin/phone/verify", methods=["GET", "POST"])
def phone_verify():
    """Type the Access Code, then "Verify"."""
    who = _journey()
    e164 = session.get("step_up_phone")
    if who is None:
        return redirect(url_for("signin.start"))
    if not e164:
        return redirect(url_for("mfa.phone"))
    user, _ = who
    form = AccessCodeForm()
    error = None
    if form.validate_on_submit():
        try:
            confirm_step_up_code(user, e164, form.code.data)
        except DomainError as exc:
            error = exc
        else:
            session.pop("step_up_phone", None)
            return flow.continue_journey()
    status = 200 if request.method == "GET" else (401 if error is not None else 400)
    return (
        render_template(
            "mfa/phone_verify.html", form=form, error=error, last_four=phone_last_four(e164)
        ),
        status,
    )
