"""Looking up a registered portal (OAuth 2.0 client) by its ``client_id``.

The one lookup: the OIDC endpoints, the sign-in journey, the consent page and
the QA surface all find clients here.
"""

from __future__ import annotations

from sqlalchemy import bindparam

from ..store import db, held_row, request_memo
from ..store.models import OAuth2Client

# Longer ids are never registered; refusing them early keeps odd input cheap.
MAX_CLIENT_ID_LENGTH = 100

# Built once: SQLAlchemy then reuses its compiled form instead of rebuilding it.
_BY_CLIENT_ID = db.select(OAuth2Client).where(OAuth2Client.client_id == bindparam("client_id"))


def find_client(client_id: str | None) -> OAuth2Client | None:
    """The registered client ``client_id``, or None."""
    if not client_id or not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH:
        return None
    held = request_memo("clients")
    client = held_row(held.get(client_id))
    if client is None or client.client_id != client_id:
        client = db.session.execute(_BY_CLIENT_ID, {"client_id": client_id}).scalar_one_or_none()
        if client is not None:
            held[client_id] = client
    return client


def hold_client(client: OAuth2Client) -> None:
    """Keep ``client``, read along with another row, for ``find_client`` in this request."""
    request_memo("clients")[client.client_id] = client
