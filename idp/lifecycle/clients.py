"""Looking up a registered portal (OAuth 2.0 client) by its ``client_id``.

The one lookup: the OIDC endpoints, the sign-in journey, the consent page and
the QA surface all find clients here.
"""

from __future__ import annotations

from ..store import oauth as oauth_store
from ..store.models import OAuth2Client

# Longer ids are never registered; refusing them early keeps odd input cheap.
MAX_CLIENT_ID_LENGTH = 100


def find_client(client_id: str | None) -> OAuth2Client | None:
    """The registered client ``client_id``, or None."""
    if not client_id or not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH:
        return None
    return oauth_store.find_client(client_id)


def hold_client(client: OAuth2Client) -> None:
    """Keep ``client``, read along with another row, for ``find_client`` in this request."""
    oauth_store.hold_client(client)
