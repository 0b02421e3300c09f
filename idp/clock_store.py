"""Load and save the clock's offset in the database so all workers agree."""

from __future__ import annotations

from datetime import timedelta

from .clock import Clock
from .store import qa as qa_store


def load_clock_offset(clock: Clock) -> None:
    """Refresh ``clock.offset`` from the database."""
    clock.offset = timedelta(seconds=qa_store.clock_offset_seconds())


def save_clock_offset(clock: Clock) -> None:
    """Persist ``clock.offset`` for every worker (written with the unit of work)."""
    qa_store.save_clock_offset_seconds(clock.offset.total_seconds())
