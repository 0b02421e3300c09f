"""Sign-in: SSO sessions, interactions (one authorization request's journey),
remembered devices and consent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import db
from .accounts import User
from .types import UTCDateTime


class SsoSession(db.Model):
    """A browser's signed-in session; its id is the `sid` claim."""

    __tablename__ = "sso_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime)
    # auth_time in real epoch seconds, for tokens (whatever the QA clock said then).
    real_auth_time: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amr: Mapped[list] = mapped_column(JSON, default=list)
    acr: Mapped[str | None] = mapped_column(String(100), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Read with its session on every signed-in request: one query, not two.
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class Interaction(db.Model):
    """One browser's way through sign-in (after node-oidc-provider's interactions).

    It holds the portal's saved authorization request (none when the user went
    to My Profile), what the authorization endpoint resolved of it (``prompt``),
    and the sign-in so far (``sign_in``: who, which methods, which steps are
    done). The sign-in pages and the authorization endpoint hand over through
    this row alone.
    """

    __tablename__ = "interactions"

    uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    # None: a sign-in to My Profile, with no portal waiting.
    client_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    prompt: Mapped[dict] = mapped_column(JSON, default=dict)
    sign_in: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once the user has (re)authenticated inside this interaction.
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when the user declined to share their One Healthcare ID with the portal.
    denied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RememberedDevice(db.Model):
    """A browser an account trusts, identified by a hashed random cookie.

    ``purpose`` is ``"mfa"`` ("Remember this device": no second factor) or
    ``"device"`` (a personal device: no unrecognized-device check).
    """

    __tablename__ = "remembered_devices"
    __table_args__ = (UniqueConstraint("user_id", "purpose", "token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(128), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- OpenID Connect: consent and client assertions ---


class ConsentGrant(db.Model):
    """What a user agreed to share with one portal ("Share my One Healthcare ID")."""

    __tablename__ = "consent_grants"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    # Scope values (profile, email, phone, offline_access) and extra claims agreed to.
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    claims: Mapped[list] = mapped_column(JSON, default=list)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The authorization request (interaction) the user last answered; prompt=consent
    # asks again unless the answer was given for the request being resumed.
    interaction_uid: Mapped[str | None] = mapped_column(String(64), nullable=True)
