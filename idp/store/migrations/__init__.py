"""Alembic's script directory: ``env.py`` and the revisions in ``versions/``.

The chain starts at the schema of commit ``b0fa761`` (``store.schema``); each
revision carries one change and keeps every row. ``store.migrate`` runs it.
"""
