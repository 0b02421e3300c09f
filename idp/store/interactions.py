"""Interactions (one browser's way through sign-in) and the reads the journey makes
beside them: every statement on the ``interactions`` table, by name.

Every portal sign-in reads, marks and deletes one interaction (begun in the
browser's cookie, it is written at its first change), so these are the hot
path's statements: prebuilt (SQLAlchemy caches a statement's
compiled form by the statement object) and run as plain statements where a
unit-of-work flush would cost several times as much. Nothing here commits: the
request's unit of work does (``store.units``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import bindparam, delete, event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .base import db
from .models import Interaction, User
from .rows import execute_plain, request_memo
from .units import note_write

_BY_UID = select(Interaction).where(Interaction.uid == bindparam("uid"))
_DELETE = delete(Interaction).where(Interaction.uid == bindparam("uid"))
_SIGNED_IN = (
    update(Interaction)
    .where(Interaction.uid == bindparam("interaction"))
    .values(authenticated_at=bindparam("moment"), sign_in=None)
)
_USERNAME_BY_SUB = select(User.username).where(User.sub == bindparam("sub"))


def _upsert(insert):
    statement = insert(Interaction.__table__)
    changed = {c.name: statement.excluded[c.name] for c in Interaction.__table__.columns}
    changed.pop("uid")
    return statement.on_conflict_do_update(index_elements=["uid"], set_=changed)


_WRITE_NEW = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}
# The key in ``Session.info`` of the interactions first written by this transaction.
_NEW = "mock_ohid.new_interactions"


def keep_interaction(interaction: Interaction) -> Interaction:
    """Keep ``interaction`` (new or changed): written when this unit commits.

    One never written (begun in the browser's cookie) is written with an upsert on
    its uid: the same browser may send a form twice, and both requests write it for
    the first time; the last to commit wins, as it does for a stored row.
    """
    if inspect(interaction).transient:
        db.session.info.setdefault(_NEW, {})[interaction.uid] = interaction
        note_write()
    else:
        db.session.add(interaction)
    return interaction


def interaction_is_kept(interaction: Interaction) -> bool:
    """Whether ``interaction`` is stored, or will be when this unit ends."""
    state = inspect(interaction)
    return state.persistent or interaction.uid in db.session.info.get(_NEW, {})


@event.listens_for(Session, "before_commit")
def _write_new_interactions(session) -> None:
    new = session.info.get(_NEW)
    if new:
        statement = _WRITE_NEW[session.get_bind().dialect.name]
        columns = Interaction.__table__.columns
        rows = [{c.name: getattr(i, c.key) for c in columns} for i in new.values()]
        session.execute(statement, rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_new_interactions(session, transaction) -> None:
    # Written (committed) or dropped (rolled back): a later change keeps it again.
    if transaction.parent is None:
        session.info.pop(_NEW, None)


def interaction_by_uid(uid: str) -> Interaction | None:
    """The interaction ``uid``: one this request holds (read, or not written yet), else
    the stored one; read once per request (the sign-in pages and the journey ask for
    it several times)."""
    held = request_memo("interactions")
    interaction = held.get(uid)
    if interaction is None or inspect(interaction).detached:
        interaction = db.session.scalars(_BY_UID, {"uid": uid}).one_or_none()
        if interaction is not None:
            held[uid] = interaction
    return interaction


def hold_interaction(interaction: Interaction) -> Interaction:
    """Hold ``interaction`` (not written yet) for the rest of this request: asked for by
    its uid, it is this object."""
    request_memo("interactions")[interaction.uid] = interaction
    return interaction


def delete_interactions_begun_before(moment: datetime) -> int:
    """Delete the interactions created before ``moment``; how many went."""
    return db.session.execute(delete(Interaction).where(Interaction.created_at < moment)).rowcount


def mark_interaction_signed_in(interaction: Interaction, moment: datetime) -> None:
    """Record that the user authenticated inside ``interaction`` at ``moment`` (its
    sign-in record goes). A stored row gets a plain UPDATE, as every portal sign-in
    ends here, the row object brought up to date without reading it back; one not
    written yet just carries the values into its INSERT."""
    if not inspect(interaction).persistent:
        interaction.authenticated_at = moment
        interaction.sign_in = None
        keep_interaction(interaction)
        return
    execute_plain(_SIGNED_IN, {"interaction": interaction.uid, "moment": moment})
    set_committed_value(interaction, "authenticated_at", moment)
    set_committed_value(interaction, "sign_in", None)


def delete_interaction(interaction: Interaction) -> None:
    """Delete ``interaction``: a plain DELETE when it is stored; the row object
    leaves the unit (changes made to it, or its INSERT, are not written)."""
    stored = inspect(interaction).persistent
    request_memo("interactions").pop(interaction.uid, None)
    db.session.info.get(_NEW, {}).pop(interaction.uid, None)
    if interaction in db.session:
        db.session.expunge(interaction)
    if stored:
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
