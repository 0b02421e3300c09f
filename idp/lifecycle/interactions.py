"""The interaction: one browser's way through sign-in, and the only handoff
between the authorization endpoint and the sign-in pages.

The authorization endpoint begins an interaction with the portal's request and
what it resolved of it (``Prompt``); the sign-in pages record the sign-in on it
(``SignIn``: who, which methods, which steps are done); ``lifecycle.journey``
reads both to decide the next step; when nothing is left the authorization
endpoint finishes it (or My Profile opens, when no portal is waiting).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import now
from ..store import db, execute_plain, held_row, insert_row, request_memo
from ..store.models import Interaction

INTERACTION_MINUTES = 30
ABANDONED_DAYS = 7
SWEEP_EVERY = 64

# Built once (SQLAlchemy caches a statement's compiled form by the statement object):
# each sign-in request loads its interaction, and the resume deletes it.
_BY_UID = select(Interaction).where(Interaction.uid == bindparam("uid"))
_DELETE = delete(Interaction).where(Interaction.uid == bindparam("uid"))
_SIGNED_IN = (
    update(Interaction)
    .where(Interaction.uid == bindparam("interaction"))
    .values(authenticated_at=bindparam("moment"), sign_in=None)
)


@dataclass(frozen=True)
class Prompt:
    """What the portal asked of this sign-in, as the authorization endpoint resolved it."""

    # The One Healthcare ID to prefill (login_hint, or the user an id_token_hint names).
    login_hint: str = ""
    # acr_values as sent: a multi-factor value makes the second factor required.
    acr_values: str = ""
    # prompt=consent: ask again even when the portal was allowed before.
    consent: bool = False


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


def stage_interaction(interaction: Interaction) -> Interaction:
    """Add ``interaction`` (new or changed) to the unit of work, not yet committed:
    a sign-in step commits once, when the journey has decided where to go next."""
    db.session.add(interaction)
    return interaction


def save_interaction(interaction: Interaction) -> Interaction:
    """Store ``interaction`` (new or changed) and commit."""
    stage_interaction(interaction)
    db.session.commit()
    return interaction


def begin_interaction(client_id: str | None, params: dict, prompt: Prompt | None = None):
    """Save a new interaction for ``client_id`` (None: signing in to My Profile)."""
    interaction = new_interaction(client_id, params, prompt)
    # Abandoned interactions are dropped after a week; finished ones go at once. The
    # sweep runs on one begin in SWEEP_EVERY: a DELETE takes SQLite's write lock
    # even when nothing is old enough, and every portal request begins here.
    if secrets.randbelow(SWEEP_EVERY) == 0:
        sweep_abandoned_interactions(interaction.created_at)
    insert_row(interaction)
    db.session.commit()
    return interaction


def sweep_abandoned_interactions(moment: datetime) -> int:
    """Delete interactions begun more than a week before ``moment`` (not committed)."""
    return db.session.execute(
        db.delete(Interaction).where(
            Interaction.created_at < moment - timedelta(days=ABANDONED_DAYS)
        )
    ).rowcount


def load_interaction(uid: str | None) -> Interaction | None:
    """The interaction ``uid``, even when the portal's request in it has expired (a
    registrant's sign-in outlives it); ``portal_waiting`` tells whether it has."""
    if not uid or not isinstance(uid, str) or len(uid) > 64:
        return None
    held = request_memo("interactions")
    interaction = held_row(held.get(uid))
    if interaction is None:
        interaction = db.session.scalars(_BY_UID, {"uid": uid}).one_or_none()
        if interaction is not None:
            held[uid] = interaction
    return interaction


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


def record_sign_in(interaction: Interaction, sign_in: SignIn | None) -> None:
    """Replace the sign-in recorded on ``interaction`` (None forgets it)."""
    interaction.sign_in = sign_in.to_json() if sign_in is not None else None
    save_interaction(interaction)


def begin_sign_in(interaction: Interaction, user_id: int, amr, acr=None, **steps) -> SignIn:
    """The first factor is done (or an SSO session resumed): start the record afresh.

    Not committed: the page that called it goes on to the journey, which commits.
    """
    sign_in = SignIn(user_id=user_id, amr=tuple(dict.fromkeys(amr)), acr=acr, **steps)
    interaction.sign_in = sign_in.to_json()
    stage_interaction(interaction)
    return sign_in


def update_sign_in(interaction: Interaction, **changes) -> SignIn:
    """Record steps done on the sign-in in progress (unknown step names raise)."""
    sign_in = replace(sign_in_of(interaction), **changes)
    record_sign_in(interaction, sign_in)
    return sign_in


def add_methods(interaction: Interaction, methods, acr: str | None = None) -> SignIn:
    """Add authentication methods (``amr`` values) to the sign-in in progress."""
    sign_in = sign_in_of(interaction)
    changes: dict = {"amr": tuple(dict.fromkeys([*sign_in.amr, *methods]))}
    if acr:
        changes["acr"] = acr
    return update_sign_in(interaction, **changes)


def mark_signed_in(interaction: Interaction) -> None:
    """The user has (re)authenticated inside this interaction: the sign-in record is
    done with (the SSO session carries it from here). Not committed: the sign-in
    step that finished the journey commits it with the new SSO session."""
    moment = now()
    # A plain UPDATE, not a flush: every sign-in for a portal ends here.
    execute_plain(_SIGNED_IN, {"interaction": interaction.uid, "moment": moment})
    set_committed_value(interaction, "authenticated_at", moment)
    set_committed_value(interaction, "sign_in", None)


def deny_interaction(interaction: Interaction) -> None:
    """The user declined to share their One Healthcare ID with the portal."""
    interaction.denied_at = now()
    save_interaction(interaction)


def finish_interaction(interaction: Interaction) -> None:
    """The interaction is over (code issued, error sent, or My Profile reached): delete
    it and commit, with whatever else the request has pending."""
    if interaction in db.session:
        db.session.expunge(interaction)
    if interaction.uid is not None:
        execute_plain(_DELETE, {"uid": interaction.uid})
    db.session.commit()
