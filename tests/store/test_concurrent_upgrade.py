"""Two servers starting at once on one database: one makes or upgrades it, the other
waits and finds it current (PostgreSQL's advisory lock, SQLite's write lock)."""

from __future__ import annotations

import multiprocessing

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from idp.store import models  # noqa: F401 - registers the tables
from idp.store.base import Base
from idp.store.migrate import BASE_REVISION, HEAD, alembic_config
from idp.store.schema import describe, describe_metadata
from tests.postgres import NEEDS_POSTGRES, new_database


def _start(url: str, folder: str, barrier, answers) -> None:
    """One server's start-up, up to its schema, released together with the other's."""
    from idp import create_app
    from idp.store import db
    from idp.store.migrate import bring_to_head

    app = create_app(
        overrides={"database.url": url, "keys.dir": folder, "users.seed": False}, environ={}
    )
    with app.app_context():
        engine = db.engine
        barrier.wait(timeout=60)
        try:
            answers.put(bring_to_head(engine))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            answers.put(f"{type(exc).__name__}: {exc}")
        engine.dispose()


def _start_two_at_once(url: str, folder) -> list[str]:
    spawn = multiprocessing.get_context("spawn")
    barrier, answers = spawn.Barrier(2), spawn.Queue()
    servers = [
        spawn.Process(target=_start, args=(url, str(folder), barrier, answers)) for _ in range(2)
    ]
    for server in servers:
        server.start()
    said = sorted(answers.get(timeout=180) for _ in servers)
    for server in servers:
        server.join(timeout=60)
        assert server.exitcode == 0
    return said


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=NEEDS_POSTGRES)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return new_database(request.getfixturevalue("postgres_url"), "shared")


def test_two_servers_on_an_empty_database_make_it_once(database_url, tmp_path):
    said = _start_two_at_once(database_url, tmp_path / "keys")
    assert said == [f"at {HEAD}", f"created at {HEAD}"]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert describe(connection) == describe_metadata(Base.metadata)
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (HEAD,)
        ]
    engine.dispose()


def test_two_servers_on_a_b0fa761_database_upgrade_it_once_and_keep_its_rows(
    database_url, tmp_path
):
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASE_REVISION)
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.execute(
            text(
                "INSERT INTO oauth2_clients (id, client_id, client_name, metadata_json, trusted, "
                "require_phone, source, created_at) VALUES (1, 'kept-portal', 'Kept', :m, true, "
                "false, 'cli', '2026-01-01 00:00:00')"
            ),
            {"m": '{"redirect_uris": ["http://localhost:5009/cb"]}'},
        )
    said = _start_two_at_once(database_url, tmp_path / "keys")
    assert said == [f"at {HEAD}", f"upgraded from {BASE_REVISION} to {HEAD}"]
    with engine.connect() as connection:
        assert describe(connection) == describe_metadata(Base.metadata)
        assert connection.execute(text("SELECT client_id FROM oauth2_clients")).all() == [
            ("kept-portal",)
        ]
    engine.dispose()
