"""`mock-ohid demo --portal NAME --issuer URL`: one demo portal against an issuer served
elsewhere, reaching it by a back-channel name of ``server.internal_hosts`` while the
browser uses the issuer's."""

from __future__ import annotations

import subprocess
import threading

import pytest
import requests
from click.testing import CliRunner
from werkzeug.serving import make_server

from idp.cli import main
from tests.conftest import make_test_app
from tests.interop.conftest import HTTP_TIMEOUT, follow, sign_in_by_form
from tests.live import clean_env, free_port, mock_ohid_command, stop_process, wait_for_http

CLIENT_ID = "optum-connect-claims-online"


def clients_file(folder, portal_port: int):
    path = folder / "clients.toml"
    path.write_text(
        f"""
[[client]]
client_id = "{CLIENT_ID}"
client_name = "Optum Connect - Claims Online Portal"
client_secret = "claims-online-demo-secret"
redirect_uris = ["http://localhost:{portal_port}/callback"]
post_logout_redirect_uris = ["http://localhost:{portal_port}/"]
trusted = true
"""
    )
    return path


@pytest.fixture
def split_issuer(tmp_path):
    """An issuer at http://localhost:PORT that backends reach as http://127.0.0.1:PORT."""
    port, portal_port = free_port(), free_port()
    clients = clients_file(tmp_path, portal_port)
    app = make_test_app(
        tmp_path,
        **{
            "server.issuer": f"http://localhost:{port}",
            "server.port": port,
            "server.internal_hosts": ["127.0.0.1"],
            "users.seed": True,
            "clients.file": str(clients),
        },
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, portal_port, clients
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_portal_alone_signs_in_through_the_split_issuer(tmp_path, split_issuer):
    port, portal_port, clients = split_issuer
    backend = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*mock_ohid_command(), "demo", "--portal", CLIENT_ID, "--issuer", backend]
        + ["--port", str(portal_port)],
        cwd=tmp_path,
        env=clean_env(MOCK_OHID_CLIENTS_FILE=str(clients)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    portal = f"http://localhost:{portal_port}"
    try:
        wait_for_http(f"{portal}/", process)
        with requests.Session() as browser:
            start = browser.get(f"{portal}/login", allow_redirects=False, timeout=HTTP_TIMEOUT)
            # The browser is sent to the issuer's public URL, not the back-channel name.
            assert start.headers["Location"].startswith(f"http://localhost:{port}/authorize?")
            page = follow(browser, start, stop_at=None)
            landed = sign_in_by_form(browser, page, "demo.provider", "Password1")
            assert landed.url == f"{portal}/", landed.url
            # Authlib checked the ID token's iss against the issuer discovery named.
            assert "demo.provider" in landed.text, landed.text[:500]
    finally:
        stop_process(process)
    output = process.communicate(timeout=10)[0]
    assert f"Claims Online Portal at {portal}/" in output, output
    assert f"issuer at {backend}" in output


def test_unknown_portal_names_the_choices(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--portal", "nope", "--issuer", "http://x:1"])
    assert result.exit_code == 2
    assert "no demo portal 'nope'; choose one of: optum-connect-claims-online" in result.output


def test_issuer_without_portal_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--issuer", "http://x:1"])
    assert result.exit_code == 2
    assert "--issuer, --host and --port go with --portal" in result.output
