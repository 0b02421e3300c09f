"""Signals between floors: a lower one announces, a higher one listens.

The lifecycle ends SSO sessions; the OIDC side, which knows the portals that
signed in through them, listens and sends back-channel logout tokens.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the ``SsoSession`` that has just ended (signed out, locked, reset, ...).
sso_session_ended = _signals.signal("sso-session-ended")
