"""The browser's device cookie: a long random id, stored only as a digest.

``lifecycle.devices`` keeps what an account trusts this browser for; this
module only reads and writes the cookie (HttpOnly, SameSite=Lax).
"""

from __future__ import annotations

from flask import request

from ..extensions import get_settings
from ..lifecycle.devices import new_device_token

DEVICE_COOKIE = "ohid_device"
# The cookie outlives any trust; each trust row has its own expiry.
COOKIE_DAYS = 400


def device_token() -> str | None:
    """This browser's device id (a long random cookie), if it has one."""
    return request.cookies.get(DEVICE_COOKIE) or None


def device_token_or_new() -> str:
    return device_token() or new_device_token()


def device_label() -> str:
    """A readable name for this browser in "remembered devices"."""
    agent = request.user_agent
    browser = (agent.browser or "").title() or "Browser"
    platform = (agent.platform or "").title()
    return f"{browser} on {platform}" if platform else browser


def set_device_cookie(response, token: str):
    """Keep ``token`` in this browser (no-op when it is already there)."""
    if request.cookies.get(DEVICE_COOKIE) != token:
        settings = get_settings()
        response.set_cookie(
            DEVICE_COOKIE,
            token,
            max_age=COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.secure_cookies,
        )
    return response
