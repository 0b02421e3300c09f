"""Helpers shared by tests: CSRF tokens, PKCE, authorization URLs, signing in and out,
the outbox and the clock."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

DEFAULT_PASSWORD = "Password1"

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str | bytes) -> str:
    """The CSRF token of the first form on a page."""
    text = html.decode() if isinstance(html, bytes) else html
    match = CSRF_RE.search(text)
    assert match, "page has no CSRF token"
    return unescape(match.group(1) or match.group(2))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_url(
    client_id="optum-connect-claims-online", redirect_uri="http://localhost:5001/callback", **extra
) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile email",
    }
    params.update({k: v for k, v in extra.items() if v is not None})
    return "/authorize?" + urlencode(params)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def follow_to_portal(client, response):
    """Follow a resume of the portal's request (``/authorize/resume``: after consent
    given on an SSO session) to the answer that leaves for the portal. A sign-in
    completed on a sign-in page answers the portal itself: nothing to follow."""
    while response.status_code == 302 and urlsplit(response.headers["Location"]).path.startswith(
        "/authorize/resume/"
    ):
        response = client.get(response.headers["Location"])
    return response


def begin_registrant_sign_in(client, user) -> None:
    """Make ``client``'s browser a registrant part-way through Create One Healthcare ID
    (account made, password step done), as the registration page leaves it."""
    from idp.lifecycle.interactions import begin_interaction, begin_sign_in
    from idp.store import db

    interaction = begin_interaction(None, {})
    begin_sign_in(interaction, user.id, ["pwd"], registration=True)
    db.session.commit()
    with client.session_transaction() as state:
        state["interaction"] = interaction.uid


def post_form(client, url: str, action: str | None = None, **data):
    """GET ``url`` for its CSRF token, then POST ``data`` to ``action`` (default: ``url``)."""
    page = client.get(url)
    return client.post(action or url, data={**data, "csrf_token": csrf_token(page.data)})


def sign_out(client):
    """Press Sign Out on the profile page."""
    page = client.get("/profile")
    return client.post("/signout", data={"csrf_token": csrf_token(page.data)})


class SignIn:
    """Drives the two sign-in pages through the test client."""

    def __init__(self, client):
        self.client = client

    def identifier(self, identifier, remember=False):
        page = self.client.get("/signin")
        data = {"csrf_token": csrf_token(page.data), "identifier": identifier}
        if remember:
            data["remember"] = "y"
        return self.client.post("/signin", data=data)

    def password(self, password):
        page = self.client.get("/signin/password")
        return self.client.post(
            "/signin/password", data={"csrf_token": csrf_token(page.data), "password": password}
        )

    def __call__(self, identifier, password=DEFAULT_PASSWORD):
        self.identifier(identifier)
        return self.password(password)


class ClockControl:
    """Moves the app's clock the way /_qa/clock does (persisted for all requests)."""

    def __init__(self, app):
        self.app = app

    def advance(self, **delta):
        from idp.clock_store import save_clock_offset
        from idp.extensions import get_clock
        from idp.store.units import finish_unit

        clock = get_clock()
        clock.advance(timedelta(**delta))
        save_clock_offset(clock)
        finish_unit()

    def now(self):
        from idp.extensions import get_clock

        return get_clock().now()

    def reset(self):
        from idp.clock_store import save_clock_offset
        from idp.extensions import get_clock
        from idp.store.units import finish_unit

        clock = get_clock()
        clock.reset()
        save_clock_offset(clock)
        finish_unit()


class Outbox:
    """The messages the mock 'sent', read from the database (oldest first)."""

    def _query(self, **filters):
        from idp.store.models import OutboxMessage

        return OutboxMessage.query.filter_by(**filters).order_by(OutboxMessage.id)

    def all(self, **filters) -> list:
        return self._query(**filters).all()

    def one(self, **filters):
        """The only message matching ``filters`` (fails when there are none or several)."""
        return self._query(**filters).one()

    def count(self, **filters) -> int:
        return self._query(**filters).count()

    def latest(self, **filters):
        messages = self.all(**filters)
        assert messages, f"no message in the outbox matching {filters}"
        return messages[-1]
