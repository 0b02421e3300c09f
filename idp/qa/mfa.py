"""QA: a user's authenticator-app code (SPEC §5.1 ``GET /_qa/users/<username>/totp``)."""

from __future__ import annotations

from flask import jsonify

from ..lifecycle.accounts import find_by_username
from ..lifecycle.authenticators import confirmed_authenticators, current_code
from ..lifecycle.devices import remembered_devices
from ..lifecycle.second_factors import describe_methods
from ..store.models import User
from .api import QAError, bp
from .users import STATE_EXTENSIONS


def mfa_state(user: User) -> dict:
    """The account's second-factor methods, as GET /_qa/users/<username> shows them."""
    return {**describe_methods(user), "remembered_devices": len(remembered_devices(user))}


@bp.get("/users/<username>/totp")
def user_totp(username: str):
    """``{secret, code}`` of the user's (newest) authenticator app, code as of the server clock."""
    user = find_by_username(username)
    if user is None:
        raise QAError(404, "not_found", f"No user with One Healthcare ID {username!r}.")
    authenticators = confirmed_authenticators(user)
    if not authenticators:
        raise QAError(404, "not_found", f"{user.username} has no authenticator app set up.")
    newest = authenticators[-1]
    return jsonify(secret=newest.secret, code=current_code(newest))


STATE_EXTENSIONS["mfa"] = mfa_state
