"""OAuth: registered clients, authorization codes, tokens and used client assertions."""

from __future__ import annotations

from datetime import datetime

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...crypto.digests import digest_matches, token_digest
from ...policy.client_auth import accepted_methods
from ..base import db
from .accounts import User
from .qa import DebuggerRun
from .types import UTCDateTime


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
        from ...extensions import get_clock

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


class ClientAssertion(db.Model):
    """A used private_key_jwt assertion id (jti), kept until it expires (RFC 7523 §3)."""

    __tablename__ = "client_assertions"
    __table_args__ = (UniqueConstraint("client_id", "jti"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
