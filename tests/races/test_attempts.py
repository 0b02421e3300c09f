"""Attempt limits under parallel requests: a burst of wrong answers released at once.

Each test prepares one browser at a step, copies its cookies into ``BURST``
sessions, and releases them together (a barrier) against a live
``mock-ohid serve --workers 2`` (gunicorn, two processes, four threads each)
on SQLite, and on PostgreSQL where its server binaries are installed. The
right answer goes in once the first answers of the burst are back, while the
rest are still being judged. Each test counts, from the audit events, how many
tries were judged, and checks that the right answer was refused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pytest
import requests

from idp.lifecycle.security_questions import QUESTIONS
from tests.helpers import csrf_token
from tests.live import clean_env, free_port, mock_ohid_command
from tests.postgres import NEEDS_POSTGRES

BURST = 40
LIMIT = 5  # lockout.max_failed_sign_ins, codes.max_attempts and security.alerts_per_hour (defaults)
TIMEOUT = 60
PASSWORD = "Password1"
ANSWERS = ("Rex", "Minneapolis", "Smith")

LOCKED = "Your One Healthcare ID is locked because of too many failed sign-in attempts."
CODE_DEAD = "Too many incorrect attempts. This code no longer works"
ANSWERS_BLOCKED = "Too many incorrect answers."


def _wait_until_up(url: str, process) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param("postgresql", marks=NEEDS_POSTGRES),
    ],
)
def server(request, tmp_path_factory):
    """The base URL of a live two-worker server on a fresh database."""
    workdir = tmp_path_factory.mktemp(f"races-{request.param}")
    env = {"MOCK_OHID_USERS_SEED": "false"}
    if request.param == "postgresql":
        env["MOCK_OHID_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    port = free_port()
    process = subprocess.Popen(
        [*mock_ohid_command(), "serve", "--port", str(port), "--workers", "2"],
        cwd=workdir,
        env=clean_env(MOCK_OHID_SERVER_ISSUER=f"http://127.0.0.1:{port}", **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/.well-known/openid-configuration", process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class Burst:
    """Posts to one form from ``BURST`` copies of a prepared browser, released together.

    ``wrong(i)`` is the form of the i-th wrong try; ``right`` goes in once ``LIMIT``
    answers have come back, while the others are still in flight.
    """

    def __init__(self, base: str, browser: requests.Session, path: str):
        self.url = base + path
        self.browser = browser
        self.token = csrf_token(browser.get(self.url, timeout=TIMEOUT).text)

    def _copy(self) -> requests.Session:
        copy = requests.Session()
        copy.cookies.update(self.browser.cookies)
        return copy

    def run(self, wrong, right: dict) -> tuple[list[requests.Response], requests.Response]:
        sessions = [self._copy() for _ in range(BURST)]
        barrier = threading.Barrier(BURST + 1)
        answered = threading.Semaphore(0)
        responses: list[requests.Response] = []
        last: list[requests.Response] = []

        def post(session, data, wait_for_limit=False):
            barrier.wait(timeout=TIMEOUT)
            if wait_for_limit:
                for _ in range(LIMIT):
                    answered.acquire(timeout=TIMEOUT)
            data = {"csrf_token": self.token, **data}
            response = session.post(self.url, data=data, allow_redirects=False, timeout=TIMEOUT)
            (last if wait_for_limit else responses).append(response)
            answered.release()

        threads = [
            threading.Thread(target=post, args=(sessions[i], wrong(i))) for i in range(BURST - 1)
        ]
        threads.append(threading.Thread(target=post, args=(sessions[-1], right, True)))
        for thread in threads:
            thread.start()
        barrier.wait(timeout=TIMEOUT)
        for thread in threads:
            thread.join(timeout=4 * TIMEOUT)
        assert len(responses) == BURST - 1 and len(last) == 1, "a request of the burst hung"
        return responses, last[0]


def _qa(base: str, method: str, path: str, **kwargs):
    response = requests.request(method, base + "/_qa" + path, timeout=TIMEOUT, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def _events(base: str, username: str, kind: str) -> list[dict]:
    return _qa(base, "GET", "/events", params={"user": username, "kind": kind})


def _new_user(base: str, name: str, **fields) -> str:
    username = f"race.{name}"
    _qa(
        base,
        "POST",
        "/users",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "email_verified": True,
            **fields,
        },
    )
    return username


def _post_form(browser: requests.Session, url: str, page=None, **data) -> requests.Response:
    token = csrf_token(browser.get(page or url, timeout=TIMEOUT).text)
    return browser.post(url, data={"csrf_token": token, **data}, timeout=TIMEOUT)


def _at_password_step(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    _post_form(browser, base + "/signin", identifier=username)
    return browser


def _back_to_sign_in(response: requests.Response) -> bool:
    return response.status_code == 302 and response.headers["Location"].endswith("/signin")


def _assert_statuses(responses, *allowed: int) -> None:
    assert {r.status_code for r in responses} <= set(allowed), [r.status_code for r in responses]


def test_password_burst_judges_at_most_the_limit_and_the_lock_wins(server):
    username = _new_user(server, "password")
    burst = Burst(server, _at_password_step(server, username), "/signin/password")
    responses, right = burst.run(lambda i: {"password": f"Wrong{i}xyz"}, {"password": PASSWORD})
    _assert_statuses(responses, 401, 403, 423)
    judged = _events(server, username, "sign_in_failed")
    assert len(judged) == LIMIT
    assert right.status_code != 302 and LOCKED in right.text
    assert _events(server, username, "sign_in") == []
    state = _qa(server, "GET", f"/users/{username}")
    assert state["locked"] is True and state["failed_sign_ins"] == LIMIT


def test_authenticator_code_burst_judges_at_most_the_limit_and_the_lock_wins(server):
    username = _new_user(server, "totp", totp=True)
    browser = _at_password_step(server, username)
    step = _post_form(browser, server + "/signin/password", password=PASSWORD)
    assert step.url.endswith("/signin/verify"), step.url
    burst = Burst(server, browser, "/signin/verify?method=authenticator")
    code = _qa(server, "GET", f"/users/{username}/totp")["code"]
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"
    responses, right = burst.run(lambda i: {"code": wrong_code}, {"code": code})
    # Once locked, the sign-in is dropped: later copies of the browser go back to Sign In.
    assert all(r.status_code in (401, 403) or _back_to_sign_in(r) for r in responses), [
        r.status_code for r in responses
    ]
    judged = _events(server, username, "verification_failed")
    assert len(judged) == LIMIT
    assert (right.status_code == 403 and LOCKED in right.text) or _back_to_sign_in(right)
    assert _events(server, username, "second_factor_passed") == []
    assert _qa(server, "GET", f"/users/{username}")["locked"] is True


def test_reset_code_burst_judges_at_most_the_limit_and_the_dead_code_wins(server):
    username = _new_user(server, "reset")
    browser = requests.Session()
    _post_form(browser, server + "/recover/password", identifier=username)
    _post_form(browser, server + "/recover/password/verify", method="email")
    sent = _qa(
        server,
        "GET",
        "/outbox/latest",
        params={"purpose": "password_reset", "to": f"{username}@example.com"},
    )
    wrong_code = f"{(int(sent['code']) + 1) % 1_000_000:06d}"
    burst = Burst(server, browser, "/recover/password/code")
    responses, right = burst.run(lambda i: {"code": wrong_code}, {"code": sent["code"]})
    _assert_statuses(responses, 400, 401)
    judged = _events(server, username, "code_rejected")
    assert len(judged) == LIMIT
    assert right.status_code != 302 and CODE_DEAD in right.text
    assert _events(server, username, "recovery_verified") == []


def test_security_answer_burst_judges_at_most_the_limit_and_the_block_wins(server):
    username = _new_user(server, "answers")
    browser = _at_password_step(server, username)
    _post_form(browser, server + "/signin/password", password=PASSWORD)
    pairs = {}
    for n, answer in enumerate(ANSWERS, start=1):
        pairs[f"question_{n}"] = QUESTIONS[n - 1]
        pairs[f"answer_{n}"] = answer
    saved = _post_form(
        browser, server + "/profile/security-questions", page=server + "/profile", **pairs
    )
    assert saved.status_code == 200 and "Your security questions have been saved." in saved.text
    recovering = requests.Session()
    _post_form(recovering, server + "/recover/password", identifier=username)
    _post_form(recovering, server + "/recover/password/verify", method="questions")
    burst = Burst(server, recovering, "/recover/password/questions")
    right = {f"answer_{n}": answer for n, answer in enumerate(ANSWERS, start=1)}
    responses, refused = burst.run(lambda i: {**right, "answer_3": f"Wrong{i}"}, right)
    _assert_statuses(responses, 400, 401, 429)
    judged = _events(server, username, "security_answers_failed")
    assert len(judged) == LIMIT
    assert refused.status_code != 302 and ANSWERS_BLOCKED in refused.text
    assert _events(server, username, "security_answers_passed") == []


def test_activation_code_burst_judges_at_most_the_limit_and_the_dead_code_wins(server):
    username = _new_user(server, "activation", email_verified=False)
    browser = _at_password_step(server, username)
    step = _post_form(browser, server + "/signin/password", password=PASSWORD)
    assert step.url.endswith("/register/verify-email"), step.url
    sent = _qa(
        server,
        "GET",
        "/outbox/latest",
        params={"purpose": "email_activation", "to": f"{username}@example.com"},
    )
    wrong_code = f"{(int(sent['code']) + 1) % 10**10:010d}"
    burst = Burst(server, browser, "/register/verify-email")
    responses, right = burst.run(lambda i: {"code": wrong_code}, {"code": sent["code"]})
    _assert_statuses(responses, 400)
    judged = _events(server, username, "code_rejected")
    assert len(judged) == LIMIT
    assert right.status_code != 302 and CODE_DEAD in right.text
    assert _qa(server, "GET", f"/users/{username}")["email_verified"] is False


def test_recovery_notice_burst_sends_at_most_the_hourly_cap(server):
    # Each "Forgot password" start sends the Account Recovery Attempt email (on by
    # default); security.alerts_per_hour caps them at LIMIT however many run at once.
    username = _new_user(server, "notices")
    burst = Burst(server, requests.Session(), "/recover/password")
    responses, last = burst.run(lambda i: {"identifier": username}, {"identifier": username})
    _assert_statuses([*responses, last], 302)
    assert len(_events(server, username, "recovery_started")) == BURST
    sent = _qa(
        server,
        "GET",
        "/outbox",
        params={"purpose": "account_recovery_attempt", "to": f"{username}@example.com"},
    )
    assert len(sent) == LIMIT
