"""A light HTTP/1.1 browser for the login benchmark: one keep-alive connection per
host, a cookie jar that honours Path and deletion, redirects, form posts and
Basic credentials. Nothing else.

The benchmark's load generator runs on the same two cores as the servers it
measures. ``requests`` spent about 2.5 ms of CPU per request (22 ms per login)
in the generator, which starved every server alike; this one spends a fraction
of it, so the servers, not the generator, set the pace. It offers the subset of
``requests.Session`` the benchmark uses.
"""

from __future__ import annotations

import base64
import http.client
import json
from email.message import Message
from urllib.parse import urlencode, urljoin, urlsplit

REDIRECTS = (301, 302, 303, 307, 308)


class Response:
    """What the benchmark reads of a response."""

    def __init__(self, status: int, headers: Message, body: bytes, url: str):
        self.status_code = status
        self.headers = headers
        self.content = body
        self.url = url

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"{self.status_code} from {self.url}")


class Browser:
    """A cookie jar and keep-alive connections; use as a context manager."""

    def __init__(self, timeout: float = 30):
        self.timeout = timeout
        self.connections: dict[tuple[str, int], http.client.HTTPConnection] = {}
        # (name, path) -> value
        self.cookies: dict[tuple[str, str], str] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def get(self, url, allow_redirects=True, headers=None) -> Response:
        return self.request("GET", url, None, headers, None, allow_redirects)

    def post(self, url, data=None, auth=None, allow_redirects=True, headers=None) -> Response:
        return self.request("POST", url, data, headers, auth, allow_redirects)

    def request(self, method, url, data, headers, auth, allow_redirects) -> Response:
        response = self._send(method, url, data, headers, auth)
        hops = 0
        while allow_redirects and response.status_code in REDIRECTS and hops < 10:
            url = urljoin(url, response.headers["Location"])
            response = self._send("GET", url, None, None, None)
            hops += 1
        return response

    def _send(self, method, url, data, headers, auth) -> Response:
        parts = urlsplit(url)
        path = parts.path or "/"
        target = f"{path}?{parts.query}" if parts.query else path
        sent = {"Host": parts.netloc, "Accept-Encoding": "identity"}
        cookie = self._cookie_header(path)
        if cookie:
            sent["Cookie"] = cookie
        body = None
        if data is not None:
            body = urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if auth is not None:
            pair = f"{auth[0]}:{auth[1]}".encode()
            sent["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        sent.update(headers or {})
        key = (parts.hostname, parts.port or 80)
        for attempt in (1, 2):
            connection = self.connections.get(key)
            if connection is None:
                connection = http.client.HTTPConnection(key[0], key[1], timeout=self.timeout)
                self.connections[key] = connection
            try:
                connection.request(method, target, body=body, headers=sent)
                raw = connection.getresponse()
                payload = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open a new one once.
                connection.close()
                del self.connections[key]
                if attempt == 2:
                    raise
        if raw.will_close:
            connection.close()
            del self.connections[key]
        self._store_cookies(raw.msg, path)
        return Response(raw.status, raw.msg, payload, url)

    def _cookie_header(self, path: str) -> str:
        matching = [
            (cookie_path, name, value)
            for (name, cookie_path), value in self.cookies.items()
            if path == cookie_path
            or path.startswith(cookie_path if cookie_path.endswith("/") else cookie_path + "/")
        ]
        # RFC 6265 §5.4: longer paths first.
        matching.sort(key=lambda item: -len(item[0]))
        return "; ".join(f"{name}={value}" for _, name, value in matching)

    def _store_cookies(self, headers: Message, request_path: str) -> None:
        for line in headers.get_all("Set-Cookie") or ():
            pair, *attributes = (part.strip() for part in line.split(";"))
            name, _, value = pair.partition("=")
            # RFC 6265 §5.1.4: the default path is the request path up to its last "/".
            path = request_path[: request_path.rfind("/")] or "/"
            expired = False
            for attribute in attributes:
                key, _, val = attribute.partition("=")
                key = key.strip().lower()
                if key == "path" and val.startswith("/"):
                    path = val
                elif key == "max-age" and val.strip().lstrip("-").isdigit():
                    expired = int(val) <= 0
                elif key == "expires" and "1970" in val:
                    expired = True
            if expired:
                self.cookies.pop((name, path), None)
            else:
                self.cookies[(name, path)] = value
