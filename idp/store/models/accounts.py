"""Accounts: the One Healthcare ID, its password history, security answers and
one-time codes, the outbox and the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...crypto.digests import digest_matches
from ..base import db
from .types import UTCDateTime


def _new_sub() -> str:
    return str(uuid.uuid4())


class User(db.Model):
    """A One Healthcare ID: the account and its sign-in state."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sub: Mapped[str] = mapped_column(String(36), unique=True, default=_new_sub)
    username: Mapped[str] = mapped_column(String(50))
    # Uniqueness is case-insensitive: the lowered form carries the constraint.
    username_key: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    # Not unique: several One Healthcare IDs may share an email address (Optum Pro guide).
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    year_of_birth: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Event name -> list of channels ("email", "sms") the user wants notices on.
    notifications: Mapped[dict] = mapped_column(JSON, default=dict)
    # Portal claims (NPI, Tax IDs, ..., custom): name -> value, see policy.portal_claims.
    portal_claims: Mapped[dict] = mapped_column(JSON, default=dict)

    password_history: Mapped[list[PasswordHistory]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="PasswordHistory.id.desc()"
    )
    security_answers: Mapped[list[SecurityAnswer]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="SecurityAnswer.position"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_user_id(self) -> int:
        return self.id


class PasswordHistory(db.Model):
    """A password the user had before; the last N may not be reused."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(back_populates="password_history")


class SecurityAnswer(db.Model):
    """One of the user's three security questions and its hashed answer."""

    __tablename__ = "security_answers"
    __table_args__ = (UniqueConstraint("user_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(200))
    answer_hash: Mapped[str] = mapped_column(String(255))
    user: Mapped[User] = relationship(back_populates="security_answers")


class OneTimeCode(db.Model):
    """A code sent by email, text or call: hashed, expiring, single use."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=True
    )
    purpose: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    destination: Mapped[str] = mapped_column(String(254), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # For call verification: digits typed on the keypad (recorded for the page poll).
    keypad_digits: Mapped[str | None] = mapped_column(String(20), nullable=True)

    def matches(self, code: str) -> bool:
        return digest_matches(self.code_hash, code)


class OutboxMessage(db.Model):
    """Every email, text and call the mock 'sends', as QA scripts read them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)
    to: Mapped[str] = mapped_column(String(254), index=True)
    purpose: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    link: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "channel": self.channel,
            "to": self.to,
            "purpose": self.purpose,
            "subject": self.subject,
            "body": self.body,
            "code": self.code,
            "link": self.link,
            "created_at": self.created_at.isoformat(),
        }


class AuditEvent(db.Model):
    """Something that happened to an account (sign-ins, failures, codes, tokens)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    username: Mapped[str | None] = mapped_column(String(50), index=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "user": self.username,
            "kind": self.kind,
            "detail": self.detail,
            "created_at": self.created_at.isoformat(),
        }
