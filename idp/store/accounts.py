"""The accounts aggregate: One Healthcare IDs, their password history, security
answers, one-time codes, outbox messages and audit events.

Every read, write and atomic claim of these rows goes through a function here;
nothing is committed (the unit of work commits, see ``store.units``). The
statements of the hot paths are built once: SQLAlchemy caches a statement's
compiled form by the statement object, and building one per call cost several
times its execution.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .base import db
from .models import (
    AuditEvent,
    OneTimeCode,
    OutboxMessage,
    PasswordHistory,
    SecurityAnswer,
    User,
)
from .rows import add, add_now, execute_plain, remove, reread  # noqa: F401 - rows in general, named per aggregate

_BY_USERNAME = select(User).where(User.username_key == bindparam("key"))
_BY_EMAIL = select(User).where(User.email_key == bindparam("key")).order_by(User.id)
# Changes nothing; writing the row is what takes its lock.
_HOLD_ROW = update(User).where(User.id == bindparam("account")).values(id=User.id)
_INSERT_EVENT = insert(AuditEvent)


# --- Accounts --------------------------------------------------------------------


def account(user_id) -> User | None:
    """The account with id ``user_id``, or None."""
    if user_id is None:
        return None
    return db.session.get(User, user_id)


def find_by_username_key(key: str) -> User | None:
    """The account whose normalized One Healthcare ID is ``key``."""
    return db.session.execute(_BY_USERNAME, {"key": key}).scalar_one_or_none()


def find_by_email_key(key: str) -> list[User]:
    """Every account on the normalized email ``key``, oldest first."""
    return list(db.session.execute(_BY_EMAIL, {"key": key}).scalars())


def hold_account_row(user: User) -> None:
    """Lock the account's row until the unit commits (an UPDATE that changes nothing:
    SQLite's write lock, PostgreSQL's row lock)."""
    execute_plain(_HOLD_ROW, {"account": user.id})


def _savepoint():
    """A SAVEPOINT inside the unit's transaction, so that a refused write undoes only
    itself. pysqlite opens a transaction only before a write: one is opened first,
    else releasing the savepoint would commit."""
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    return db.session.begin_nested()


def add_account(user: User) -> bool:
    """Write the new account now; False when its One Healthcare ID was taken meanwhile
    (the unique key refused it; the rest of the unit is kept)."""
    try:
        with _savepoint():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def change_username(user: User, username: str, key: str) -> bool:
    """Give the account a new One Healthcare ID, written now; False (the old one kept)
    when another account took it meanwhile."""
    try:
        with _savepoint():
            user.username, user.username_key = username, key
            db.session.flush()
    except IntegrityError:
        return False
    return True


def delete_account(user: User) -> None:
    """Delete the account and everything hanging on it."""
    db.session.delete(user)


def all_username_keys() -> set[str]:
    return set(db.session.execute(select(User.username_key)).scalars())


def all_email_keys() -> set[str]:
    return set(db.session.execute(select(User.email_key)).scalars())


def accounts_by_username_keys(keys: list[str]) -> list[User]:
    return list(db.session.execute(select(User).where(User.username_key.in_(keys))).scalars())


def insert_accounts(user_rows: list[dict], moment: datetime) -> None:
    """Bulk INSERT of new accounts (plain dicts), each with its first password in the history."""
    db.session.execute(insert(User), user_rows)
    keys = [row["username_key"] for row in user_rows]
    ids = db.session.execute(
        select(User.id, User.password_hash).where(User.username_key.in_(keys))
    ).all()
    db.session.execute(
        insert(PasswordHistory),
        [{"user_id": uid, "password_hash": h, "created_at": moment} for uid, h in ids],
    )


# --- Password history ------------------------------------------------------------


def recent_password_hashes(user: User, count: int) -> list[str]:
    """The newest ``count`` hashes of the account's password history, newest first."""
    return list(
        db.session.execute(
            select(PasswordHistory.password_hash)
            .filter_by(user_id=user.id)
            .order_by(PasswordHistory.id.desc())
            .limit(count)
        ).scalars()
    )


def add_password_history(user: User, password_hash: str, moment: datetime, keep: int) -> None:
    """Record a new password in the history and keep only the newest ``keep``."""
    db.session.add(PasswordHistory(user_id=user.id, password_hash=password_hash, created_at=moment))
    db.session.flush()
    old_ids = list(
        db.session.execute(
            select(PasswordHistory.id)
            .filter_by(user_id=user.id)
            .order_by(PasswordHistory.id.desc())
            .offset(keep)
        ).scalars()
    )
    if old_ids:
        db.session.execute(delete(PasswordHistory).where(PasswordHistory.id.in_(old_ids)))
    db.session.expire(user, ["password_history"])


# --- Security answers ------------------------------------------------------------


def replace_security_answers(user: User, answers: list[SecurityAnswer]) -> None:
    """The account's security answers become ``answers``."""
    user.security_answers.clear()
    # The old rows go first: the new ones take the same (user, position) keys.
    db.session.flush()
    user.security_answers.extend(answers)


# --- One-time codes --------------------------------------------------------------


def _codes_at(destination: str, purpose: str, owner_id: int | None):
    query = select(OneTimeCode).filter_by(destination=destination, purpose=purpose)
    return query if owner_id is None else query.filter_by(user_id=owner_id)


def code_send_times(destination: str, purpose: str) -> list[datetime]:
    """When codes for ``purpose`` went to ``destination`` (for the resend limits)."""
    return list(
        db.session.execute(
            select(OneTimeCode.created_at).filter_by(destination=destination, purpose=purpose)
        ).scalars()
    )


def live_codes(destination: str, purpose: str, owner_id: int | None) -> list[OneTimeCode]:
    """Unused codes for ``purpose`` at ``destination`` (of ``owner_id`` when given)."""
    query = _codes_at(destination, purpose, owner_id).filter_by(used_at=None)
    return list(db.session.execute(query).scalars())


def latest_code(destination: str, purpose: str, owner_id: int | None = None) -> OneTimeCode | None:
    """The newest code for ``purpose`` at ``destination`` (used or not)."""
    return db.session.execute(
        _codes_at(destination, purpose, owner_id).order_by(OneTimeCode.id.desc()).limit(1)
    ).scalar_one_or_none()


def latest_call(destination: str, purpose: str) -> OneTimeCode | None:
    """The newest call code for ``purpose`` to ``destination``."""
    return db.session.execute(
        select(OneTimeCode)
        .filter_by(destination=destination, purpose=purpose, channel="voice")
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def pending_call(to: str) -> OneTimeCode | None:
    """The newest live code a call to ``to`` is waiting for, whatever its purpose."""
    return db.session.execute(
        select(OneTimeCode)
        .filter_by(destination=to, channel="voice", used_at=None)
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def pending_code_of(user: User, purpose: str, moment: datetime) -> OneTimeCode | None:
    """The account's newest unused, unexpired code for ``purpose``."""
    return db.session.execute(
        select(OneTimeCode)
        .where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > moment,
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def unused_codes_of(user: User, purpose: str) -> list[OneTimeCode]:
    """The account's unused codes for ``purpose``."""
    return list(
        db.session.execute(
            select(OneTimeCode).filter_by(user_id=user.id, purpose=purpose, used_at=None)
        ).scalars()
    )


def claim_code_try(row: OneTimeCode, max_attempts: int) -> int | None:
    """Count one try at the code atomically; its number, or None when the code is
    used or has no try left."""
    return db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == row.id,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.attempts < max_attempts,
        )
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.attempts)
    ).scalar_one_or_none()


def count_wrong_call_digits(row: OneTimeCode, max_attempts: int) -> int | None:
    """Count wrong digits keyed into a call atomically; the count, or None when no try
    is left."""
    return db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.attempts < max_attempts)
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.attempts)
    ).scalar_one_or_none()


def spend_code(
    row: OneTimeCode, moment: datetime, max_attempts: int, claimed_try: int | None = None
) -> bool:
    """Mark the code used if nobody has yet (of two racing claims exactly one wins).

    With ``claimed_try``, only while tries claimed after it have not used the
    limit up (or it was the last one).
    """
    conditions = [OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None)]
    if claimed_try is not None:
        conditions.append(
            or_(OneTimeCode.attempts < max_attempts, OneTimeCode.attempts == claimed_try)
        )
    spent = db.session.execute(
        update(OneTimeCode).where(*conditions).values(used_at=moment)
    ).rowcount
    return spent == 1


# --- Outbox ----------------------------------------------------------------------


def outbox_times_to(to: str, purpose: str) -> list[datetime]:
    """When messages for ``purpose`` went to the address ``to``."""
    return list(
        db.session.execute(
            select(OutboxMessage.created_at).filter_by(to=to, purpose=purpose)
        ).scalars()
    )


def notice_times(user: User, event: str, channel: str, since: datetime) -> list[datetime]:
    """When the account's notices of ``event`` went by ``channel`` after ``since``."""
    return list(
        db.session.execute(
            select(OutboxMessage.created_at).where(
                OutboxMessage.user_id == user.id,
                OutboxMessage.purpose == event,
                OutboxMessage.channel == channel,
                OutboxMessage.created_at > since,
            )
        ).scalars()
    )


# --- Audit events ----------------------------------------------------------------


def insert_event(values: dict) -> None:
    """Write an audit event with a plain INSERT (never read back by its request)."""
    execute_plain(_INSERT_EVENT, values)


def event_times(user: User, kinds: tuple[str, ...], since: datetime) -> list[datetime]:
    """When the account's events of ``kinds`` happened after ``since``."""
    return list(
        db.session.execute(
            select(AuditEvent.created_at).where(
                AuditEvent.user_id == user.id,
                AuditEvent.kind.in_(kinds),
                AuditEvent.created_at > since,
            )
        ).scalars()
    )


def latest_events(user: User, kinds: tuple[str, ...], limit: int) -> list[AuditEvent]:
    """The account's newest events of ``kinds``, newest first."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.user_id == user.id, AuditEvent.kind.in_(kinds))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
    )
