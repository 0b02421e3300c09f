"""What a schema is, compared across SQLite and PostgreSQL, and the schema of ``b0fa761``.

``describe`` reads a live database and ``describe_metadata`` a ``MetaData`` into
the same plain form (tables, columns by type family, keys, uniques, indexes),
so two schemas compare with ``==`` whichever dialect made them. Unique
constraints are compared by their columns only: SQLite leaves them unnamed
where PostgreSQL names them.

``b0fa761_metadata`` is frozen: the schema the migration chain starts from,
also used to recognise a database made before migrations existed.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.engine import Connection

VERSION_TABLE = "alembic_version"

# Most specific first: Text is a String, Float a Numeric, Boolean and JSON stand alone.
_FAMILIES = (
    (Boolean, "boolean"),
    (Integer, "integer"),
    (Float, "float"),
    (Numeric, "float"),
    (DateTime, "datetime"),
    (JSON, "json"),
    (LargeBinary, "binary"),
    (Text, "text"),
    (String, "string"),
)


def _family(type_) -> str:
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    try:
        generic = type_.as_generic()
    except NotImplementedError:
        generic = type_
    for cls, name in _FAMILIES:
        if isinstance(generic, cls) or isinstance(type_, cls):
            if name == "string" and getattr(generic, "length", None):
                return f"string({generic.length})"
            return name
    return type(type_).__name__.lower()


def _ondelete(value) -> str | None:
    return value.upper() if value else None


def describe(connection: Connection) -> dict:
    """The schema of the database behind ``connection`` (the version table left out)."""
    inspector = inspect(connection)
    tables = {}
    for name in inspector.get_table_names():
        if name == VERSION_TABLE:
            continue
        columns = {
            column["name"]: (_family(column["type"]), bool(column["nullable"]))
            for column in inspector.get_columns(name)
        }
        uniques = {
            tuple(sorted(constraint["column_names"]))
            for constraint in inspector.get_unique_constraints(name)
        }
        indexes = set()
        for index in inspector.get_indexes(name):
            if index.get("duplicates_constraint"):
                continue
            if index["unique"]:
                uniques.add(tuple(sorted(index["column_names"])))
            else:
                indexes.add((index["name"], tuple(index["column_names"])))
        foreign_keys = {
            (
                tuple(key["constrained_columns"]),
                key["referred_table"],
                tuple(key["referred_columns"]),
                _ondelete((key.get("options") or {}).get("ondelete")),
            )
            for key in inspector.get_foreign_keys(name)
        }
        primary_key = tuple(inspector.get_pk_constraint(name)["constrained_columns"])
        tables[name] = {
            "columns": columns,
            "primary_key": primary_key,
            "uniques": uniques,
            "indexes": indexes,
            "foreign_keys": foreign_keys,
        }
    return tables


def describe_metadata(metadata: MetaData) -> dict:
    """The schema ``metadata.create_all`` makes, in the form ``describe`` reads."""
    tables = {}
    for table in metadata.tables.values():
        uniques = {
            tuple(sorted(column.name for column in constraint.columns))
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        }
        uniques |= {
            tuple(sorted(column.name for column in column_set))
            for column_set in (
                [column] for column in table.columns if column.unique and not column.index
            )
        }
        indexes = set()
        for index in table.indexes:
            names = tuple(column.name for column in index.columns)
            if index.unique:
                uniques.add(tuple(sorted(names)))
            else:
                indexes.add((index.name, names))
        tables[table.name] = {
            "columns": {
                column.name: (_family(column.type), bool(column.nullable))
                for column in table.columns
            },
            "primary_key": tuple(column.name for column in table.primary_key.columns),
            "uniques": uniques,
            "indexes": indexes,
            "foreign_keys": {
                (
                    (key.parent.name,),
                    key.column.table.name,
                    (key.column.name,),
                    _ondelete(key.ondelete),
                )
                for key in table.foreign_keys
            },
        }
    return tables


def _user_id(nullable: bool, index: bool) -> Column:
    """The ``user_id`` column of a row an account owns (deleted with the account)."""
    return Column(
        "user_id",
        Integer(),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=nullable,
        index=index,
    )


def b0fa761_metadata() -> MetaData:
    """The tables of commit ``b0fa761`` (frozen: never edit; add a migration instead)."""
    metadata = MetaData()
    Table(
        "audit_events",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("user_id", Integer(), nullable=True, index=True),
        Column("username", String(50), nullable=True, index=True),
        Column("kind", String(50), nullable=False, index=True),
        Column("detail", JSON(), nullable=False),
        Column("created_at", DateTime(), nullable=False, index=True),
    )
    Table(
        "client_assertions",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("client_id", String(100), nullable=False),
        Column("jti", String(255), nullable=False),
        Column("expires_at", DateTime(), nullable=False, index=True),
        UniqueConstraint("client_id", "jti"),
    )
    Table(
        "clock_state",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("offset_seconds", Float(), nullable=False),
    )
    Table(
        "debugger_runs",
        metadata,
        Column("id", String(64), primary_key=True),
        Column("state", String(64), nullable=False, unique=True),
        Column("client_id", String(100), nullable=False),
        Column("data", JSON(), nullable=False),
        Column("created_at", DateTime(), nullable=False),
    )
    Table(
        "injected_faults",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("endpoint", String(20), nullable=False, index=True),
        Column("kind", String(10), nullable=False),
        Column("status", Integer(), nullable=True),
        Column("error", String(64), nullable=True),
        Column("delay_ms", Integer(), nullable=True),
        Column("client_id", String(100), nullable=True),
        Column("count", Integer(), nullable=False),
        Column("remaining", Integer(), nullable=False),
        Column("created_at", DateTime(), nullable=False),
    )
    Table(
        "interactions",
        metadata,
        Column("uid", String(64), primary_key=True),
        Column("client_id", String(100), nullable=True),
        Column("params", JSON(), nullable=False),
        Column("prompt", JSON(), nullable=False),
        Column("sign_in", JSON(), nullable=True),
        Column("created_at", DateTime(), nullable=False, index=True),
        Column("expires_at", DateTime(), nullable=False),
        Column("authenticated_at", DateTime(), nullable=True),
        Column("denied_at", DateTime(), nullable=True),
    )
    Table(
        "oauth2_clients",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("client_id", String(100), nullable=False, unique=True),
        Column("client_secret_hash", String(128), nullable=True),
        Column("client_name", String(200), nullable=False),
        Column("metadata_json", JSON(), nullable=False),
        Column("trusted", Boolean(), nullable=False),
        Column("require_phone", Boolean(), nullable=False),
        Column("source", String(20), nullable=False),
        Column("created_at", DateTime(), nullable=False),
    )
    Table(
        "outbox",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("channel", String(10), nullable=False, index=True),
        Column("to", String(254), nullable=False, index=True),
        Column("purpose", String(40), nullable=False, index=True),
        Column("subject", String(200), nullable=False),
        Column("body", Text(), nullable=False),
        Column("code", String(32), nullable=True),
        Column("link", String(1000), nullable=True),
        Column("created_at", DateTime(), nullable=False, index=True),
        Column("user_id", Integer(), nullable=True),
    )
    Table(
        "users",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("sub", String(36), nullable=False, unique=True),
        Column("username", String(50), nullable=False),
        Column("username_key", String(50), nullable=False, unique=True),
        Column("email", String(254), nullable=False),
        Column("email_key", String(254), nullable=False, unique=True),
        Column("email_verified", Boolean(), nullable=False),
        Column("first_name", String(100), nullable=False),
        Column("last_name", String(100), nullable=False),
        Column("year_of_birth", Integer(), nullable=True),
        Column("phone", String(20), nullable=True),
        Column("phone_verified", Boolean(), nullable=False),
        Column("password_hash", String(255), nullable=False),
        Column("password_changed_at", DateTime(), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("last_sign_in_at", DateTime(), nullable=True),
        Column("failed_sign_ins", Integer(), nullable=False),
        Column("locked_until", DateTime(), nullable=True),
        Column("deactivated_at", DateTime(), nullable=True),
        Column("notifications", JSON(), nullable=False),
        Column("portal_claims", JSON(), nullable=False),
    )
    Table(
        "authorization_codes",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("code_hash", String(128), nullable=False, unique=True),
        Column("client_id", String(100), nullable=False),
        _user_id(nullable=False, index=False),
        Column("redirect_uri", Text(), nullable=False),
        Column("scope", Text(), nullable=False),
        Column("nonce", Text(), nullable=True),
        Column("auth_time", Integer(), nullable=False),
        Column("acr", String(100), nullable=True),
        Column("amr", JSON(), nullable=False),
        Column("sid", String(64), nullable=True),
        Column("claims_request", JSON(), nullable=True),
        Column("code_challenge", Text(), nullable=True),
        Column("code_challenge_method", String(10), nullable=True),
        Column("created_at", DateTime(), nullable=False),
        Column("expires_at", DateTime(), nullable=False),
        Column("used_at", DateTime(), nullable=True),
        Index("ix_authorization_codes_client_nonce", "client_id", "nonce"),
        Index("ix_authorization_codes_sid", "sid"),
    )
    Table(
        "consent_grants",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("client_id", String(100), nullable=False, index=True),
        Column("scopes", JSON(), nullable=False),
        Column("claims", JSON(), nullable=False),
        Column("granted_at", DateTime(), nullable=False),
        Column("interaction_uid", String(64), nullable=True),
        UniqueConstraint("user_id", "client_id"),
    )
    Table(
        "one_time_codes",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=True, index=True),
        Column("purpose", String(40), nullable=False, index=True),
        Column("channel", String(10), nullable=False),
        Column("destination", String(254), nullable=False, index=True),
        Column("code_hash", String(128), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("expires_at", DateTime(), nullable=False),
        Column("attempts", Integer(), nullable=False),
        Column("used_at", DateTime(), nullable=True),
        Column("keypad_digits", String(20), nullable=True),
    )
    Table(
        "passkey_challenges",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("ceremony_hash", String(128), nullable=False, unique=True),
        Column("purpose", String(20), nullable=False),
        _user_id(nullable=True, index=False),
        Column("challenge", LargeBinary(), nullable=False),
        Column("user_handle", String(128), nullable=True),
        Column("created_at", DateTime(), nullable=False),
        Column("expires_at", DateTime(), nullable=False),
        Column("used_at", DateTime(), nullable=True),
    )
    Table(
        "passkey_credentials",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("credential_id", String(1400), nullable=False, unique=True),
        Column("public_key", LargeBinary(), nullable=False),
        Column("sign_count", Integer(), nullable=False),
        Column("transports", JSON(), nullable=False),
        Column("user_handle", String(128), nullable=False, index=True),
        Column("device_type", String(20), nullable=False),
        Column("backed_up", Boolean(), nullable=False),
        Column("name", String(64), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("last_used_at", DateTime(), nullable=True),
    )
    Table(
        "password_history",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("password_hash", String(255), nullable=False),
        Column("created_at", DateTime(), nullable=False),
    )
    Table(
        "recovery_codes",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("code_hash", String(255), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("used_at", DateTime(), nullable=True),
    )
    Table(
        "remembered_devices",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("purpose", String(10), nullable=False),
        Column("token_hash", String(128), nullable=False, index=True),
        Column("label", String(120), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("expires_at", DateTime(), nullable=False),
        UniqueConstraint("user_id", "purpose", "token_hash"),
    )
    Table(
        "security_answers",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("position", Integer(), nullable=False),
        Column("question", String(200), nullable=False),
        Column("answer_hash", String(255), nullable=False),
        UniqueConstraint("user_id", "position"),
    )
    Table(
        "sso_sessions",
        metadata,
        Column("id", String(64), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("created_at", DateTime(), nullable=False),
        Column("last_seen_at", DateTime(), nullable=False),
        Column("auth_time", DateTime(), nullable=False),
        Column("real_auth_time", Integer(), nullable=True),
        Column("amr", JSON(), nullable=False),
        Column("acr", String(100), nullable=True),
        Column("ended_at", DateTime(), nullable=True),
    )
    Table(
        "tokens",
        metadata,
        Column("id", Integer(), primary_key=True),
        Column("access_token_hash", String(128), nullable=False, unique=True),
        Column("refresh_token_hash", String(128), nullable=True, unique=True),
        Column("client_id", String(100), nullable=False, index=True),
        _user_id(nullable=True, index=True),
        Column("scope", Text(), nullable=False),
        Column("token_type", String(20), nullable=False),
        Column("issued_at", DateTime(), nullable=False),
        Column("expires_in", Integer(), nullable=False),
        Column("refresh_expires_at", DateTime(), nullable=True),
        Column("access_revoked_at", DateTime(), nullable=True),
        Column("refresh_revoked_at", DateTime(), nullable=True),
        Column("authorization_code_id", Integer(), nullable=True, index=True),
        Column("sid", String(64), nullable=True, index=True),
        Column("auth_time", Integer(), nullable=True),
        Column("amr", JSON(), nullable=False),
        Column("acr", String(100), nullable=True),
        Column("parent_id", Integer(), nullable=True, index=True),
    )
    Table(
        "totp_authenticators",
        metadata,
        Column("id", Integer(), primary_key=True),
        _user_id(nullable=False, index=True),
        Column("name", String(64), nullable=False),
        Column("secret", String(64), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("confirmed_at", DateTime(), nullable=True),
        Column("last_used_step", Integer(), nullable=True),
        Column("last_used_at", DateTime(), nullable=True),
    )
    return metadata
