"""``mock-ohid db current`` / ``db upgrade``, and commands refusing a database of
unknown shape with one line (the chain itself: tests/store)."""

from __future__ import annotations

from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, event

from idp.cli import main
from idp.store.migrate import BASE_REVISION, HEAD, alembic_config, current_revision


def _sqlite_engine(path):
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _as_the_app_connects(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return engine


def _upgrade_to(engine, revision: str) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _write_config(tmp_path, url: str):
    config = tmp_path / "mock-ohid.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[keys]\ndir = "{tmp_path / "keys"}"\n'
        '[security]\npassword_hash_profile = "fast"\n'
    )
    return str(config)


def test_the_cli_refuses_a_database_of_unknown_shape_with_one_line_and_no_traceback(tmp_path):
    database = tmp_path / "instance" / "mock-ohid.db"
    database.parent.mkdir()
    engine = _sqlite_engine(database)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    engine.dispose()
    config = _write_config(tmp_path, f"sqlite:///{database}")
    for args in (["init"], ["db", "upgrade"], ["users", "list"]):
        result = CliRunner().invoke(main, ["--config", config, *args])
        assert result.exit_code == 2, result.output
        assert result.output == (
            f"Error: database {database} has tables but no schema version this mock-ohid "
            "knows (made before b0fa761 or by a commit between releases); back it up and "
            "point database.url at a new database (or start in a fresh instance directory)\n"
        )


def test_db_current_and_db_upgrade_say_where_the_database_stands(tmp_path):
    database = tmp_path / "mock-ohid.db"
    config = _write_config(tmp_path, f"sqlite:///{database}")

    def run(*args):
        result = CliRunner().invoke(main, ["--config", config, *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert run("db", "current") == (
        "Database: empty (serve, init or db upgrade makes the tables)\n"
    )
    engine = _sqlite_engine(database)
    _upgrade_to(engine, BASE_REVISION)
    assert run("db", "current") == (
        f"Database: {BASE_REVISION} (behind {HEAD}: serve, init or db upgrade brings it there)\n"
    )
    assert run("db", "upgrade") == f"Database: upgraded from {BASE_REVISION} to {HEAD}\n"
    assert run("db", "current") == f"Database: {HEAD} (current)\n"
    assert run("db", "upgrade") == f"Database: at {HEAD}\n"
    engine.dispose()


def test_init_upgrades_a_database_made_before_migrations(tmp_path):
    database = tmp_path / "mock-ohid.db"
    engine = _sqlite_engine(database)
    _upgrade_to(engine, BASE_REVISION)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
    config = _write_config(tmp_path, f"sqlite:///{database}")
    result = CliRunner().invoke(main, ["--config", config, "init"])
    assert result.exit_code == 0, result.output
    assert current_revision(engine) == HEAD
    engine.dispose()
