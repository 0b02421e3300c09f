"""``mock-ohid db upgrade`` / ``db current``: the schema, by hand.

``serve`` and ``init`` upgrade the database at start on their own; these are
for people who want to do it first (before a deploy, in a container's entry
point) or to see where a database stands.
"""

from __future__ import annotations

import click

from .base import AppContext, main


@main.group()
def db():
    """Upgrade the database's schema or show its version.

    \b
    serve and init upgrade it at start; these do it by hand.
    Example:
      mock-ohid db current
      mock-ohid db upgrade
    """


@db.command()
@click.pass_obj
def upgrade(obj: AppContext):
    """Bring the database to the current schema, keeping every row.

    An empty database gets the tables. One made before migrations existed
    (by b0fa761 or later) is recognised and upgraded; one of unknown shape,
    or of a newer release, is refused with what to do.

    \b
    Example:
      mock-ohid db upgrade
      MOCK_OHID_DATABASE_URL=postgresql+psycopg://ohid@db/ohid mock-ohid db upgrade
    """
    from ..store.engine import schema_to_head

    with obj.app.app_context():
        click.echo(f"Database: {schema_to_head()}")


@db.command()
@click.pass_obj
def current(obj: AppContext):
    """Show the database's schema revision and whether it is the newest.

    \b
    Example:
      mock-ohid db current
    """
    from ..store.engine import schema_revision

    with obj.app.app_context():
        click.echo(f"Database: {schema_revision()}")
