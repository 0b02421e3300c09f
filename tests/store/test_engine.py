"""The SQLite file's set-up on every new connection."""

from __future__ import annotations

import sqlite3
import threading

from idp.store.engine import _use_wal


def test_switching_a_new_file_to_wal_waits_while_another_connection_writes(tmp_path):
    # SQLite refuses the switch at once, without its busy handler, while another
    # connection holds the write lock: two servers starting on one new file.
    path = tmp_path / "new.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    released = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    released.start()
    switching = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    switching.execute("PRAGMA busy_timeout=10000")
    try:
        _use_wal(switching.cursor())
        assert switching.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert switching.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        released.join()
        switching.close()
        writer.close()


def test_a_file_already_in_wal_is_left_as_it_is_while_another_connection_writes(tmp_path):
    path = tmp_path / "wal.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        _use_wal(reader.cursor(), wait_seconds=0)
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        writer.execute("ROLLBACK")
        reader.close()
        writer.close()
