"""examples/compose/compose.yaml as a team runs it: the IdP and a demo portal in containers
of their own; the browser (here, requests on the host) uses localhost, the portal's backend
reaches the IdP as http://mock-ohid:8765 (server.internal_hosts), and the IdP reaches the
portal as http://portal:PORT for back-channel logout (security.allowed_fetch_hosts)."""

from __future__ import annotations

import json

import pytest
import requests

from tests.containers import engine
from tests.containers.compose import Compose
from tests.containers.conftest import NEEDS_ENGINE
from tests.helpers import csrf_token
from tests.interop.conftest import HTTP_TIMEOUT, follow, sign_in_by_form

pytestmark = NEEDS_ENGINE

RECIPE = engine.REPO / "examples" / "compose"


@pytest.fixture
def split_compose(mock_ohid_image, unique_name, tmp_path):
    ohid_port, portal_port = engine.published_ports(2)
    clients = tmp_path / "clients.toml"
    clients.write_text((RECIPE / "clients.toml").read_text().replace("5001", str(portal_port)))
    compose = Compose(
        unique_name,
        RECIPE / "compose.yaml",
        {
            "MOCK_OHID_IMAGE": mock_ohid_image,
            "OHID_PORT": str(ohid_port),
            "PORTAL_PORT": str(portal_port),
            "CLIENTS_FILE": str(clients),
        },
    )
    try:
        # podman-compose 1.0.3 ignores depends_on conditions: the test waits on health itself.
        compose.up("mock-ohid")
        engine.wait_for_health(
            f"http://127.0.0.1:{ohid_port}/healthz", container=compose.container("mock-ohid")
        )
        compose.up("portal")
        engine.wait_for_health(
            f"http://127.0.0.1:{portal_port}/", container=compose.container("portal")
        )
        yield compose, ohid_port, portal_port
    finally:
        compose.down()


def test_portal_container_signs_in_through_the_browser_backend_split(split_compose):
    compose, ohid_port, portal_port = split_compose
    issuer, portal = f"http://localhost:{ohid_port}", f"http://localhost:{portal_port}"
    # What the portal's backend sees: one issuer, its back channel on the internal name.
    seen = engine.podman(
        "exec",
        compose.container("portal"),
        "python3",
        "-c",
        "import urllib.request; print(urllib.request.urlopen("
        "'http://mock-ohid:8765/.well-known/openid-configuration', timeout=10).read().decode())",
    ).stdout
    metadata = json.loads(seen)
    assert metadata["issuer"] == issuer
    assert metadata["authorization_endpoint"] == f"{issuer}/authorize"
    assert metadata["token_endpoint"] == "http://mock-ohid:8765/token"
    assert metadata["jwks_uri"] == "http://mock-ohid:8765/.well-known/jwks.json"
    with requests.Session() as browser:
        start = browser.get(f"{portal}/login", allow_redirects=False, timeout=HTTP_TIMEOUT)
        assert start.headers["Location"].startswith(f"{issuer}/authorize?")
        page = follow(browser, start, stop_at=None)
        landed = sign_in_by_form(browser, page, "demo.provider", "Password1")
        # The portal redeemed the code at mock-ohid:8765 and checked iss against the issuer.
        assert landed.url == f"{portal}/", landed.url
        assert "demo.provider" in landed.text and "Sign-in did not finish" not in landed.text
        # The NPI portal claim, released by the portal scope.
        assert "1234567893" in landed.text
        # Signing out at the IdP reaches the portal's container by back-channel logout
        # (security.allowed_fetch_hosts names it).
        confirm = browser.get(f"{issuer}/end_session", timeout=HTTP_TIMEOUT)
        assert "Sign Out" in confirm.text, confirm.text[:300]
        signed_out = browser.post(
            f"{issuer}/end_session",
            data={"csrf_token": csrf_token(confirm.text)},
            timeout=HTTP_TIMEOUT,
        )
        assert signed_out.status_code == 200, signed_out.text[:300]
        after = browser.get(f"{portal}/", timeout=HTTP_TIMEOUT)
        assert "One Healthcare ID ended your session (back-channel logout)" in after.text
