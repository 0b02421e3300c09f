"""Load and save the clock's offset in the database so all workers agree."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .clock import Clock
from .store import db, execute_plain
from .store.models import ClockState


def _row() -> ClockState:
    row = db.session.get(ClockState, 1)
    if row is None:
        row = ClockState(id=1, offset_seconds=0.0)
        db.session.add(row)
    return row


# One column read per request: a plain statement on the session's connection
# skips the ORM's row loading and does not flush pending changes early.
_OFFSET = select(ClockState.offset_seconds).where(ClockState.id == 1)


def load_clock_offset(clock: Clock) -> None:
    """Refresh ``clock.offset`` from the database."""
    seconds = execute_plain(_OFFSET).scalar()
    clock.offset = timedelta(seconds=seconds or 0.0)


def save_clock_offset(clock: Clock) -> None:
    """Persist ``clock.offset`` for every worker and commit."""
    _row().offset_seconds = clock.offset.total_seconds()
    db.session.commit()
