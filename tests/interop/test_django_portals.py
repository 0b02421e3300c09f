"""A minimal Django portal (tests/interop/django_portal) signing in to mock-ohid
with mozilla-django-oidc and with django-allauth's ``openid_connect`` provider,
each given only what its documentation asks of any OpenID Connect provider.
One project, one migrated database and one gunicorn serve both."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import requests

from tests.interop.conftest import HTTP_TIMEOUT, follow, new_user, newcomer_client, sign_in_by_form
from tests.interop.rp_process import INTEROP, start_wsgi
from tests.live import clean_env, free_port

pytestmark = pytest.mark.interop

PROJECT = INTEROP / "django_portal"
MOZILLA = "mozilla-django-portal"
ALLAUTH = "allauth-portal"


@pytest.fixture(scope="module")
def django_project(shared_ohid, tmp_path_factory):
    """The Django project's environment and migrated database, its two clients
    registered as a newcomer would (``clients add`` with defaults, endpoints
    copied from discovery); the port it is registered for."""
    data = tmp_path_factory.mktemp("django")
    port = free_port()
    origin = f"http://localhost:{port}"
    metadata = requests.get(
        f"{shared_ohid.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
    ).json()
    mozilla_secret = newcomer_client(
        shared_ohid,
        MOZILLA,
        f"{origin}/oidc/callback/",
        "--post-logout-redirect-uri",
        f"{origin}/signed-out/",
    )
    allauth_secret = newcomer_client(
        shared_ohid, ALLAUTH, f"{origin}/accounts/oidc/ohid/login/callback/"
    )
    env = dict(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_DATA_DIR=str(data),
        OHID_ISSUER=shared_ohid.issuer,
        OHID_AUTHORIZATION_ENDPOINT=metadata["authorization_endpoint"],
        OHID_TOKEN_ENDPOINT=metadata["token_endpoint"],
        OHID_USERINFO_ENDPOINT=metadata["userinfo_endpoint"],
        OHID_JWKS_URI=metadata["jwks_uri"],
        OHID_END_SESSION_ENDPOINT=metadata["end_session_endpoint"],
        MOZILLA_CLIENT_ID=MOZILLA,
        MOZILLA_CLIENT_SECRET=mozilla_secret,
        ALLAUTH_CLIENT_ID=ALLAUTH,
        ALLAUTH_CLIENT_SECRET=allauth_secret,
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env=clean_env(**env, PYTHONPATH=str(PROJECT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    return env, data, port


@pytest.fixture(scope="module")
def django_portal(django_project):
    """The Django project served by gunicorn."""
    env, data, port = django_project
    rp = start_wsgi(PROJECT, "portal.wsgi", data / "portal.log", port, **env)
    try:
        yield rp
    finally:
        rp.stop()


def _get(browser: requests.Session, url: str) -> requests.Response:
    return follow(browser, browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT), None)


def test_mozilla_django_oidc_signs_in_reads_userinfo_and_signs_out(shared_ohid, django_portal):
    user = new_user(shared_ohid, "mozilla.user")
    browser = requests.Session()
    page = _get(browser, f"{django_portal.url}/oidc/authenticate/")
    answer = sign_in_by_form(browser, page, user["username"])
    assert answer.url == f"{django_portal.url}/me/", f"{answer.url}\n{django_portal.output()}"
    me = answer.json()
    # The user exists because the ID token passed its checks (RS256, JWKS) and
    # userinfo gave the email mozilla-django-oidc matches users on.
    assert me["signed_in"] and me["email"] == user["email"]
    assert me["id_token"]

    logout = browser.post(
        f"{django_portal.url}/oidc/logout/",
        data={"csrfmiddlewaretoken": me["csrf_token"]},
        headers={"Referer": f"{django_portal.url}/me/"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    out = follow(browser, logout, None)
    assert out.url == f"{django_portal.url}/signed-out/", out.url
    assert out.json() == {"signed_in": False}
    again = _get(browser, f"{django_portal.url}/oidc/authenticate/")
    assert "/signin" in again.url, again.url


def test_django_allauth_openid_connect_signs_in_with_the_id_token_and_userinfo_and_out(
    shared_ohid, django_portal
):
    user = new_user(shared_ohid, "allauth.user")
    browser = requests.Session()
    # allauth asks for a POST to start a login (SOCIALACCOUNT_LOGIN_ON_GET is off).
    confirm = _get(browser, f"{django_portal.url}/accounts/oidc/ohid/login/")
    start = browser.post(
        confirm.url,
        data={"csrfmiddlewaretoken": _csrf_django(confirm.text)},
        headers={"Referer": confirm.url},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    page = follow(browser, start, None)
    answer = sign_in_by_form(browser, page, user["username"])
    assert answer.url == f"{django_portal.url}/me/", (
        f"{answer.url} {answer.text[:800]}\n{django_portal.output()}"
    )
    me = answer.json()
    assert me["signed_in"] and me["email"] == user["email"]
    (account,) = me["socialaccounts"]
    # allauth checked the ID token (issuer, audience, expiry) and fetched userinfo.
    assert account["extra_data"]["id_token"]["iss"] == shared_ohid.issuer
    assert account["extra_data"]["userinfo"]["sub"] == account["uid"]

    # allauth's logout is the portal's own (it has no RP-initiated logout).
    out = browser.post(
        f"{django_portal.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": me["csrf_token"]},
        headers={"Referer": f"{django_portal.url}/me/"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert out.status_code == 302, out.text[:300]
    assert browser.get(f"{django_portal.url}/me/", timeout=HTTP_TIMEOUT).status_code == 401


def _csrf_django(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def test_mozilla_django_oidc_left_at_hs256_refuses_the_rs256_id_token(shared_ohid, django_project):
    """The same project with OIDC_RP_SIGN_ALGO at the library's default."""
    project_env, data, _ = django_project
    env = dict(project_env, OIDC_RP_SIGN_ALGO="HS256")
    port = free_port()
    origin = f"http://localhost:{port}"
    env["MOZILLA_CLIENT_SECRET"] = newcomer_client(
        shared_ohid, "mozilla-hs256", f"{origin}/oidc/callback/"
    )
    env["MOZILLA_CLIENT_ID"] = "mozilla-hs256"
    rp = start_wsgi(PROJECT, "portal.wsgi", data / "hs256.log", port, **env)
    try:
        user = new_user(shared_ohid, "mozilla.hs256")
        browser = requests.Session()
        page = _get(browser, f"{rp.url}/oidc/authenticate/")
        answer = sign_in_by_form(browser, page, user["username"])
        assert answer.status_code == 400 and "/oidc/callback/" in answer.url
        assert (
            "The provider algorithm 'RS256' does not match the client's OIDC_RP_SIGN_ALGO."
            in rp.output()
        )
    finally:
        rp.stop()


def test_mozilla_django_oidc_session_refresh_signs_in_again_without_a_page(
    shared_ohid, django_project
):
    """SessionRefresh sends the user to OHID with prompt=none once the renewal
    time passes; OHID's SSO session answers with a code at once."""
    project_env, data, _ = django_project
    renew = 5
    port = free_port()
    origin = f"http://localhost:{port}"
    env = dict(
        project_env,
        OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS=str(renew),
        MOZILLA_CLIENT_ID="mozilla-refresh",
        MOZILLA_CLIENT_SECRET=newcomer_client(
            shared_ohid, "mozilla-refresh", f"{origin}/oidc/callback/"
        ),
    )
    rp = start_wsgi(PROJECT, "portal.wsgi", data / "refresh.log", port, **env)
    try:
        user = new_user(shared_ohid, "mozilla.refresh")
        browser = requests.Session()
        page = _get(browser, f"{rp.url}/oidc/authenticate/")
        first = sign_in_by_form(browser, page, user["username"])
        signed_in_at = time.time()
        assert first.url == f"{rp.url}/me/", f"{first.url}\n{rp.output()}"
        remaining = signed_in_at + renew - time.time()
        if remaining > 0:
            # mozilla-django-oidc reads the real clock for the renewal time.
            time.sleep(remaining)
        again = _get(browser, f"{rp.url}/me/")
    finally:
        rp.stop()
    assert again.url == f"{rp.url}/me/", again.url
    assert again.json()["email"] == user["email"]
    assert again.json()["id_token"] != first.json()["id_token"]
