"""The demo portals served beside a live issuer, browsed with ``requests`` as a person would."""

from __future__ import annotations

import re
from html import unescape

import requests

from idp.demo.runner import bind, start_portals, stop
from tests.helpers import csrf_token

TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


class DemoPortals:
    """Some of ``mock-ohid demo``'s portals (by client id), served on free ports."""

    def __init__(self, live_server, *client_ids: str):
        self.issuer = live_server.url
        sockets = {client_id: bind("127.0.0.1", 0) for client_id in client_ids}
        self.served = start_portals(live_server.app, sockets)
        self.urls = {item.label: item.url for item in self.served}

    def stop(self) -> None:
        stop(self.served)


class Browser:
    """One person's browser: cookies kept, redirects followed."""

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.session = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, timeout=30)

    def submit(self, page: requests.Response, action: str, **data) -> requests.Response:
        """Post the form of ``page`` (its CSRF token) to ``action`` on the page's server."""
        base = page.url.split("/", 3)
        url = action if action.startswith("http") else f"{base[0]}//{base[2]}{action}"
        return self.session.post(
            url, data={"csrf_token": csrf_token(page.text), **data}, timeout=30
        )

    def sign_in(self, page: requests.Response, identifier: str, password: str = "Password1"):
        """From the Sign In page: the ID (or email), then the password."""
        assert "/signin" in page.url, page.url
        password_page = self.submit(page, "/signin", identifier=identifier)
        return self.submit(password_page, "/signin/password", password=password)

    def qa(self, method: str, path: str, **body) -> dict:
        response = requests.request(
            method, f"{self.issuer}/_qa{path}", json=body or None, timeout=30
        )
        assert response.ok, response.text
        return response.json()


def heading(page: requests.Response) -> str:
    match = TITLE.search(page.text)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def words(page: requests.Response) -> str:
    """The page's text, tags removed (inline ones without a space) and spaces collapsed."""
    text = re.sub(r"</?(?:strong|em|a|span|code|b|i)\b[^>]*>", "", page.text)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())
