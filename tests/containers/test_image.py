"""The image as a team runs it: `podman run -p`, sign in from the host with a strict portal
(Authlib's client, PyJWT's checks), the QA API by token, the volumes kept across a new
container, and `podman stop` ending it at once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests

from tests.containers import engine
from tests.containers.conftest import NEEDS_ENGINE
from tests.interop.test_authlib_pyjwt_portal import CLIENT_ID, REDIRECT, SECRET, _portal_login

pytestmark = NEEDS_ENGINE

QA_TOKEN = "container-qa-token-0123456789"


class Running:
    """One mock-ohid container published on a loopback port, with named volumes."""

    def __init__(self, image: str, name: str):
        self.image, self.base_name = image, name
        (self.port,) = engine.published_ports(1)
        self.issuer = f"http://localhost:{self.port}"
        self.names: list[str] = []

    def start(self) -> str:
        name = f"{self.base_name}-{len(self.names)}"
        self.names.append(name)
        engine.podman(
            "run",
            "-d",
            "--name",
            name,
            "-p",
            f"127.0.0.1:{self.port}:8765",
            "-v",
            f"{self.base_name}-instance:/data/instance",
            "-v",
            f"{self.base_name}-keys:/data/keys",
            "-e",
            f"MOCK_OHID_SERVER_ISSUER={self.issuer}",
            "-e",
            "MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE=fast",
            "-e",
            f"MOCK_OHID_QA_TOKEN={QA_TOKEN}",
            self.image,
        )
        engine.wait_for_health(f"http://127.0.0.1:{self.port}/healthz", container=name)
        return name

    def exec(self, *args: str) -> str:
        return engine.podman("exec", self.names[-1], *args).stdout

    def remove(self) -> None:
        engine.remove_containers(*self.names)
        volumes = [f"{self.base_name}-instance", f"{self.base_name}-keys"]
        engine.podman("volume", "rm", "-f", *volumes, check=False)


@pytest.fixture(scope="module")
def running(mock_ohid_image):
    import uuid

    served = Running(mock_ohid_image, f"{engine.PREFIX}-image-{uuid.uuid4().hex[:8]}")
    try:
        served.start()
        yield served
    finally:
        served.remove()


def test_image_is_configured_for_a_non_root_server_with_volumes_and_a_healthcheck(
    mock_ohid_image,
):
    image = engine.inspect(mock_ohid_image)
    config = image["Config"]
    assert config["User"] == "ohid"
    assert set(config["Volumes"]) == {"/data/instance", "/data/keys"}
    assert "8765/tcp" in config["ExposedPorts"]
    # Kept only in the docker format (podman build --format docker).
    assert image["Healthcheck"]["Test"][:2] == ["CMD", "python3"]
    assert config["Entrypoint"][0] == "/usr/bin/tini" and config["Cmd"] == ["serve"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["MOCK_OHID_SERVER_HOST"] == "0.0.0.0" and env["MOCK_OHID_SERVER_PORT"] == "8765"
    # The build's certificate authority for pip is a build argument, not the image's.
    assert "PIP_CERT" not in env


def test_server_runs_as_the_unprivileged_user(running):
    assert running.exec("id", "-un").strip() == "ohid"
    assert running.exec("python3", "-c", "import os; print(os.getuid())").strip() != "0"


def test_healthcheck_passes(running):
    done = engine.podman("healthcheck", "run", running.names[-1], check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def create_user(running: Running, username: str) -> None:
    """Through the QA API on the published port, which a container opens by qa.token."""
    made = requests.post(
        f"{running.issuer}/_qa/users",
        json={
            "username": username,
            "email": f"{username}@example.test",
            "password": "Interop1pass",
            "email_verified": True,
        },
        headers={"Authorization": f"Bearer {QA_TOKEN}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text


def test_strict_portal_signs_in_through_the_published_port(running):
    create_user(running, "container.user")
    running.exec(
        "mock-ohid", "clients", "add", "--id", CLIENT_ID, "--secret", SECRET,
        "--redirect-uri", REDIRECT, "--trusted",
    )  # fmt: skip
    claims = _portal_login(SimpleNamespace(issuer=running.issuer), "container.user")
    # PyJWT checked aud, iss, the signature and the times; the issuer is the published one.
    assert claims["iss"] == running.issuer


def jwks_kids(running: Running) -> set[str]:
    keys = requests.get(f"{running.issuer}/.well-known/jwks.json", timeout=10).json()["keys"]
    return {key["kid"] for key in keys}


def test_stop_ends_the_server_by_sigterm_and_the_volumes_outlive_the_container(running):
    create_user(running, "kept.user")
    kids = jwks_kids(running)
    engine.podman("stop", "-t", "15", running.names[-1], timeout=60)
    # Exit code 0: the server stopped on SIGTERM within podman's 15 s; one that ignored
    # it would have been killed then (137).
    state = engine.inspect(running.names[-1])["State"]
    assert state["ExitCode"] == 0, state
    running.start()
    assert jwks_kids(running) == kids
    assert "kept.user" in running.exec("mock-ohid", "users", "show", "kept.user")
