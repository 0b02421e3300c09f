"""The sign-in journey in this browser: which page handles each step, the sign-in
in progress, and finishing it.

The sign-in so far is recorded on this browser's interaction
(``lifecycle.interactions``), in the same words here as there: a page begins
the sign-in, updates it with the steps done and adds the methods used. A page
that has done its part calls ``continue_journey``: ``lifecycle.journey`` names
the next step and ``STEP_PAGES`` says which page handles it; when nothing is
left the SSO session starts (with a fresh session id) and the authorization
endpoint answers the portal in the same request (or My Profile opens, when no
portal is waiting). The authorization endpoint sends a browser
into the journey through ``enter_journey`` alone: it names steps, never pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import flash, redirect, request, url_for

from ..extensions import get_settings, now
from ..lifecycle import interactions
from ..lifecycle.authentication import start_sso_session
from ..lifecycle.email_verification import send_activation_if_none_pending
from ..lifecycle.interactions import SignedInUser, SignIn, portal_waiting, sign_in_of, user_of
from ..lifecycle.journey import CREATE_ACCOUNT, SIGN_IN, next_step_for
from ..messages import message
from ..policy.mfa import acr_for
from ..policy.passwords import password_age
from ..store.interactions import reading_without_flush
from ..store.models import Interaction, User
from . import browser
from .device_cookie import device_token

# Journey step -> the endpoint of the page that handles it.
STEP_PAGES = {
    SIGN_IN: "signin.start",
    CREATE_ACCOUNT: "register.start",
    "verify_email": "register.verify_email",
    "verify_phone": "register.verify_phone",
    "offer_security_methods": "register_security.offer",
    "second_factor": "mfa.verify",
    "unrecognized_device": "mfa.device",
    "phone_step_up": "mfa.phone",
    "consent": "consent.share",
    "password_expired": "recover.password_expired",
    "password_expiring": "recover.password_expiring",
}


def enter_journey(interaction: Interaction, step: str):
    """This browser goes into ``interaction`` at ``step``: to the page that handles it."""
    browser.bind_interaction(interaction)
    if step == SIGN_IN:
        # The sign-in page names the portal request it is for.
        return redirect(url_for(STEP_PAGES[step], interaction=interaction.uid))
    return redirect(url_for(STEP_PAGES[step]))


def _interaction_for_sign_in() -> Interaction:
    """This browser's interaction, or a new one for signing in to My Profile."""
    interaction = browser.current_interaction()
    if interaction is None:
        interaction = interactions.begin_interaction(None, {})
        browser.bind_interaction(interaction)
    return interaction


def begin_sign_in(user: User, amr: list[str], acr: str | None = None, **steps) -> None:
    """The first factor is done: begin the sign-in on this browser's interaction."""
    interactions.begin_sign_in(_interaction_for_sign_in(), user.id, amr, acr, **steps)


def current_sign_in() -> SignIn | None:
    """The sign-in in progress in this browser (first factor done, not yet complete)."""
    sign_in = sign_in_of(browser.current_interaction())
    return sign_in if sign_in is not None and sign_in.sso_id is None else None


def signing_in_user() -> User | None:
    """The user of the sign-in in progress, if any."""
    sign_in = current_sign_in()
    return user_of(sign_in) if sign_in is not None else None


def update_sign_in(**changes) -> None:
    """Record steps done (or choices made) on the sign-in in progress."""
    interactions.update_sign_in(browser.current_interaction(), **changes)


def add_methods(methods: list[str], acr: str | None = None) -> None:
    """Add authentication methods (``amr`` values) to the sign-in in progress."""
    interactions.add_methods(browser.current_interaction(), methods, acr)


def forget_sign_in() -> None:
    """Forget the sign-in in progress (its interaction stays)."""
    interaction = browser.current_interaction()
    if interaction is not None and interaction.sign_in is not None:
        interactions.forget_sign_in(interaction)


def journey_user() -> User | None:
    """Whoever a journey page is for: the user signing in, else the signed-in one."""
    user = signing_in_user()
    if user is not None:
        return user
    signed_in = browser.signed_in_user()
    return signed_in.user if signed_in is not None else None


def current_step() -> str | None:
    """The journey step this browser is at, so a step page cannot be used out of turn."""
    interaction = browser.current_interaction()
    sign_in = current_sign_in()
    if sign_in is None:
        signed_in = browser.signed_in_user()
        if signed_in is None:
            return None
        sign_in = signed_in.as_sign_in()
    portal = interaction if portal_waiting(interaction) else None
    return next_step_for(user_of(sign_in), sign_in, portal, device_token())


def _journey_user_of(sign_in: SignIn | None) -> User:
    if sign_in is not None:
        return user_of(sign_in)
    return browser.signed_in_user().user


def continue_sign_in():
    """Send the user signing in to their next step, or finish signing in."""
    if current_sign_in() is None:
        return redirect(url_for("signin.start"))
    return continue_journey()


def continue_journey():
    """After a step page is done: the next step, or back to the portal (or My Profile).

    The step's changes (the sign-in updated, the SSO session started) are written
    with the decision, when the request's unit of work ends.
    """
    with reading_without_flush():
        return _next_page()


def _next_page():
    interaction = browser.current_interaction()
    sign_in = current_sign_in()
    if sign_in is None and not portal_waiting(interaction):
        return redirect(url_for("profile.show"))
    step = current_step()
    if step == "verify_email" and request.method == "POST":
        # The page says an email was sent: it is, before the page is shown. Only a
        # form's POST sends (a GET that reaches this step never does).
        send_activation_if_none_pending(_journey_user_of(sign_in))
    if step is not None:
        return redirect(url_for(STEP_PAGES[step]))
    if sign_in is not None:
        return _complete_sign_in(interaction, sign_in)
    return redirect(url_for("oidc.resume_interaction", uid=interaction.uid))


# The authorization endpoint's answer to the portal whose sign-in just completed
# (registered by ``oidc``, which sits above this package: ``answers_portal``).
_portal_answer: Callable[[Interaction, SignedInUser], object] | None = None


def answers_portal(answer: Callable[[Interaction, SignedInUser], object]):
    """Register ``answer(interaction, signed_in)``: the portal's answer (its code, or an
    error) once the sign-in in ``interaction`` is complete."""
    global _portal_answer
    _portal_answer = answer
    return answer


def _complete_sign_in(interaction: Interaction, sign_in: SignIn):
    """Start the SSO session with a fresh id and answer the portal (or open My Profile).

    The portal's answer is made here, written with the sign-in when this request's
    unit ends: the browser goes straight back to the portal with its code.
    """
    user = user_of(sign_in)
    amr = list(sign_in.amr) or ["pwd"]
    sso = start_sso_session(user, amr, sign_in.acr or acr_for(amr))
    browser.keep_signed_in(sso.id)
    if portal_waiting(interaction):
        interactions.mark_signed_in(interaction)
        return _portal_answer(interaction, SignedInUser.of(sso))
    interactions.finish_interaction(interaction)
    browser.forget_interaction()
    return redirect(url_for("profile.show"))


def signed_in_page(view):
    """A page for a signed-in user whose password has not expired; the view gets
    the ``SignedInUser`` first."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        signed_in = browser.signed_in_user()
        if signed_in is None:
            # Said on the Sign In page: "Manage My One Healthcare ID" needs a sign-in first.
            flash(message("sign_in_to_manage"), "info")
            return redirect(url_for("signin.start"))
        rules = get_settings().password
        if password_age(signed_in.user.password_changed_at, now(), rules).expired:
            return redirect(url_for("recover.password_expired"))
        return view(signed_in, *args, **kwargs)

    return wrapper
