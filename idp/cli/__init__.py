"""The ``mock-ohid`` command line (click): ``idp.cli:main`` is its entry point.

``base`` holds the group and start-up; ``serve``, ``admin``, ``portal`` and ``db``
register their commands on it when imported here.
"""

from __future__ import annotations

from . import admin, db, portal, serve  # noqa: F401 - importing registers their commands
from .base import main

__all__ = ["main"]
