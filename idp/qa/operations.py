"""What the QA surface does, once: the /_qa API and the `mock-ohid` CLI both call
these (reading the outbox, moving the clock), so the two cannot drift apart.

No Flask request in here: callers parse their input and turn ``QAInputError``
into their own kind of answer (a JSON 400, or one line and a non-zero exit).
"""

from __future__ import annotations

from ..audit import record_event
from ..clock import EARLIEST, LATEST, check_in_range, parse_duration, parse_instant
from ..clock_store import save_clock_offset
from ..delivery.outbox import CHANNELS
from ..extensions import get_clock
from ..store import qa as qa_store
from ..store.models import OutboxMessage


class QAInputError(ValueError):
    """A QA request that cannot be carried out as asked; the text says why."""


def find_messages(
    to: str | None = None,
    channel: str | None = None,
    purpose: str | None = None,
    since: str | None = None,
    after_id: int = 0,
    limit: int | None = 500,
    newest_first: bool = True,
) -> list[OutboxMessage]:
    """Outbox messages matching every filter given (addresses without regard to case)."""
    if channel and channel not in CHANNELS:
        raise QAInputError(f"'channel' must be one of {', '.join(CHANNELS)}.")
    moment = None
    if since is not None:
        try:
            moment = parse_instant(since)
        except ValueError as exc:
            raise QAInputError(f"'since': {exc}") from None
    # Addresses match without regard to case; phone numbers as sent (E.164).
    return qa_store.find_outbox_messages(
        to=to,
        channel=channel,
        purpose=purpose,
        since=moment,
        after_id=after_id,
        limit=limit,
        newest_first=newest_first,
    )


def clock_state() -> dict:
    """The server's time as the rules see it, and how far it was moved."""
    clock = get_clock()
    return {
        "now": clock.now().isoformat(),
        "offset_seconds": clock.offset.total_seconds(),
        "moved": clock.is_moved,
    }


def advance_clock(duration: str) -> dict:
    """Move the clock by ``duration`` ("91d", "30m", "-1d", ...) for every worker."""
    clock = get_clock()
    try:
        delta = parse_duration(duration)
        check_in_range(clock.now() + delta)
    except OverflowError:
        raise QAInputError(
            f"the clock must stay between {EARLIEST.year} and {LATEST.year}"
        ) from None
    except ValueError as exc:
        raise QAInputError(str(exc)) from None
    clock.advance(delta)
    return _saved(clock, "clock_moved", offset_seconds=clock.offset.total_seconds())


def set_clock(instant: str) -> dict:
    """Jump the clock to an ISO-8601 ``instant`` (UTC when no offset is given)."""
    clock = get_clock()
    try:
        target = check_in_range(parse_instant(instant))
    except (ValueError, OverflowError) as exc:
        raise QAInputError(str(exc)) from None
    clock.set(target)
    return _saved(clock, "clock_moved", offset_seconds=clock.offset.total_seconds())


def reset_clock() -> dict:
    """Back to real time."""
    clock = get_clock()
    clock.reset()
    return _saved(clock, "clock_reset")


def _saved(clock, kind: str, **detail) -> dict:
    record_event(kind, **detail)
    save_clock_offset(clock)
    return clock_state()
