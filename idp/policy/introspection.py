"""Who may introspect a token (RFC 7662 §2.1, §4): pure rules.

A client may introspect the tokens issued to it. A resource server (an API
registered as its own client) may introspect other clients' tokens when it
has ``introspect_any``, or when the token's client names it in its
``resource_servers``. Either is set by the operator (clients.toml, the CLI,
the QA API), never by anonymous dynamic registration.
"""

from __future__ import annotations

NOT_ITS_RESOURCE_SERVER = (
    "the token was issued to another client, and this client may not introspect it "
    "(give it introspect_any = true, or list it in that client's resource_servers)"
)


def may_introspect(
    requester: str, owner: str, *, introspect_any: bool, owner_resource_servers: list[str]
) -> bool:
    """Whether client ``requester`` may see a token issued to client ``owner``."""
    return requester == owner or introspect_any or requester in owner_resource_servers
