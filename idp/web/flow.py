"""Where a signing-in user goes next, and finishing the sign-in.

The sign-in so far is recorded on this browser's interaction
(``lifecycle.interactions``). A page that has done its part calls
``continue_journey``: ``lifecycle.journey`` names the next step, ``STEP_PAGES``
(``lifecycle.journey``) says which page handles it, and when nothing is left the SSO session starts
(with a fresh session id) and the portal's authorization request resumes at
the authorization endpoint (or My Profile opens, when no portal is waiting).
"""

from __future__ import annotations

from functools import wraps

from flask import flash, redirect, request, url_for

from ..extensions import get_settings, now
from ..lifecycle import browser
from ..lifecycle.authentication import start_sso_session
from ..lifecycle.email_verification import send_activation_if_none_pending
from ..lifecycle.interactions import (
    SignIn,
    add_methods,
    begin_interaction,
    finish_interaction,
    mark_signed_in,
    portal_waiting,
    record_sign_in,
    sign_in_of,
    update_sign_in,
)
from ..lifecycle.interactions import begin_sign_in as record_new_sign_in
from ..lifecycle.journey import STEP_PAGES, next_step_for
from ..messages import message
from ..policy.mfa import acr_for
from ..policy.passwords import password_age
from ..store import db
from ..store.models import Interaction, User

signed_in_user = browser.signed_in_user
current_interaction = browser.current_interaction


def _interaction_for_sign_in() -> Interaction:
    """This browser's interaction, or a new one for signing in to My Profile."""
    interaction = browser.current_interaction()
    if interaction is None:
        interaction = begin_interaction(None, {})
        browser.bind_interaction(interaction)
    return interaction


def begin_sign_in(user: User, amr: list[str], acr: str | None = None, **steps) -> None:
    """The first factor is done: record the sign-in on this browser's interaction."""
    record_new_sign_in(_interaction_for_sign_in(), user.id, amr, acr, **steps)


def pending() -> SignIn | None:
    """The sign-in in progress in this browser (first factor done, not yet complete)."""
    sign_in = sign_in_of(browser.current_interaction())
    return sign_in if sign_in is not None and sign_in.sso_id is None else None


def pending_user() -> User | None:
    """The user of the sign-in in progress, if any."""
    sign_in = pending()
    return db.session.get(User, sign_in.user_id) if sign_in is not None else None


def add_method(method: str, acr: str | None = None) -> None:
    """Record another authentication method on the sign-in in progress (for ``amr``)."""
    add_methods(browser.current_interaction(), [method], acr)


def set_pending_fact(name: str, value) -> None:
    """Record a step done (or a choice made) on the sign-in in progress."""
    update_sign_in(browser.current_interaction(), **{name: value})


def clear_pending() -> None:
    """Forget the sign-in in progress (its interaction stays)."""
    interaction = browser.current_interaction()
    if interaction is not None and interaction.sign_in is not None:
        record_sign_in(interaction, None)


def journey_user() -> User | None:
    """Whoever a journey page is for: the pending user, else the signed-in one."""
    user = pending_user()
    if user is not None:
        return user
    signed_in = browser.signed_in_user()
    return signed_in.user if signed_in is not None else None


def current_step() -> str | None:
    """The journey step this browser is at, so a step page cannot be used out of turn."""
    interaction = browser.current_interaction()
    sign_in = pending()
    if sign_in is None:
        signed_in = browser.signed_in_user()
        if signed_in is None:
            return None
        sign_in = signed_in.as_sign_in()
    user = db.session.get(User, sign_in.user_id)
    portal = interaction if portal_waiting(interaction) else None
    return next_step_for(user, sign_in, portal, browser.device_token())


def _journey_user_of(sign_in: SignIn | None) -> User:
    if sign_in is not None:
        return db.session.get(User, sign_in.user_id)
    return browser.signed_in_user().user


def continue_sign_in():
    """Send the pending user to their next step, or finish signing in."""
    if pending() is None:
        return redirect(url_for("signin.start"))
    return continue_journey()


def continue_journey():
    """After a step page is done: the next step, or back to the portal (or My Profile).

    The step's changes (the sign-in recorded, the SSO session started) are
    committed here, once, with the decision.
    """
    # The journey's reads need not see this step's changes flushed first: they are
    # written once, at the commit.
    with db.session.no_autoflush:
        response = _next_page()
    db.session.commit()
    return response


def _next_page():
    interaction = browser.current_interaction()
    sign_in = pending()
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


def _complete_sign_in(interaction: Interaction, sign_in: SignIn):
    """Start the SSO session with a fresh id and go back to the portal (or My Profile)."""
    user = db.session.get(User, sign_in.user_id)
    amr = list(sign_in.amr) or ["pwd"]
    sso = start_sso_session(user, amr, sign_in.acr or acr_for(amr))
    browser.keep_signed_in(sso.id)
    if portal_waiting(interaction):
        mark_signed_in(interaction)
        return redirect(url_for("oidc.resume_interaction", uid=interaction.uid))
    finish_interaction(interaction)
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
