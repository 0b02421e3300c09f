"""Several One Healthcare IDs may share an email: users.email_key unique -> plain index.

Revision ID: 0002_shared_emails
Revises: 0001_b0fa761
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_shared_emails"
down_revision = "0001_b0fa761"
branch_labels = None
depends_on = None

# SQLite leaves the constraint unnamed; batch mode names it by this convention to drop it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _email_unique_name() -> str:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("users"):
        if constraint["column_names"] == ["email_key"]:
            return constraint["name"] or "uq_users_email_key"
    raise RuntimeError("users.email_key has no unique constraint to drop")


def upgrade() -> None:
    name = _email_unique_name()
    with op.batch_alter_table("users", naming_convention=NAMING) as batch:
        batch.drop_constraint(name, type_="unique")
        batch.create_index("ix_users_email_key", ["email_key"])


def downgrade() -> None:
    with op.batch_alter_table("users", naming_convention=NAMING) as batch:
        batch.drop_index("ix_users_email_key")
        batch.create_unique_constraint("uq_users_email_key", ["email_key"])
