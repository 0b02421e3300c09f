"""Load and save the clock's offset in the database so all workers agree."""

from __future__ import annotations

from datetime import timedelta

from .clock import Clock
from .extensions import db
from .models import ClockState


def _row() -> ClockState:
    row = db.session.get(ClockState, 1)
    if row is None:
        row = ClockState(id=1, offset_seconds=0.0)
        db.session.add(row)
    return row


def load_clock_offset(clock: Clock) -> None:
    """Refresh ``clock.offset`` from the database."""
    row = db.session.get(ClockState, 1)
    clock.offset = timedelta(seconds=row.offset_seconds if row else 0.0)


def save_clock_offset(clock: Clock) -> None:
    """Persist ``clock.offset`` for every worker and commit."""
    _row().offset_seconds = clock.offset.total_seconds()
    db.session.commit()
