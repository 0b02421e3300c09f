"""The interaction: one browser's way through sign-in, and the only handoff
between the authorization endpoint and the sign-in pages.

The authorization endpoint begins an interaction with the portal's request and
what it resolved of it (``Prompt``); the sign-in pages record the sign-in on it
(``SignIn``: who, which methods, which steps are done); ``lifecycle.journey``
reads both to decide the next step; when nothing is left the authorization
endpoint finishes it (or My Profile opens, when no portal is waiting).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta

from ..extensions import now
from ..store.interactions import (
    account_of_sign_in,
    delete_interaction,
    delete_interactions_begun_before,
    hold_interaction,
    interaction_by_uid,
    interaction_is_kept,
    keep_interaction,
    mark_interaction_signed_in,
)
from ..store.models import Interaction, SsoSession, User

INTERACTION_MINUTES = 30
ABANDONED_DAYS = 7
SWEEP_EVERY = 64
# The largest interaction its browser keeps in the session cookie before the first
# write: a browser keeps 4 KB per cookie, shared with the SSO session and the form
# token. A larger request (a long ``claims`` or ``state``) is written at once.
BROWSER_COPY_MAX_BYTES = 2048


@dataclass(frozen=True)
class Prompt:
    """What the portal asked of this sign-in, as the authorization endpoint resolved it."""

    # The One Healthcare ID to prefill (login_hint, or the user an id_token_hint names).
    login_hint: str = ""
    # acr_values as sent: a multi-factor value makes the second factor required.
    acr_values: str = ""
    # prompt=consent: ask again even when the portal was allowed before.
    consent: bool = False
    # The user must sign in (or create an account) before the portal is answered:
    # False once the authorization endpoint accepted the browser's SSO session.
    sign_in_owed: bool = True


@dataclass(frozen=True)
class SignIn:
    """The sign-in so far: the user, the methods used (``amr``), and steps done."""

    user_id: int
    amr: tuple[str, ...] = ()
    acr: str | None = None
    # The browser was already signed in (this SSO session): nothing new to start.
    sso_id: str | None = None
    # A new registrant: their phone and the security-methods offer come next.
    registration: bool = False
    security_methods_offered: bool = False
    phone_step_done: bool = False
    # How the registrant's phone is being verified ("sms" or "voice") and, for a
    # call, the code shown on screen that they type on the keypad.
    phone_method: str | None = None
    call_code: str | None = None
    device_checked: bool = False
    # Which security question the unrecognized-device check asked (asked once).
    device_question: int | None = None
    password_warning_seen: bool = False

    @property
    def second_factor_done(self) -> bool:
        """Whether a second factor was passed in this sign-in."""
        return "mfa" in self.amr

    def to_json(self) -> dict:
        data = asdict(self)
        data["amr"] = list(self.amr)
        return data

    @classmethod
    def from_json(cls, data: dict) -> SignIn:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["amr"] = tuple(values.get("amr") or ())
        return cls(**values)


@dataclass
class SignedInUser:
    """The user of a live SSO session: a finished sign-in, as a portal's
    authorization sees it."""

    user: User
    sid: str | None
    auth_time: int
    amr: list[str] = field(default_factory=list)
    acr: str | None = None

    @classmethod
    def of(cls, sso: SsoSession) -> SignedInUser:
        """The user of the SSO session ``sso``."""
        return cls(sso.user, sso.id, int(sso.auth_time.timestamp()), list(sso.amr or []), sso.acr)

    def get_user_id(self) -> int:
        """Authlib's name for the user's id."""
        return self.user.id

    def as_sign_in(self) -> SignIn:
        """This SSO session as a sign-in record (resumed: nothing new to start)."""
        return SignIn(user_id=self.user.id, amr=tuple(self.amr), acr=self.acr, sso_id=self.sid)


def new_interaction(client_id: str | None, params: dict, prompt: Prompt | None = None):
    """An interaction not yet saved (the journey can be asked about it first)."""
    moment = now()
    return Interaction(
        uid=secrets.token_urlsafe(24),
        client_id=client_id,
        params=params,
        prompt=asdict(prompt or Prompt()),
        sign_in=None,
        created_at=moment,
        expires_at=moment + timedelta(minutes=INTERACTION_MINUTES),
    )


def save_interaction(interaction: Interaction) -> Interaction:
    """Keep ``interaction`` (new or changed): written with the request's other changes."""
    if not interaction_is_kept(interaction) and secrets.randbelow(SWEEP_EVERY) == 0:
        # Abandoned interactions are dropped after a week; finished ones go at once.
        # The sweep runs on one first write in SWEEP_EVERY: a DELETE takes SQLite's
        # write lock even when nothing is old enough.
        sweep_abandoned_interactions(interaction.created_at)
    return keep_interaction(interaction)


def begin_interaction(client_id: str | None, params: dict, prompt: Prompt | None = None):
    """A new interaction for ``client_id`` (None: signing in to My Profile).

    Nothing is written: until its first change (the sign-in recorded on it) the
    browser keeps it (``browser_copy``), so a portal's request that ends without a
    sign-in costs the database nothing.
    """
    return hold_interaction(new_interaction(client_id, params, prompt))


def browser_copy(interaction: Interaction) -> dict | None:
    """What the browser keeps of ``interaction`` before its first write: the portal's
    request and what the authorization endpoint resolved of it. None when it is
    written (or will be when this unit ends), or too large for a cookie (it is then
    saved, to be written with this unit)."""
    if interaction_is_kept(interaction):
        return None
    copy = {
        "uid": interaction.uid,
        "client_id": interaction.client_id,
        "params": interaction.params,
        "prompt": interaction.prompt,
        "created_at": interaction.created_at.isoformat(),
        "expires_at": interaction.expires_at.isoformat(),
    }
    unchanged = not (interaction.sign_in or interaction.authenticated_at or interaction.denied_at)
    if unchanged and len(json.dumps(copy)) <= BROWSER_COPY_MAX_BYTES:
        return copy
    save_interaction(interaction)
    return None


def sweep_abandoned_interactions(moment: datetime) -> int:
    """Delete interactions begun more than a week before ``moment``; how many went."""
    return delete_interactions_begun_before(moment - timedelta(days=ABANDONED_DAYS))


def interaction_from_browser(copy) -> Interaction | None:
    """The interaction a browser kept (``browser_copy``), not written yet; None for a
    copy of another shape."""
    try:
        interaction = Interaction(
            uid=copy["uid"],
            client_id=copy["client_id"],
            params=copy["params"],
            prompt=copy["prompt"],
            sign_in=None,
            created_at=datetime.fromisoformat(copy["created_at"]),
            expires_at=datetime.fromisoformat(copy["expires_at"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return hold_interaction(interaction)


def load_interaction(uid: str | None) -> Interaction | None:
    """The interaction ``uid``, even when the portal's request in it has expired (a
    registrant's sign-in outlives it); ``portal_waiting`` tells whether it has."""
    if not uid or not isinstance(uid, str) or len(uid) > 64:
        return None
    return interaction_by_uid(uid)


def portal_waiting(interaction: Interaction | None) -> bool:
    """Whether a portal's request is saved in ``interaction`` and still live
    (30 minutes by the QA clock)."""
    return (
        interaction is not None
        and interaction.client_id is not None
        and now() < interaction.expires_at
    )


def prompt_of(interaction: Interaction | None) -> Prompt:
    """What the portal asked of this sign-in (nothing, without a portal)."""
    if interaction is None or not interaction.prompt:
        return Prompt()
    return Prompt(**interaction.prompt)


def sign_in_of(interaction: Interaction | None) -> SignIn | None:
    """The sign-in recorded on ``interaction``, if one has begun."""
    if interaction is None or not interaction.sign_in:
        return None
    return SignIn.from_json(interaction.sign_in)


def user_of(sign_in: SignIn) -> User | None:
    """The account of ``sign_in``."""
    return account_of_sign_in(sign_in.user_id)


def _record(interaction: Interaction, sign_in: SignIn | None) -> None:
    interaction.sign_in = sign_in.to_json() if sign_in is not None else None
    save_interaction(interaction)


def begin_sign_in(interaction: Interaction, user_id: int, amr, acr=None, **steps) -> SignIn:
    """The first factor is done (or an SSO session resumed): start the record afresh."""
    sign_in = SignIn(user_id=user_id, amr=tuple(dict.fromkeys(amr)), acr=acr, **steps)
    _record(interaction, sign_in)
    return sign_in


def update_sign_in(interaction: Interaction, **changes) -> SignIn:
    """Record steps done (or choices made) on the sign-in in progress (unknown names
    raise)."""
    sign_in = replace(sign_in_of(interaction), **changes)
    _record(interaction, sign_in)
    return sign_in


def add_methods(interaction: Interaction, methods, acr: str | None = None) -> SignIn:
    """Add authentication methods (``amr`` values) to the sign-in in progress."""
    sign_in = sign_in_of(interaction)
    changes: dict = {"amr": tuple(dict.fromkeys([*sign_in.amr, *methods]))}
    if acr:
        changes["acr"] = acr
    return update_sign_in(interaction, **changes)


def forget_sign_in(interaction: Interaction) -> None:
    """Forget the sign-in recorded on ``interaction`` (the interaction stays)."""
    _record(interaction, None)


def mark_signed_in(interaction: Interaction) -> None:
    """The user has (re)authenticated inside this interaction: the sign-in record is
    done with (the SSO session carries it from here)."""
    mark_interaction_signed_in(interaction, now())


def deny_interaction(interaction: Interaction) -> None:
    """The user declined to share their One Healthcare ID with the portal."""
    interaction.denied_at = now()
    save_interaction(interaction)


def finish_interaction(interaction: Interaction) -> None:
    """The interaction is over (code issued, error sent, or My Profile reached): it
    is deleted with whatever else the request writes."""
    delete_interaction(interaction)
