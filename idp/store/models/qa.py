"""QA state: the shared clock offset, injected faults, debugger runs and the health probe row."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import now
from ..base import db
from .types import UTCDateTime


class ClockState(db.Model):
    """The QA clock's offset, shared by every worker."""

    __tablename__ = "clock_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(db.Float, default=0.0)


class InjectedFault(db.Model):
    """A failure QA asked for (``/_qa/faults``): the next ``remaining`` requests at
    ``endpoint`` (from ``client_id`` only, when set) fail or slow down.

    Kept in the database so every worker process sees it and counts it down once.
    """

    __tablename__ = "injected_faults"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    delay_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    count: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "endpoint": self.endpoint,
            "kind": self.kind,
            "status": self.status,
            "error": self.error,
            "delay_ms": self.delay_ms,
            "client_id": self.client_id,
            "count": self.count,
            "remaining": self.remaining,
            "created_at": self.created_at.isoformat(),
        }


class DebuggerRun(db.Model):
    """One login through the debugger (``/_qa/debugger``): what was sent and received.

    The debugger is a relying party that happens to share this database: like
    any portal it keeps its own copies of its client secret and tokens, in
    ``data``, so it can refresh, revoke and show them. Gone at ``/_qa/reset``.
    """

    __tablename__ = "debugger_runs"

    # How long a run lets its client use the debugger's URIs.
    ALLOWANCE = timedelta(hours=12)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @classmethod
    def allows(cls, client_id: str, purpose: str, uri: str) -> bool:
        """Whether an open run lets ``client_id`` use ``uri`` as its ``purpose``.

        The debugger never adds its URIs to a client's registration: a run
        allows its callback until the authorization response arrives, and its
        sign-out page until the run has signed out (each within ``ALLOWANCE``).
        """
        done = {"redirect_uri": "authorization_response", "post_logout_redirect_uri": "signed_out"}
        if purpose not in done:
            return False
        since = now() - cls.ALLOWANCE
        runs = db.session.execute(
            db.select(cls.data).where(cls.client_id == client_id, cls.created_at >= since)
        ).scalars()
        return any(
            (data or {}).get("allowed_uris", {}).get(purpose) == uri
            and not (data or {}).get(done[purpose])
            for data in runs
        )


class HealthProbe(db.Model):
    """A row ``/healthz`` writes and deletes at once, to prove the database takes writes."""

    __tablename__ = "health_probes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Larger than a page: the write needs new pages, as a growing table does.
    payload: Mapped[str] = mapped_column(Text)
