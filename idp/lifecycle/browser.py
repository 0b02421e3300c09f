"""What this browser holds: the interaction it is in and the SSO session it is
signed in with.

The one lifecycle module that reads the browser's session and cookies: the
sign-in pages and the authorization endpoint act for the same browser, and
both find its state here rather than in each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request, session

from ..store.models import Interaction, SsoSession, User
from .authentication import end_sso_session, load_sso_session
from .interactions import SignIn, load_interaction

DEVICE_COOKIE = "ohid_device"


@dataclass
class SignedInUser:
    """The user of a live SSO session, as a portal's authorization sees them."""

    user: User
    sid: str | None
    auth_time: int
    amr: list[str] = field(default_factory=list)
    acr: str | None = None

    def get_user_id(self) -> int:
        """Authlib's name for the user's id."""
        return self.user.id

    def as_sign_in(self) -> SignIn:
        """This SSO session as a sign-in record (resumed: nothing new to start)."""
        return SignIn(user_id=self.user.id, amr=tuple(self.amr), acr=self.acr, sso_id=self.sid)


def browser_sso_session(touch: bool = True) -> SsoSession | None:
    """This browser's live SSO session, if any (``touch`` keeps it from idling out)."""
    return load_sso_session(session.get("sso"), touch=touch)


def signed_in_user(touch: bool = True) -> SignedInUser | None:
    """The user of this browser's live SSO session, if any."""
    sso = browser_sso_session(touch)
    if sso is None:
        return None
    return SignedInUser(
        sso.user, sso.id, int(sso.auth_time.timestamp()), list(sso.amr or []), sso.acr
    )


def current_interaction() -> Interaction | None:
    """The live interaction this browser is in, if any."""
    return load_interaction(session.get("interaction"))


def bind_interaction(interaction: Interaction) -> None:
    """This browser is now in ``interaction`` (it alone may resume it)."""
    session["interaction"] = interaction.uid


def owns_interaction(uid: str) -> bool:
    """Whether ``uid`` is the interaction this browser is in."""
    return bool(uid) and session.get("interaction") == uid


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


def device_token() -> str | None:
    """This browser's device id (a long random cookie), if it has one."""
    return request.cookies.get(DEVICE_COOKIE) or None
