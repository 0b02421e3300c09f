"""The debugger keeps no client secret and changes no registration (data only).

Older runs kept the secret typed into the debugger in ``debugger_runs.data``;
it now stays in the browser's signed cookie, so the copies are removed. The
older debugger also added its callback and signed-out URIs to the registration
of a client it signed in with; a run now allows them for itself, so they are
taken out of every client but the throw-away ones the debugger registered for
itself (whose only URIs they are).

Revision ID: 0004_debugger_secrets
Revises: 0003_health_probes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_debugger_secrets"
down_revision = "0003_health_probes"
branch_labels = None
depends_on = None

_RUNS = sa.table("debugger_runs", sa.column("id", sa.String), sa.column("data", sa.JSON))
_CLIENTS = sa.table(
    "oauth2_clients",
    sa.column("id", sa.Integer),
    sa.column("client_name", sa.String),
    sa.column("metadata_json", sa.JSON),
)
# The name the debugger gives the clients it registers for itself.
_THROWAWAY_NAME = "mock-ohid debugger (throw-away)"
_DEBUGGER_URIS = {
    "redirect_uris": "/_qa/debugger/callback",
    "post_logout_redirect_uris": "/_qa/debugger/signed-out",
}


def _without_secret(data):
    client = data.get("client") if isinstance(data, dict) else None
    if not isinstance(client, dict) or "secret" not in client:
        return None
    return {**data, "client": {k: v for k, v in client.items() if k != "secret"}}


def _without_debugger_uris(metadata):
    if not isinstance(metadata, dict):
        return None
    changed = dict(metadata)
    for key, path in _DEBUGGER_URIS.items():
        uris = metadata.get(key)
        if not isinstance(uris, list):
            continue
        changed[key] = [uri for uri in uris if not (isinstance(uri, str) and uri.endswith(path))]
    return changed if changed != metadata else None


def upgrade() -> None:
    bind = op.get_bind()
    for run_id, data in bind.execute(sa.select(_RUNS.c.id, _RUNS.c.data)).all():
        cleaned = _without_secret(data)
        if cleaned is not None:
            bind.execute(_RUNS.update().where(_RUNS.c.id == run_id).values(data=cleaned))
    rows = bind.execute(
        sa.select(_CLIENTS.c.id, _CLIENTS.c.metadata_json).where(
            _CLIENTS.c.client_name != _THROWAWAY_NAME
        )
    ).all()
    for client_id, metadata in rows:
        cleaned = _without_debugger_uris(metadata)
        if cleaned is not None:
            bind.execute(
                _CLIENTS.update().where(_CLIENTS.c.id == client_id).values(metadata_json=cleaned)
            )


def downgrade() -> None:
    """Nothing to put back: the secrets and URIs removed were copies."""
