"""The back channel by an internal host name (``server.internal_hosts``).

In compose the browser reaches the server as ``http://localhost:8765`` and a portal's
backend as ``http://mock-ohid:8765``; a request that came by such a name is told the
back-channel endpoints on that name.
"""

from __future__ import annotations

import re

from flask import has_request_context, request

from ..extensions import get_settings

# A Host header of a name and an optional port, nothing else.
_HOST_HEADER = re.compile(r"(?P<name>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")


def back_channel_base() -> str | None:
    """``scheme://host[:port]`` of this request when its Host is an internal host name."""
    if not has_request_context():
        return None
    internal = get_settings().internal_hosts
    match = _HOST_HEADER.fullmatch(request.headers.get("Host", ""))
    if not internal or match is None or match["name"].lower() not in internal:
        return None
    port = f":{match['port']}" if match["port"] else ""
    return f"{request.scheme}://{match['name'].lower()}{port}"
