"""mock-ohid: a standalone mock of One Healthcare ID, a real OpenID Connect provider."""

from __future__ import annotations

from .app import create_app
from .settings import SettingsError

__all__ = ["create_app", "SettingsError"]
