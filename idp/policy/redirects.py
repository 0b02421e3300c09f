"""Why a redirect URI a portal sent does not match the ones it registered: pure
rules for the developer notes on the error and sign-out pages.

Redirect URIs match exactly (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §3);
these only explain the near misses developers meet most.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


def _port(parts) -> int | str | None:
    """The port, or the text that came when it is not a valid port number."""
    try:
        return parts.port
    except ValueError:
        return parts.netloc.rpartition(":")[2]


def _without_trailing_slash(uri: str) -> str:
    return uri[:-1] if uri.endswith("/") else uri


def _loopback_neutral(uri: str) -> str:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if host in _LOOPBACK or f"[{host}]" in _LOOPBACK:
        port = f":{_port(parts)}" if _port(parts) else ""
        return urlunsplit((parts.scheme, f"loopback{port}", parts.path, parts.query, ""))
    return uri


def near_miss(sent: str, registered: list[str]) -> str | None:
    """A sentence naming the registered URI that ``sent`` almost matches, or None.

    The sentence quotes only the registered URI, never ``sent``."""
    try:
        return _near_miss(sent, registered)
    except ValueError:
        # Not a URI urllib can split (a broken IPv6 host): nothing near it.
        return None


def _near_miss(sent: str, registered: list[str]) -> str | None:
    for uri in registered:
        if _without_trailing_slash(sent) == _without_trailing_slash(uri):
            return f"It differs from the registered {uri} only by a trailing slash."
        if _loopback_neutral(sent) == _loopback_neutral(uri):
            return (
                f"It differs from the registered {uri} only by the loopback host name "
                "(localhost, 127.0.0.1 and [::1] are different URIs)."
            )
        sent_parts, parts = urlsplit(sent), urlsplit(uri)
        if sent_parts._replace(scheme=parts.scheme) == parts:
            return f"It differs from the registered {uri} only by its scheme (http or https)."
        if (
            sent_parts.scheme == parts.scheme
            and sent_parts.hostname == parts.hostname
            and sent_parts.path == parts.path
            and _port(sent_parts) != _port(parts)
        ):
            return f"It differs from the registered {uri} only by its port."
    return None
