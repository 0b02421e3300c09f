"""examples/compose/scale: two mock-ohid containers behind one port (nginx), sharing a
PostgreSQL database and a keys volume. PostgreSQL and nginx come from images built here
from Debian's packages (tests/containers/images), through the recipe's image variables."""

from __future__ import annotations

import time

import pytest
import requests

from tests.containers import engine
from tests.containers.compose import Compose
from tests.containers.conftest import NEEDS_ENGINE
from tests.helpers import query_of
from tests.races.test_two_servers import authorize, id_token_header, redeem, sign_in

pytestmark = NEEDS_ENGINE

RECIPE = engine.REPO / "examples" / "compose" / "scale" / "compose.yaml"
IMAGES = engine.REPO / "tests" / "containers" / "images"
REDIRECT = "http://localhost:5001/callback"


def wait_for_postgres(compose: Compose, seconds: float = 120.0) -> None:
    container = compose.container("postgres")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready = engine.podman(
            "exec", container, "pg_isready", "-h", "127.0.0.1", "-U", "ohid", "-d", "ohid",
            check=False,
        )  # fmt: skip
        if ready.returncode == 0:
            return
        time.sleep(0.5)
    logs = engine.podman("logs", container, check=False)
    raise AssertionError(f"PostgreSQL never became ready\n{logs.stdout}{logs.stderr}")


@pytest.fixture(scope="module")
def scaled(mock_ohid_image):
    import uuid

    for name in ("postgres", "nginx"):
        engine.build(f"localhost/{engine.PREFIX}-{name}", IMAGES / name)
    names = ("OHID_PORT", "OHID_A_PORT", "OHID_B_PORT")
    ports = dict(zip(names, engine.published_ports(len(names)), strict=True))
    compose = Compose(
        f"{engine.PREFIX}-scale-{uuid.uuid4().hex[:8]}",
        RECIPE,
        {
            "MOCK_OHID_IMAGE": mock_ohid_image,
            "POSTGRES_IMAGE": f"localhost/{engine.PREFIX}-postgres",
            "NGINX_IMAGE": f"localhost/{engine.PREFIX}-nginx",
            **{name: str(port) for name, port in ports.items()},
        },
    )
    urls = {
        "balancer": f"http://localhost:{ports['OHID_PORT']}",
        "a": f"http://localhost:{ports['OHID_A_PORT']}",
        "b": f"http://localhost:{ports['OHID_B_PORT']}",
    }
    try:
        # podman-compose 1.0.3 ignores depends_on conditions: each wait is done here.
        compose.up("postgres")
        wait_for_postgres(compose)
        for service, url in (("ohid-a", urls["a"]), ("ohid-b", urls["b"])):
            compose.up(service)
            engine.wait_for_health(f"{url}/healthz", container=compose.container(service))
        compose.up("balancer")
        engine.wait_for_health(
            f"{urls['balancer']}/healthz", container=compose.container("balancer")
        )
        yield compose, urls
    finally:
        compose.down()


def test_sign_in_on_one_replica_then_single_sign_on_on_the_other(scaled):
    _, urls = scaled
    with requests.Session() as browser:
        response, verifier = authorize(browser, urls["a"], nonce="n-a")
        landed = sign_in(browser, urls["a"], response, "demo.provider")
        query = query_of(landed.headers["Location"])
        assert landed.headers["Location"].startswith(REDIRECT)
        # Every replica's issuer is the balancer's URL.
        assert query["iss"] == urls["balancer"]
        # The code made on A is redeemed on B: one database.
        assert redeem(urls["b"], query["code"], verifier).status_code == 200
        # The browser's SSO session from A is honoured by B without a sign-in.
        response, _ = authorize(browser, urls["b"], prompt="none", state="s-b")
        location = response.headers["Location"]
        assert location.startswith(REDIRECT) and "code" in query_of(location), location


def replica_logs(compose: Compose) -> dict[str, tuple[str, str]]:
    """Each replica's log so far: its standard output and its standard error (apart,
    as each grows on its own)."""
    logs = {}
    for service in ("ohid-a", "ohid-b"):
        done = engine.podman("logs", compose.container(service))
        logs[service] = (done.stdout, done.stderr)
    return logs


def lines_since(before: tuple[str, str], now: tuple[str, str]) -> str:
    """What a replica logged between ``before`` and ``now`` (``replica_logs``)."""
    return "".join(later[len(earlier) :] for earlier, later in zip(before, now, strict=True))


def test_sign_in_through_the_balancer_spreads_over_both_replicas(scaled):
    compose, urls = scaled
    base = urls["balancer"]
    before = replica_logs(compose)
    with requests.Session() as browser:
        response, verifier = authorize(browser, base, nonce="n-lb")
        landed = sign_in(browser, base, response, "demo.provider")
    code = query_of(landed.headers["Location"])["code"]
    tokens = redeem(base, code, verifier)
    assert tokens.status_code == 200, tokens.text
    # Signed with the key both replicas share through the keys volume.
    kid = id_token_header(base, tokens.json()["id_token"])["kid"]
    assert kid in requests.get(f"{urls['a']}/.well-known/jwks.json", timeout=10).text
    assert kid in requests.get(f"{urls['b']}/.well-known/jwks.json", timeout=10).text
    # Round robin: each replica answered some of this sign-in's requests.
    for service, log in replica_logs(compose).items():
        new = lines_since(before[service], log)
        assert "/signin" in new or "/token" in new or "/authorize" in new, f"{service}: {new}"
