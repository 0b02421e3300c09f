"""Interactions (one browser's way through sign-in) and the reads the journey makes
beside them: every statement on the ``interactions`` table, by name.

Every portal sign-in begins, reads, marks and deletes one interaction, so these
are the hot path's statements: prebuilt (SQLAlchemy caches a statement's
compiled form by the statement object) and run as plain statements where a
unit-of-work flush would cost several times as much. Nothing here commits: the
request's unit of work does (``store.units``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .base import db
from .models import Interaction, User
from .rows import execute_plain, held_row, insert_row, request_memo

_BY_UID = select(Interaction).where(Interaction.uid == bindparam("uid"))
_DELETE = delete(Interaction).where(Interaction.uid == bindparam("uid"))
_SIGNED_IN = (
    update(Interaction)
    .where(Interaction.uid == bindparam("interaction"))
    .values(authenticated_at=bindparam("moment"), sign_in=None)
)
_USERNAME_BY_SUB = select(User.username).where(User.sub == bindparam("sub"))


def insert_interaction(interaction: Interaction) -> Interaction:
    """Write the new ``interaction`` with one plain INSERT (every portal request
    begins one); it stays a loaded row of this unit."""
    return insert_row(interaction)


def keep_interaction(interaction: Interaction) -> Interaction:
    """Put ``interaction`` (new or changed) in this unit of work, written at its end."""
    db.session.add(interaction)
    return interaction


def interaction_by_uid(uid: str) -> Interaction | None:
    """The stored interaction ``uid``; read once per request (the sign-in pages and
    the journey ask for it several times)."""
    held = request_memo("interactions")
    interaction = held_row(held.get(uid))
    if interaction is None:
        interaction = db.session.scalars(_BY_UID, {"uid": uid}).one_or_none()
        if interaction is not None:
            held[uid] = interaction
    return interaction


def delete_interactions_begun_before(moment: datetime) -> int:
    """Delete the interactions created before ``moment``; how many went."""
    return db.session.execute(delete(Interaction).where(Interaction.created_at < moment)).rowcount


def mark_interaction_signed_in(interaction: Interaction, moment: datetime) -> None:
    """Record that the user authenticated inside ``interaction`` at ``moment`` (its
    sign-in record goes): a plain UPDATE, as every portal sign-in ends here, with
    the row object brought up to date without reading it back."""
    execute_plain(_SIGNED_IN, {"interaction": interaction.uid, "moment": moment})
    set_committed_value(interaction, "authenticated_at", moment)
    set_committed_value(interaction, "sign_in", None)


def delete_interaction(interaction: Interaction) -> None:
    """Delete ``interaction`` with a plain DELETE; the row object leaves the unit
    (changes made to it are not written)."""
    if interaction in db.session:
        db.session.expunge(interaction)
    if interaction.uid is not None:
        execute_plain(_DELETE, {"uid": interaction.uid})


def username_of_sub(sub: str) -> str | None:
    """The One Healthcare ID of the account whose ``sub`` claim is ``sub``, if any."""
    return db.session.execute(_USERNAME_BY_SUB, {"sub": sub}).scalar_one_or_none()


def account_of_sign_in(user_id: int) -> User | None:
    """The account a sign-in record names (from this unit's rows when already read)."""
    return db.session.get(User, user_id)


@contextmanager
def reading_without_flush() -> Iterator[None]:
    """Queries inside the block do not flush this unit's pending changes first.

    For deciding a sign-in's next step after a page did its part: the step's
    changes are written once, when the unit ends, not before each read.
    """
    with db.session.no_autoflush:
        yield
