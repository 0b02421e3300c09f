"""Storage: every SQLAlchemy model of mock-ohid, in one place.

Times are stored as naive UTC and read back as aware UTC (``UTCDateTime``).
Secrets (passwords, codes, tokens, answers) are stored hashed only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    bindparam,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .crypto.digests import digest_matches, token_digest
from .extensions import db, now
from .policy.client_auth import accepted_methods


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


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


class ClockState(db.Model):
    """The QA clock's offset, shared by every worker."""

    __tablename__ = "clock_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(db.Float, default=0.0)


class OAuth2Client(db.Model, ClientMixin):
    """A relying party (portal) registered with the provider."""

    __tablename__ = "oauth2_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100), unique=True)
    # SHA-256 of the secret: secrets are looked up, never shown again.
    client_secret_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    client_name: Mapped[str] = mapped_column(String(200))
    metadata_json: Mapped[dict] = mapped_column(JSON, default=dict)
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    require_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20), default="config")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def client_metadata(self) -> dict:
        return self.metadata_json or {}

    @property
    def redirect_uris(self) -> list[str]:
        return list(self.client_metadata.get("redirect_uris", []))

    @property
    def post_logout_redirect_uris(self) -> list[str]:
        return list(self.client_metadata.get("post_logout_redirect_uris", []))

    @property
    def token_endpoint_auth_method(self) -> str:
        return self.client_metadata.get("token_endpoint_auth_method", "client_secret_basic")

    @property
    def strict_auth_method(self) -> bool:
        """Whether a secret client takes its registered method only (not Basic and body)."""
        return bool(self.client_metadata.get("strict_auth_method", False))

    @property
    def id_token_signed_response_alg(self) -> str:
        return self.client_metadata.get("id_token_signed_response_alg", "RS256")

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"  # noqa: S105 - an auth method name

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.redirect_uris
        # Only a single registered URI may be implied (RFC 6749 §3.1.2.3).
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str) -> str:
        if not scope:
            return ""
        allowed = set(scope_to_list(self.client_metadata.get("scope", ""))) or None
        wanted = scope_to_list(scope)
        return list_to_scope([s for s in wanted if allowed is None or s in allowed])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string match, as OIDC Core §3.1.2.1 requires.
        return redirect_uri in self.redirect_uris or DebuggerRun.allows(
            self.client_id, "redirect_uri", redirect_uri
        )

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret_hash) and digest_matches(
            self.client_secret_hash, client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # Introspection and revocation accept what the client uses at /token. The
        # server-wide strict setting is applied by oidc.client_auth, which decides.
        return method in accepted_methods(
            self.token_endpoint_auth_method, strict=self.strict_auth_method
        )

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.client_metadata.get("response_types", ["code"])

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.client_metadata.get(
            "grant_types", ["authorization_code", "refresh_token"]
        )


class AuthorizationCode(db.Model, AuthorizationCodeMixin):
    """An issued authorization code (stored as a digest); kept after use to spot reuse."""

    __tablename__ = "authorization_codes"
    # Every authorization request checks its nonce against the client's codes, and
    # back-channel logout finds a session's codes: without these both scan every code
    # ever issued. Nonces are capped at authorization (an index entry has a size limit).
    __table_args__ = (
        Index("ix_authorization_codes_client_nonce", "client_id", "nonce"),
        Index("ix_authorization_codes_sid", "sid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    client_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    nonce: Mapped[str | None] = mapped_column(Text, nullable=True)
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(100), nullable=True)
    amr: Mapped[list] = mapped_column(JSON, default=list)
    sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claims_request: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    code_challenge: Mapped[str | None] = mapped_column(Text, nullable=True)
    code_challenge_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The token grant needs the user of the code it redeems: one query, not two.
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr or [])


# Built once: SQLAlchemy then reuses its compiled form instead of rebuilding it.
_CLIENT_BY_ID = db.select(OAuth2Client).where(OAuth2Client.client_id == bindparam("client_id"))


class Token(db.Model, TokenMixin):
    """An access token and its refresh token, both stored as digests."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    scope: Mapped[str] = mapped_column(Text, default="")
    token_type: Mapped[str] = mapped_column(String(20), default="Bearer")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_in: Mapped[int] = mapped_column(Integer)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    access_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    refresh_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    authorization_code_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    sid: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    auth_time: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amr: Mapped[list] = mapped_column(JSON, default=list)
    acr: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The refresh token this one was rotated from (reuse detection walks the family).
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # A bearer token is looked up to learn whose it is: one query, not two.
    user: Mapped[User | None] = relationship(lazy="joined")

    def check_client(self, client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def expires_at_ts(self) -> int:
        return int(self.issued_at.timestamp()) + self.expires_in

    def is_expired(self) -> bool:
        from .extensions import get_clock

        return get_clock().timestamp() >= self.expires_at_ts()

    def is_revoked(self) -> bool:
        return self.access_revoked_at is not None

    def get_user(self):
        return self.user

    def get_client(self):
        return db.session.execute(_CLIENT_BY_ID, {"client_id": self.client_id}).scalar_one_or_none()

    @staticmethod
    def digest(value: str) -> str:
        return token_digest(value)


# --- multi-factor ---


class TotpAuthenticator(db.Model):
    """An authenticator app (TOTP, RFC 6238) linked to an account.

    The secret must stay readable to check codes, so unlike passwords it is
    stored as is. ``confirmed_at`` is empty until the user proves the app
    works with a current code. ``last_used_step`` is the time step of the
    last accepted code: a code of that step or an earlier one is refused.
    """

    __tablename__ = "totp_authenticators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="Authenticator app")
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PasskeyCredential(db.Model):
    """A WebAuthn credential (passkey) registered to an account."""

    __tablename__ = "passkey_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # base64url of the raw credential id (at most 1023 bytes, WebAuthn §5.8.3).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(db.LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[list] = mapped_column(JSON, default=list)
    # The WebAuthn user.id the credential was made for (base64url), the same for
    # all of one account's passkeys.
    user_handle: Mapped[str] = mapped_column(String(128), index=True)
    # "single_device" (device-bound) or "multi_device" (synced / backup eligible).
    device_type: Mapped[str] = mapped_column(String(20), default="single_device")
    backed_up: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(64), default="Passkey")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PasskeyChallenge(db.Model):
    """A WebAuthn challenge: single use, short-lived, bound to one browser session."""

    __tablename__ = "passkey_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Digest of the random ceremony id kept in the browser's session.
    ceremony_hash: Mapped[str] = mapped_column(String(128), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    challenge: Mapped[bytes] = mapped_column(db.LargeBinary)
    # Registration only: the WebAuthn user.id the options carried.
    user_handle: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RecoveryCode(db.Model):
    """The account's 16-digit recovery code (hashed): one live code, used once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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


class ClientAssertion(db.Model):
    """A used private_key_jwt assertion id (jti), kept until it expires (RFC 7523 §3)."""

    __tablename__ = "client_assertions"
    __table_args__ = (UniqueConstraint("client_id", "jti"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


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
