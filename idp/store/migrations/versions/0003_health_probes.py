"""/healthz proves the database takes writes: new table health_probes.

Revision ID: 0003_health_probes
Revises: 0002_shared_emails
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_health_probes"
down_revision = "0002_shared_emails"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "health_probes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("health_probes")
