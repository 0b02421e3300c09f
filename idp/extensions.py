"""Shared extension objects and accessors for the running app's services."""

from __future__ import annotations

from flask import current_app, g
from flask_wtf import CSRFProtect

csrf = CSRFProtect()


def get_settings():
    """The running app's :class:`idp.settings.Settings`."""
    return current_app.extensions["mock_ohid.settings"]


def get_clock():
    """The running app's clock (its offset reloaded once per request)."""
    clock = current_app.extensions["mock_ohid.clock"]
    if not g.get("_clock_loaded"):
        # Every worker shares the offset through the database (``idp.clock_store``).
        current_app.extensions["mock_ohid.clock_loader"](clock)
        g._clock_loaded = True
    return clock


def now():
    """Shortcut for ``get_clock().now()``."""
    return get_clock().now()


def get_hashing():
    """The running app's password hasher."""
    return current_app.extensions["mock_ohid.hashing"]


def get_key_store():
    """The running app's signing key store."""
    return current_app.extensions["mock_ohid.keys"]
