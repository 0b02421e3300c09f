"""A throw-away PostgreSQL cluster (initdb in a temp dir, a free port on 127.0.0.1).

Debian keeps initdb and postgres in its versioned lib folder, off PATH; they are
found there. As root (CI), the cluster runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.live import free_port


def _server_binaries() -> tuple[str, str] | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        initdb, postgres = Path(folder, "initdb"), Path(folder, "postgres")
        if initdb.exists() and postgres.exists():
            return str(initdb), str(postgres)
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    return (initdb, postgres) if initdb and postgres else None


NEEDS_POSTGRES = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        _server_binaries() is None,
        reason="PostgreSQL server binaries (initdb, postgres) are not installed",
    ),
    pytest.mark.skipif(
        os.geteuid() == 0 and shutil.which("runuser") is None,
        reason="running as root without runuser to start PostgreSQL as another user",
    ),
]


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a cluster; yields its SQLAlchemy URL and removes it afterwards."""
    initdb, postgres = _server_binaries()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="mock-ohid-pg-"))
    if as_root:
        shutil.chown(workdir, user="postgres")
    data = workdir / "data"
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "ohid", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            *prefix,
            postgres,
            "-D",
            str(data),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(workdir),
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql+psycopg://ohid@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.1)
        time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


_databases = itertools.count(1)


def new_database(cluster_url: str, prefix: str) -> str:
    """The URL of a new, empty database on the cluster at ``cluster_url``."""
    from sqlalchemy import create_engine

    name = f"{prefix}_{next(_databases)}"
    server = create_engine(cluster_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    server.dispose()
    return cluster_url.rsplit("/", 1)[0] + f"/{name}"


def drop_tables(db) -> None:
    """Leave the cluster's database empty for the next test: the tables and their
    schema version (else the next start would find it current and make nothing)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
