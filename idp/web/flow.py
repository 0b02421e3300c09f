"""Where a signing-in user goes next, and finishing the sign-in.

A user who has passed the password (or passkey) step is *pending*: their id
and the methods used so far live in the Flask session. ``continue_sign_in``
asks ``policy.journey.next_step`` what is left; when nothing is, the SSO
session starts (with a fresh session id) and the saved authorization request,
if any, is resumed.
"""

from __future__ import annotations

from flask import redirect, session, url_for

from ..extensions import db, now
from ..lifecycle.authentication import load_sso_session, start_sso_session
from ..models import Interaction, OAuth2Client, User
from ..oidc.server import SignedInUser
from ..policy.journey import JourneyState, next_step
from ..policy.mfa import acr_for

# Journey step name -> endpoint of the page that handles it. Each lifecycle
# stage registers its pages here (see ``register_step``).
STEP_ENDPOINTS: dict[str, str] = {}

# Journey facts providers: each returns a dict of JourneyState fields.
FACT_PROVIDERS: list = []


def register_step(step: str, endpoint: str) -> None:
    """Say which page handles a journey step."""
    STEP_ENDPOINTS[step] = endpoint


def register_facts(provider) -> None:
    """Add a function ``(user, client, params, pending) -> dict`` of journey facts."""
    if provider not in FACT_PROVIDERS:
        FACT_PROVIDERS.append(provider)


def signed_in_user() -> SignedInUser | None:
    """The user of this browser's live SSO session, if any."""
    sso = load_sso_session(session.get("sso"))
    if sso is None:
        return None
    return SignedInUser(
        sso.user, sso.id, int(sso.auth_time.timestamp()), list(sso.amr or []), sso.acr
    )


def begin_sign_in(user: User, amr: list[str], acr: str | None = None) -> None:
    """Mark ``user`` as pending: the first factor is done."""
    session["pending"] = {"user_id": user.id, "amr": list(amr), "acr": acr}


def pending() -> dict | None:
    return session.get("pending")


def pending_user() -> User | None:
    state = pending()
    return db.session.get(User, state["user_id"]) if state else None


def add_method(method: str, acr: str | None = None) -> None:
    """Record another authentication method on the pending sign-in (for ``amr``)."""
    state = dict(session["pending"])
    state["amr"] = list(dict.fromkeys([*state["amr"], method]))
    if acr:
        state["acr"] = acr
    session["pending"] = state


def set_pending_fact(name: str, value) -> None:
    state = dict(session["pending"])
    state[name] = value
    session["pending"] = state


def clear_pending() -> None:
    session.pop("pending", None)


def current_interaction() -> Interaction | None:
    uid = session.get("interaction")
    interaction = db.session.get(Interaction, uid) if uid else None
    if interaction is not None and now() >= interaction.expires_at:
        return None
    return interaction


def _client_of(interaction: Interaction | None) -> OAuth2Client | None:
    if interaction is None:
        return None
    return db.session.execute(
        db.select(OAuth2Client).filter_by(client_id=interaction.client_id)
    ).scalar_one_or_none()


def journey_state(user: User, client, params, state: dict | None) -> JourneyState:
    facts: dict = {}
    for provider in FACT_PROVIDERS:
        facts.update(provider(user, client, params or {}, state or {}))
    return JourneyState(**facts)


def next_step_for(user: User, client, params, state: dict | None = None) -> str | None:
    """The next journey step for ``user`` signing in to ``client`` (None: done)."""
    return next_step(journey_state(user, client, params, state))


def redirect_to_step(step: str):
    if step not in STEP_ENDPOINTS:
        raise RuntimeError(f"journey step {step!r} has no page registered")
    return redirect(url_for(STEP_ENDPOINTS[step]))


def continue_sign_in():
    """Send the pending user to their next step, or finish signing in."""
    user = pending_user()
    if user is None:
        return redirect(url_for("signin.start"))
    interaction = current_interaction()
    step = next_step_for(
        user, _client_of(interaction), interaction.params if interaction else {}, pending()
    )
    if step is not None:
        return redirect_to_step(step)
    return complete_sign_in(user)


def journey_user() -> User | None:
    """Whoever a journey page is for: the pending user, else the signed-in one."""
    user = pending_user()
    if user is not None:
        return user
    signed_in = signed_in_user()
    return signed_in.user if signed_in is not None else None


def continue_journey():
    """After a step page is done: continue the pending sign-in, or resume the portal."""
    if pending() is not None:
        return continue_sign_in()
    interaction = current_interaction()
    if interaction is not None:
        return redirect(url_for("oidc.resume_interaction", uid=interaction.uid))
    return redirect(url_for("profile.show"))


def complete_sign_in(user: User):
    """Start the SSO session with a fresh id and go back to the portal (or My Profile)."""
    state = pending() or {}
    interaction = current_interaction()
    remembered = {k: session[k] for k in ("interaction",) if k in session}
    amr = state.get("amr", ["pwd"])
    sso = start_sso_session(user, amr, state.get("acr") or acr_for(amr))
    # Rotate: nothing from before sign-in survives but the saved authorization request.
    session.clear()
    session.update(remembered)
    session["sso"] = sso.id
    session.permanent = True
    if interaction is not None:
        interaction.authenticated_at = now()
        db.session.commit()
        return redirect(url_for("oidc.resume_interaction", uid=interaction.uid))
    return redirect(url_for("profile.show"))
