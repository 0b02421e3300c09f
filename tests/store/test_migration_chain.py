"""The migration chain against ``create_all``, databases made before migrations, and
the databases that are refused, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, event, inspect, text

from idp.store import models  # noqa: F401 - registers the tables
from idp.store.base import Base
from idp.store.migrate import (
    BASE_REVISION,
    HEAD,
    SchemaRefused,
    alembic_config,
    bring_to_head,
    current_revision,
    head_revision,
)
from idp.store.schema import b0fa761_metadata, describe, describe_metadata
from tests.postgres import NEEDS_POSTGRES, new_database


def _sqlite_engine(path):
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _as_the_app_connects(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA busy_timeout=10000")

    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=NEEDS_POSTGRES)])
def empty_engine(request, tmp_path):
    """An engine on a new, empty database of each kind."""
    if request.param == "sqlite":
        engine = _sqlite_engine(tmp_path / "chain.db")
    else:
        engine = create_engine(new_database(request.getfixturevalue("postgres_url"), "chain"))
    yield engine
    engine.dispose()


def _upgrade_to(engine, revision: str) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _schema(engine) -> dict:
    with engine.connect() as connection:
        return describe(connection)


def test_the_newest_revision_is_the_one_a_start_compares_with():
    assert head_revision() == HEAD


def test_the_chain_from_b0fa761_makes_exactly_the_tables_create_all_makes(empty_engine, tmp_path):
    _upgrade_to(empty_engine, "head")
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        chained = describe(connection)
    assert chained == describe_metadata(Base.metadata)
    # And a second database made the fast way (create_all and a stamp) is the same.
    with empty_engine.begin() as connection:
        version_table = _version_table(connection)
        Base.metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE alembic_version")
    assert bring_to_head(empty_engine) == f"created at {HEAD}"
    assert _schema(empty_engine) == chained
    assert current_revision(empty_engine) == HEAD
    with empty_engine.connect() as connection:
        assert _version_table(connection) == version_table


def _version_table(connection) -> tuple:
    inspector = inspect(connection)
    columns = [
        (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns("alembic_version")
    ]
    return columns, inspector.get_pk_constraint("alembic_version")


def test_the_first_revision_is_the_schema_of_b0fa761(empty_engine):
    _upgrade_to(empty_engine, BASE_REVISION)
    assert _schema(empty_engine) == describe_metadata(b0fa761_metadata())


def _without_version(engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")


@pytest.mark.parametrize(
    ("made_at", "extra_probe_table"),
    [
        # b0fa761's own schema.
        ("0001_b0fa761", False),
        # Made by b0fa761, later started by a commit that added health_probes: its
        # email index stayed unique ("kept until recreated").
        ("0001_b0fa761", True),
        # Made after shared emails, before the health probe.
        ("0002_shared_emails", False),
        # Made by main just before migrations.
        ("0003_health_probes", False),
    ],
)
def test_a_database_made_before_migrations_is_recognised_and_upgraded(
    empty_engine, made_at, extra_probe_table
):
    _upgrade_to(empty_engine, made_at)
    if extra_probe_table:
        with empty_engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TABLE health_probes (id VARCHAR(32) NOT NULL, payload TEXT NOT NULL, "
                "PRIMARY KEY (id))"
            )
    _without_version(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, sub, username, username_key, email, email_key, "
                "email_verified, first_name, last_name, phone_verified, password_hash, "
                "password_changed_at, created_at, failed_sign_ins, notifications, portal_claims) "
                "VALUES (7, 'sub-7', 'Kept.User', 'kept.user', 'k@example.com', 'k@example.com', "
                "true, 'K', 'U', false, 'hash', :t, :t, 0, '{}', '{}')"
            ),
            {"t": "2026-01-01 00:00:00"},
        )
    assert bring_to_head(empty_engine) == f"upgraded from {made_at} to {HEAD}"
    assert _schema(empty_engine) == describe_metadata(Base.metadata)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT username FROM users WHERE id = 7")).scalar() == (
            "Kept.User"
        )


def _where(engine) -> str:
    if engine.dialect.name == "sqlite":
        return engine.url.database
    return engine.url.render_as_string(hide_password=True)


def test_a_database_of_no_known_version_is_refused_in_one_line(empty_engine):
    _upgrade_to(empty_engine, "head")
    _without_version(empty_engine)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)")
    with pytest.raises(SchemaRefused) as refused:
        bring_to_head(empty_engine)
    assert str(refused.value) == (
        f"database {_where(empty_engine)} has tables but no schema version this mock-ohid "
        "knows (made before b0fa761 or by a commit between releases); back it up and point "
        "database.url at a new database (or start in a fresh instance directory)"
    )
    # Nothing was changed: still no version, the column still there.
    assert current_revision(empty_engine) is None
    with empty_engine.connect() as connection:
        assert "nickname" in {c["name"] for c in inspect(connection).get_columns("users")}


def test_a_database_of_a_newer_release_is_refused_in_one_line(empty_engine):
    _upgrade_to(empty_engine, "head")
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_later'")
    with pytest.raises(SchemaRefused) as refused:
        bring_to_head(empty_engine)
    assert str(refused.value) == (
        f"database {_where(empty_engine)} is at schema revision '0099_from_later', which this "
        f"mock-ohid does not know (it knows up to '{HEAD}'): a newer release made it; run that "
        "release, or point database.url at a new database"
    )
    assert current_revision(empty_engine) == "0099_from_later"
