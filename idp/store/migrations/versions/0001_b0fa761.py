"""The schema of commit b0fa761, where the chain starts.

Revision ID: 0001_b0fa761
Revises:
"""

from __future__ import annotations

from alembic import op

from idp.store.schema import b0fa761_metadata

revision = "0001_b0fa761"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    b0fa761_metadata().create_all(op.get_bind())


def downgrade() -> None:
    b0fa761_metadata().drop_all(op.get_bind())
