"""Every HTTP request the server itself makes: a client's ``jwks_uri``,
back-channel logout tokens, the debugger's calls to the issuer.

A URL from outside must not turn the server into a proxy for the developer's
network, nor hold a worker thread or its memory. So each fetch:

- resolves the host name once, keeps only the addresses the
  :class:`~idp.policy.fetch_rules.FetchRule` allows, and connects to one of
  those very addresses (a name that re-resolves elsewhere changes nothing);
- never follows a redirect (a 3xx is the answer, for the caller to refuse);
- has one deadline for everything (name lookup, connect, TLS, sending,
  every byte of the answer), not a timeout per read;
- reads at most ``max_bytes`` of body (and a few KB of headers), then stops.

It is built on the standard library's ``http.client``, given a socket whose
every read checks the deadline and the byte budget.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .policy.fetch_rules import FetchRule, normal_host
from .policy.json_limits import loads_bounded

# Status line and headers of an answer, on top of its body cap.
HEADER_ALLOWANCE = 16 * 1024
USER_AGENT = "mock-ohid"


class FetchError(Exception):
    """A fetch did not produce an answer; the message says why, without the URL."""


class FetchRefused(FetchError):
    """The URL is not one the server may fetch (scheme, or address off the rule)."""


class FetchTimeout(FetchError):
    """The whole exchange took longer than its deadline."""


class FetchTooLarge(FetchError):
    """The answer is larger than the fetch's byte cap."""


@dataclass
class FetchAnswer:
    """What the other server answered (never a followed redirect)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self):
        """The body as JSON; ValueError if it is not, or if it nests too deep."""
        return loads_bounded(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _Budget:
    """The deadline and byte budget shared by every step of one fetch."""

    def __init__(self, seconds: float, max_bytes: int):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.bytes_left = max_bytes

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchTimeout(f"no complete answer within {self.seconds:g} s")
        return left


class _DeadlineReader(io.RawIOBase):
    """A socket's read side that enforces the fetch's deadline and byte budget."""

    def __init__(self, sock: socket.socket, budget: _Budget, max_bytes: int):
        self._sock, self._budget, self._max_bytes = sock, budget, max_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(self._budget.remaining())
        try:
            count = self._sock.recv_into(buffer)
        except TimeoutError:
            raise FetchTimeout(f"no complete answer within {self._budget.seconds:g} s") from None
        self._budget.bytes_left -= count
        if self._budget.bytes_left < 0:
            raise FetchTooLarge(f"the answer is larger than {self._max_bytes} bytes")
        return count


class _DeadlineSocket:
    """What ``http.client`` needs of a socket: sendall, makefile, close."""

    def __init__(self, sock: socket.socket, budget: _Budget, max_bytes: int):
        self._sock, self._budget, self._max_bytes = sock, budget, max_bytes

    def sendall(self, data) -> None:
        self._sock.settimeout(self._budget.remaining())
        try:
            self._sock.sendall(data)
        except TimeoutError:
            raise FetchTimeout(f"could not send within {self._budget.seconds:g} s") from None

    def makefile(self, mode: str, *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._sock, self._budget, self._max_bytes))

    def close(self) -> None:
        # http.client closes its connection once it has the answer's headers,
        # while the body is still to be read: ``fetch`` closes the socket itself.
        return None


def _resolve(host: str, port: int, budget: _Budget) -> list[tuple]:
    """``getaddrinfo`` once, in a helper thread so that a slow resolver meets the deadline."""
    found: dict[str, object] = {}

    def lookup():
        try:
            found["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError) as exc:
            # UnicodeError: a name IDNA cannot encode.
            found["error"] = exc

    worker = threading.Thread(target=lookup, name="fetch-resolve", daemon=True)
    worker.start()
    worker.join(budget.remaining())
    if worker.is_alive():
        raise FetchTimeout(f"the host name did not resolve within {budget.seconds:g} s")
    if "error" in found:
        raise FetchError(f"the host name does not resolve ({found['error']})")
    return found["addresses"]  # type: ignore[return-value]


def _connect(host: str, port: int, rule: FetchRule, budget: _Budget) -> socket.socket:
    """A socket connected to an address of ``host`` that ``rule`` allows."""
    addresses = _resolve(host, port, budget)
    allowed = [a for a in addresses if rule.allows(host, a[4][0])]
    if not allowed:
        shown = ", ".join(dict.fromkeys(a[4][0] for a in addresses))
        named = host if shown == normal_host(host) else f"{host} ({shown})"
        raise FetchRefused(
            f"{named} is not {rule.describe()}; security.allowed_fetch_hosts can allow more hosts"
        )
    problem: OSError | None = None
    for family, kind, proto, _name, address in allowed:
        left = budget.remaining()
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            sock.connect(address)
            return sock
        except TimeoutError:
            sock.close()
            raise FetchTimeout(f"could not connect within {budget.seconds:g} s") from None
        except OSError as exc:
            sock.close()
            problem = exc
    raise FetchError(f"could not connect ({problem})")


def fetch(
    url: str,
    *,
    rule: FetchRule,
    seconds: float,
    max_bytes: int,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> FetchAnswer:
    """One HTTP exchange with ``url`` under ``rule``, within ``seconds`` and ``max_bytes``.

    Raises :class:`FetchRefused`, :class:`FetchTimeout`, :class:`FetchTooLarge`
    or :class:`FetchError`; a redirect comes back as its 3xx answer, unfollowed.
    """
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - raises ValueError for a broken IPv6 literal
    except ValueError:
        raise FetchRefused("the URL cannot be parsed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("only http and https URLs are fetched")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("URLs with credentials are not fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("the URL's port is not a number from 0 to 65535") from None
    host = parts.hostname
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not target.isascii() or any(c.isspace() or not c.isprintable() for c in target):
        raise FetchRefused("the URL has characters HTTP cannot send")
    budget = _Budget(seconds, max_bytes + HEADER_ALLOWANCE)
    sock = _connect(host, port, rule, budget)
    try:
        if parts.scheme == "https":
            sock.settimeout(budget.remaining())
            try:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            except TimeoutError:
                raise FetchTimeout(f"no TLS handshake within {seconds:g} s") from None
            except (ssl.SSLError, OSError) as exc:
                raise FetchError(f"TLS failed ({getattr(exc, 'reason', None) or exc})") from None
        connection = http.client.HTTPConnection(host, port)
        connection.sock = _DeadlineSocket(sock, budget, max_bytes)  # type: ignore[assignment]
        sent = {"User-Agent": USER_AGENT, "Connection": "close", **(headers or {})}
        try:
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read(max_bytes + 1)
        except http.client.InvalidURL:
            raise FetchRefused("the URL has characters HTTP cannot send") from None
        except http.client.HTTPException as exc:
            raise FetchError(f"the answer is not valid HTTP ({type(exc).__name__})") from None
        except (UnicodeError, ValueError):
            raise FetchRefused("the URL has characters HTTP cannot send") from None
        except ssl.SSLError as exc:
            raise FetchError(f"TLS failed ({exc.reason})") from None
        except OSError as exc:
            raise FetchError(f"the connection failed ({type(exc).__name__})") from None
        if len(content) > max_bytes:
            raise FetchTooLarge(f"the answer is larger than {max_bytes} bytes")
        return FetchAnswer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, content
        )
    finally:
        sock.close()
