"""Alembic's environment: run the revisions on the connection ``store.migrate`` hands over.

Run by hand (``alembic -c alembic.ini revision --autogenerate -m ...`` in a
checkout) it connects to ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from idp.store import models  # noqa: F401 - registers the tables
from idp.store.base import Base

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite changes a table by copying it; PostgreSQL alters it in place.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as own:
        _run(own)
        own.commit()
    engine.dispose()
