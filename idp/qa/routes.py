"""The modules that add their routes to the /_qa blueprint (``qa.api.bp``)."""

from __future__ import annotations


def load_routes() -> None:
    """Import each module of the QA API so its routes are on the blueprint."""
    from . import (  # noqa: F401
        admin,
        clients,
        clock,
        debugger,
        faults,
        inbox,
        mfa,
        openapi,
        outbox,
        tokens,
        users,
        voice,
    )
