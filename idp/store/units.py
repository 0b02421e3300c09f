"""Units of work: what is written together is committed together, once.

A request is one unit (``OhidFlask.dispatch_request`` ends it when the view
returns; a request that ends in an exception leaves nothing written). A CLI
command is one unit, and so is each piece of background work (a back-channel
logout send, key generation). The few deliberate commits before a unit's end
are named in ``EARLY_COMMITS``: each says why its write cannot wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g
from sqlalchemy import event
from sqlalchemy.orm import Session

from .base import db

# The key in ``flask.g`` of the request's memos (``rows.request_memo``).
REQUEST_MEMOS = "_request_memos"

# Set in ``Session.info`` once the unit has written anything.
_WROTE = "mock_ohid.unit_wrote"

# Every commit made before its unit ends, by name, with the reason it cannot wait.
# ``tests/architecture`` checks that no module outside the store commits another way.
EARLY_COMMITS: dict[str, str] = {
    "sign-in try claimed": (
        "release SQLite's write lock before argon2: the claimed try is counted before the"
        " slow check, and other sign-ins need not wait for that check"
    ),
    "security answers try claimed": (
        "release the account row's lock before the answers' argon2 checks: the claimed"
        " try is counted while they run, and parallel tries wait only for the count"
    ),
    "sso session ended": (
        "portals told of the ended session by back-channel may call back at once; they"
        " must find it ended and its tokens revoked, and no write lock is held while they answer"
    ),
    "refresh token claim": (
        "a refresh token is taken before its new tokens are made: a racing reuse sees the"
        " rotation at once (and the rotation looks after the grant revoked meanwhile),"
        " and SQLite's write lock is not held while the tokens are signed"
    ),
    "fault count-down": (
        "a request answered by an injected fault never reaches its view, whose return"
        " commits the unit; and a delay's count-down reaches every worker before it waits"
    ),
    "health probe": (
        "/healthz proves that the database takes a commit: the probe row is committed,"
        " then its removal"
    ),
}


def commit_now(name: str) -> None:
    """Commit the unit's writes so far, for one of the reasons of ``EARLY_COMMITS``."""
    if name not in EARLY_COMMITS:
        raise ValueError(f"not a named early commit: {name!r}")
    db.session.commit()


def finish_unit() -> None:
    """Commit the current unit of work (the end of a request, command or task).

    A unit that wrote nothing ends its read transaction without a COMMIT, so a
    page that only reads costs the database no commit.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.pop(_WROTE, False):
        session.commit()
    else:
        session.rollback()


def note_write() -> None:
    """Record that the current unit wrote past the ORM (a plain INSERT or UPDATE)."""
    db.session().info[_WROTE] = True


def abandon_unit() -> None:
    """Drop the current unit's unwritten changes."""
    session = db.session()
    session.info.pop(_WROTE, None)
    session.rollback()


@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    session.info.pop(_WROTE, None)


@event.listens_for(Session, "do_orm_execute")
def _orm_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One unit of work outside a request: committed when the block ends, dropped
    if it raises."""
    try:
        yield
    except BaseException:
        abandon_unit()
        raise
    finish_unit()


def begin_request() -> None:
    """Start a request's unit of work.

    A request reads its rows once: an early commit in the middle of it need not
    read again the interaction, user, client and SSO session it holds. The rows
    another request memoized (``request_memo``) are forgotten.
    """
    g.pop(REQUEST_MEMOS, None)
    db.session().expire_on_commit = False


def end_request() -> None:
    """End a request's unit of work, once it has been answered.

    What the request left uncommitted (it raised, or an error handler answered
    it) is dropped, and whoever holds this session next (a CLI command or a test
    sharing the app context) reads afresh, as after a commit.
    """
    if db.session.registry.has():
        session = db.session()
        session.info.pop(_WROTE, None)
        session.rollback()
        session.expire_all()
        session.expire_on_commit = True
