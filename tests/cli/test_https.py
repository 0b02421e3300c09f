"""`mock-ohid serve --https` as portal teams use it: their library, the local CA
trusted through the library's own documented setting, a full login."""

from __future__ import annotations

import secrets
import ssl
import stat
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import jwt
import msal
import pytest
import requests
from cryptography import x509
from requests_oauthlib import OAuth2Session

from tests.live import clean_env, mock_ohid_command, served_processes
from tests.oidc.test_rp_authlib import _browser_sign_in


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    """`mock-ohid serve --https --port 0` in a fresh folder: (issuer, CA path, process)."""
    folder = tmp_path_factory.mktemp("https")
    with served_processes(folder, MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast") as start:
        served = start("--https", "--port", "0")
        port = served.port()
        yield f"https://localhost:{port}", folder / "keys" / "tls" / "ca.pem", served


@pytest.fixture
def no_global_bundle(monkeypatch):
    """A newcomer's environment: no REQUESTS_CA_BUNDLE of the machine's (requests lets it
    win over a session's own ``verify``, which is how these libraries take a CA)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def test_https_banner_names_the_ca_and_how_to_trust_it(https_server):
    issuer, ca, served = https_server
    output = served.output
    assert f"mock-ohid issuer: {issuer}" in output
    assert f"CA certificate: {ca}" in output
    for needle in (
        "update-ca-certificates",
        "security add-trusted-cert",
        "certutil -user -addstore Root",
        f"REQUESTS_CA_BUNDLE={ca}",
        f"SSL_CERT_FILE={ca}",
        f"NODE_EXTRA_CA_CERTS={ca}",
        "keytool -importcert",
    ):
        assert needle in output
    assert f"Listening on https://127.0.0.1:{issuer.rsplit(':', 1)[1]}" in output


def test_local_ca_is_name_constrained_and_its_key_private(https_server):
    _, ca, _ = https_server
    cert = x509.load_pem_x509_certificate(ca.read_bytes())
    constraints = cert.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    permitted = {str(name.value) for name in constraints.value.permitted_subtrees}
    assert permitted == {"localhost", "127.0.0.1/32", "::1/128"}
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for key in (ca.parent / "ca-key.pem", ca.parent / "server-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    server = x509.load_pem_x509_certificate((ca.parent / "server.pem").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(name.value) for name in names} == {"localhost", "127.0.0.1", "::1"}


def test_the_ca_command_prints_the_ca_certificate(https_server):
    _, ca, _ = https_server
    result = subprocess.run(
        [*mock_ohid_command(), "ca"],
        cwd=ca.parent.parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ca.read_text()


def test_a_client_that_does_not_trust_the_ca_is_refused(https_server, no_global_bundle):
    issuer, _, _ = https_server
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{issuer}/healthz", timeout=30)


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")
def test_msal_python_signs_in_with_a_generic_oidc_authority(https_server, no_global_bundle):
    issuer, ca, _ = https_server
    # MSAL's generic authority must have a path segment (https://host/tenant); it reads
    # discovery below it and accepts the issuer of the same scheme and host.
    app = msal.ConfidentialClientApplication(
        "optum-pro",
        client_credential="optum-pro-demo-secret",
        oidc_authority=f"{issuer}/ohid",
        verify=str(ca),
    )
    redirect_uri = "http://localhost:5003/callback"
    flow = app.initiate_auth_code_flow(["email"], redirect_uri=redirect_uri)
    browser = requests.Session()
    browser.verify = str(ca)
    callback = _browser_sign_in(
        browser, flow["auth_uri"], "demo.provider", "Password1", redirect_uri=redirect_uri
    )
    result = app.acquire_token_by_auth_code_flow(flow, dict(parse_qsl(urlsplit(callback).query)))
    assert "error" not in result, result
    claims = result["id_token_claims"]
    assert claims["iss"] == issuer and claims["preferred_username"] == "demo.provider"
    userinfo = requests.get(
        f"{issuer}/userinfo",
        headers={"Authorization": f"Bearer {result['access_token']}"},
        verify=str(ca),
        timeout=30,
    )
    assert userinfo.json()["sub"] == claims["sub"]
    refreshed = app.acquire_token_by_refresh_token(result["refresh_token"], ["email"])
    assert "access_token" in refreshed, refreshed


def test_requests_oauthlib_signs_in_and_pyjwt_validates_the_id_token(
    https_server, no_global_bundle
):
    issuer, ca, _ = https_server
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", verify=str(ca), timeout=30)
    meta = meta.json()
    redirect_uri = "http://localhost:5001/callback"
    portal = OAuth2Session(
        "optum-connect-claims-online", redirect_uri=redirect_uri, scope="openid profile email"
    )
    portal.verify = str(ca)
    nonce = secrets.token_urlsafe(16)
    url, state = portal.authorization_url(meta["authorization_endpoint"], nonce=nonce)
    browser = requests.Session()
    browser.verify = str(ca)
    callback = _browser_sign_in(browser, url, "demo.provider", "Password1", redirect_uri)
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state]
    token = portal.fetch_token(
        meta["token_endpoint"],
        code=query["code"][0],
        client_secret="claims-online-demo-secret",
    )
    signing_key = jwt.PyJWKClient(
        meta["jwks_uri"], ssl_context=ssl.create_default_context(cafile=str(ca))
    ).get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(
        token["id_token"],
        signing_key.key,
        algorithms=meta["id_token_signing_alg_values_supported"],
        audience="optum-connect-claims-online",
        issuer=issuer,
    )
    assert claims["nonce"] == nonce
    userinfo = portal.get(meta["userinfo_endpoint"], timeout=30).json()
    assert userinfo["sub"] == claims["sub"] and userinfo["email"] == "demo.provider@example.com"


def test_own_certificate_is_served_with_cert_and_key(tmp_path, no_global_bundle):
    from idp.local_ca import ensure_server_certificate

    # A team's own certificate: here one made by a CA of theirs in another folder.
    theirs = ensure_server_certificate(tmp_path / "their-pki", None)
    with served_processes(tmp_path, MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast") as start:
        served = start("--port", "0", "--cert", str(theirs.cert), "--key", str(theirs.key))
        port = served.port()
        answer = requests.get(
            f"https://localhost:{port}/healthz", verify=str(theirs.ca), timeout=60
        )
        assert answer.status_code == 200
        meta = requests.get(
            f"https://localhost:{port}/.well-known/openid-configuration",
            verify=str(theirs.ca),
            timeout=30,
        ).json()
        assert meta["issuer"] == f"https://localhost:{port}"
        assert f"HTTPS with your certificate {theirs.cert}" in served.output
    assert not (Path(tmp_path) / "keys" / "tls").exists()


def test_the_debugger_reaches_its_own_https_issuer(https_server, no_global_bundle):
    from tests.helpers import csrf_token

    issuer, ca, _ = https_server
    browser = requests.Session()
    browser.verify = str(ca)
    page = browser.get(f"{issuer}/_qa/debugger", timeout=30)
    assert page.status_code == 200
    started = browser.post(
        f"{issuer}/_qa/debugger",
        data={
            "csrf_token": csrf_token(page.text),
            "client_id": "optum-pro",
            "client_secret": "optum-pro-demo-secret",
            "scope": "openid profile email",
            "prompt": "",
            "acr_values": "",
            "start": "Start login",
        },
        allow_redirects=False,
        timeout=30,
    )
    # Discovery fetched by the server from itself over HTTPS: on to the authorization.
    assert started.status_code == 302, started.status_code
    assert started.headers["Location"].startswith(f"{issuer}/authorize?")
