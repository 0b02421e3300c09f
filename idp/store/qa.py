"""QA storage: the shared clock offset, injected faults, debugger runs, the health
probe, and the reads the QA surface and the CLI make (outbox, audit events,
users), plus emptying the database for ``/_qa/reset``."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from .base import db
from .models import (
    AuditEvent,
    ClockState,
    DebuggerRun,
    HealthProbe,
    InjectedFault,
    OutboxMessage,
    TotpAuthenticator,
    User,
)
from .rows import (
    execute_plain,
    write_pending,  # noqa: F401 - rows in general, named per aggregate
)
from .units import commit_now

# --- the clock ---

# One column read per request: a plain statement on the session's connection
# skips the ORM's row loading and does not flush pending changes early.
_CLOCK_OFFSET = select(ClockState.offset_seconds).where(ClockState.id == 1)


def clock_offset_seconds() -> float:
    """The QA clock's offset every worker shares (0 when never moved)."""
    return execute_plain(_CLOCK_OFFSET).scalar() or 0.0


def save_clock_offset_seconds(seconds: float) -> None:
    """Keep the QA clock's offset for every worker (written with the unit)."""
    row = db.session.get(ClockState, 1)
    if row is None:
        row = ClockState(id=1, offset_seconds=0.0)
        db.session.add(row)
    row.offset_seconds = seconds


# --- injected faults ---


def _active():
    return select(InjectedFault).where(InjectedFault.remaining > 0).order_by(InjectedFault.id)


_ACTIVE_AT = _active().where(InjectedFault.endpoint == bindparam("endpoint"))
_ARMED = (
    select(InjectedFault.id)
    .where(InjectedFault.remaining > 0, InjectedFault.endpoint == bindparam("endpoint"))
    .limit(1)
)
_COUNT_DOWN = (
    update(InjectedFault)
    .where(InjectedFault.id == bindparam("fault_id"), InjectedFault.remaining > 0)
    .values(remaining=InjectedFault.remaining - 1)
)


def add_fault(fault: InjectedFault) -> InjectedFault:
    """Write a new fault now (its id is known when this returns)."""
    db.session.add(fault)
    db.session.flush()
    return fault


def active_faults() -> list[InjectedFault]:
    """The faults that still have requests to hit, oldest first."""
    return list(db.session.execute(_active()).scalars())


def fault_armed_at(endpoint: str) -> bool:
    """Whether any fault waits for ``endpoint`` (a plain one-column read)."""
    return execute_plain(_ARMED, {"endpoint": endpoint}).first() is not None


def faults_waiting_at(endpoint: str) -> list[InjectedFault]:
    """The faults that still have requests to hit at ``endpoint``, oldest first."""
    return list(db.session.execute(_ACTIVE_AT, {"endpoint": endpoint}).scalars())


def count_down_fault(fault: InjectedFault) -> bool:
    """Count one request against ``fault``; False when another request took the last one.

    One conditional UPDATE: with several workers each request is counted once.
    Not committed: the caller commits (``commit_now("fault count-down")``).
    """
    return db.session.execute(_COUNT_DOWN, {"fault_id": fault.id}).rowcount == 1


def clear_faults() -> int:
    """Delete every fault; how many there were."""
    return db.session.execute(delete(InjectedFault)).rowcount


# --- debugger runs ---


def add_debugger_run(run: DebuggerRun) -> None:
    """Keep a new debugger run, written with its unit of work."""
    db.session.add(run)


def find_debugger_run(run_id: str) -> DebuggerRun | None:
    """The debugger run ``run_id``, or None."""
    return db.session.get(DebuggerRun, run_id)


def debugger_run_with_state(state: str) -> DebuggerRun | None:
    """The debugger run whose authorization request carried ``state``, or None."""
    return db.session.execute(select(DebuggerRun).filter_by(state=state)).scalar_one_or_none()


# --- the health probe ---

_PROBE_INSERT = insert(HealthProbe)
_PROBE_DELETE = delete(HealthProbe).where(HealthProbe.id == bindparam("probe_id"))

# SQLite result codes and PostgreSQL SQLSTATEs of a database that takes no writes.
_FULL = ("SQLITE_FULL", "53100")
_READ_ONLY = ("SQLITE_READONLY", "25006")
_IO_ERROR = ("SQLITE_IOERR",)


def sqlite_folder(database_url: str) -> tuple[str, str] | None:
    """(the SQLite file, its folder) as the user knows them: relative to where they started."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    shown = path if not path.is_absolute() else Path(os.path.relpath(path))
    if shown.parts and shown.parts[0] == "..":
        shown = path
    folder = str(shown.parent) if str(shown.parent) != "." else "the current folder"
    return str(shown), folder + ("/" if folder != "the current folder" else "")


def database_unwritable(exc: BaseException, database_url: str) -> str | None:
    """Why the database takes no writes, if ``exc`` says so (full disk, read-only); else None."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = str(getattr(orig, "sqlite_errorname", "") or getattr(orig, "sqlstate", "") or "")
    message = str(orig).lower()
    sqlite = sqlite_folder(database_url)
    if code.startswith(_FULL) or "database or disk is full" in message:
        if sqlite:
            return f"the database cannot be written: free disk space under {sqlite[1]}"
        return "the database cannot be written: the database server's disk is full"
    if code.startswith(_READ_ONLY) or "readonly database" in message:
        if sqlite:
            return f"the database cannot be written: {sqlite[0]} is read-only"
        return "the database cannot be written: the database server is read-only"
    if code.startswith(_IO_ERROR) or "disk i/o error" in message:
        where = f" (is the disk under {sqlite[1]} full?)" if sqlite else ""
        return f"the database cannot be written: disk I/O error{where}"
    return None


def unreachable_reason() -> str | None:
    """None when the database answers a query; else the error's type name."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        db.session.rollback()
        return type(exc).__name__
    return None


def probe_writes(probe_id: str, payload: str, database_url: str) -> str | None:
    """Commit a probe row, then commit its removal; None when both commits work,
    else why the database cannot be written."""
    try:
        execute_plain(_PROBE_INSERT, {"id": probe_id, "payload": payload})
        commit_now("health probe")
        execute_plain(_PROBE_DELETE, {"probe_id": probe_id})
        commit_now("health probe")
    except SQLAlchemyError as exc:
        # The failed commit leaves the transaction unusable until rolled back.
        db.session.rollback()
        return database_unwritable(exc, database_url) or f"cannot be written ({type(exc).__name__})"
    return None


# --- writes of the QA surface ---


def add_authenticator(authenticator: TotpAuthenticator) -> None:
    """Keep an authenticator app made for a QA user, written with the unit of work."""
    db.session.add(authenticator)


# --- reads of the QA surface and the CLI ---


def find_outbox_messages(
    to: str | None = None,
    channel: str | None = None,
    purpose: str | None = None,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int | None = 500,
    newest_first: bool = True,
) -> list[OutboxMessage]:
    """Outbox messages matching every filter given (``to`` without regard to case)."""
    query = select(OutboxMessage).where(OutboxMessage.id > after_id)
    if to:
        query = query.where(func.lower(OutboxMessage.to) == to.strip().lower())
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    if purpose:
        query = query.where(OutboxMessage.purpose == purpose)
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    query = query.order_by(OutboxMessage.id.desc() if newest_first else OutboxMessage.id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def find_outbox_message(message_id: int) -> OutboxMessage | None:
    """The outbox message ``message_id``, or None."""
    return db.session.get(OutboxMessage, message_id)


def find_audit_events(
    user: User | None = None,
    username: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int = 1000,
) -> list[AuditEvent]:
    """Audit events, newest first: of ``user`` (by id or name), or else of the name
    ``username`` (without regard to case); of ``kind``; from ``since``."""
    query = select(AuditEvent)
    if user is not None:
        mine = (AuditEvent.user_id == user.id) | (AuditEvent.username == user.username)
        query = query.where(mine)
    elif username:
        query = query.where(func.lower(AuditEvent.username) == username.lower())
    if kind:
        query = query.where(AuditEvent.kind == kind)
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    return list(db.session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).scalars())


def newest_users(limit: int) -> list[User]:
    """The ``limit`` most recently created users, newest first."""
    return list(db.session.execute(select(User).order_by(User.id.desc()).limit(limit)).scalars())


def count_users() -> int:
    """How many users there are."""
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def existing_username_keys(keys: set[str]) -> set[str]:
    """Which of the username keys ``keys`` belong to a user.

    A Core query on the table: the ORM's first query configures every mapper
    (about 0.1 s), which then happens beside the start-up's other work.
    """
    users = User.__table__
    query = select(users.c.username_key).where(users.c.username_key.in_(keys))
    return set(db.session.execute(query).scalars())


def empty_every_table() -> None:
    """Delete every row of every table (the tables stay), in the unit of work."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.expire_all()
