"""URLs that two areas share, routed in the app's wiring so neither imports the other.

``POST /register`` is both the "Create One Healthcare ID" form (SPEC §3.2)
and RFC 7591 dynamic client registration (SPEC §4): a JSON body is a client
registering, anything else is a person creating an account.
"""

from __future__ import annotations

from flask import Flask, request

from .extensions import csrf
from .oidc.endpoints import client_registration
from .web.register import start as create_account


def register_post():
    """Send a POST on /register to the OIDC side (JSON) or the account form."""
    if request.mimetype == "application/json":
        return client_registration()
    # Exempted as a route so JSON clients pass; the form keeps its CSRF check.
    csrf.protect()
    return create_account()


def add_shared_routes(app: Flask) -> None:
    """Add the shared routes before the blueprints, so they are matched first."""
    app.add_url_rule("/register", "register_post", csrf.exempt(register_post), methods=["POST"])
