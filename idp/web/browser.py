"""What this browser holds: the interaction it is in and the SSO session it is
signed in with, kept in its session cookie.

An interaction nothing has changed yet (the portal's request, before a sign-in is
recorded on it) is kept whole in the cookie, not written; once written, the cookie
names it by its uid. The database's copy wins when both exist.

The one module that reads and writes those two entries of the browser's
session: the sign-in pages and the authorization endpoint act for the same
browser, and both find its state here rather than in each other.
"""

from __future__ import annotations

from flask import session

from ..lifecycle.authentication import end_sso_session, load_sso_session
from ..lifecycle.interactions import (
    SignedInUser,
    browser_copy,
    interaction_from_browser,
    load_interaction,
)
from ..store.models import Interaction, SsoSession


def browser_sso_session(touch: bool = True) -> SsoSession | None:
    """This browser's live SSO session, if any (``touch`` keeps it from idling out)."""
    return load_sso_session(session.get("sso"), touch=touch)


def signed_in_user(touch: bool = True) -> SignedInUser | None:
    """The user of this browser's live SSO session, if any."""
    sso = browser_sso_session(touch)
    return SignedInUser.of(sso) if sso is not None else None


def _bound_uid() -> str | None:
    entry = session.get("interaction")
    if isinstance(entry, dict):
        entry = entry.get("uid")
    return entry if isinstance(entry, str) else None


def current_interaction() -> Interaction | None:
    """The interaction this browser is in, if any."""
    interaction = load_interaction(_bound_uid())
    entry = session.get("interaction")
    if interaction is None and isinstance(entry, dict):
        interaction = interaction_from_browser(entry)
    return interaction


def bind_interaction(interaction: Interaction) -> None:
    """This browser is now in ``interaction`` (it alone may resume it)."""
    copy = browser_copy(interaction)
    session["interaction"] = copy if copy is not None else interaction.uid


def owns_interaction(uid: str) -> bool:
    """Whether ``uid`` is the interaction this browser is in."""
    return bool(uid) and _bound_uid() == uid


def forget_interaction() -> None:
    """This browser is no longer in an interaction."""
    session.pop("interaction", None)


def keep_signed_in(sso_id: str) -> None:
    """Remember the new SSO session; nothing else from before sign-in survives but
    the interaction (the session id rotates at sign-in)."""
    kept = {k: session[k] for k in ("interaction",) if k in session}
    session.clear()
    session.update(kept)
    session["sso"] = sso_id
    session.permanent = True


def sign_out_browser(reason: str = "sign_out") -> None:
    """End this browser's SSO session (portals hear of it) and forget its session."""
    sso = browser_sso_session(touch=False)
    if sso is not None:
        end_sso_session(sso, reason=reason)
    session.clear()
