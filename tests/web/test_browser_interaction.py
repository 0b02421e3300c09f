"""The interaction a browser is in: kept in its session cookie until its first
write, then a row named by uid; the page that completes the sign-in answers the
portal itself."""

from __future__ import annotations

from flask import request
from sqlalchemy import event

from idp.store.models import AuthorizationCode, Interaction, SsoSession
from tests.helpers import SignIn as SignInPages
from tests.helpers import authorize_url, query_of
from tests.oidc.portal import CLAIMS_ONLINE, exchange


def _interactions(db) -> int:
    db.session.rollback()
    return db.session.query(Interaction).count()


def test_a_portal_request_is_kept_in_the_browser_and_not_written(client, db):
    response = client.get(authorize_url(state="kept", login_hint="dana.provider"))
    assert "/signin?interaction=" in response.headers["Location"]
    assert _interactions(db) == 0
    with client.session_transaction() as state:
        kept = state["interaction"]
    assert kept["client_id"] == CLAIMS_ONLINE[0] and kept["params"]["state"] == ["kept"]
    # The sign-in page reads the request from the cookie: the hint is prefilled.
    assert 'value="dana.provider"' in client.get("/signin").get_data(as_text=True)
    assert _interactions(db) == 0


def test_the_password_page_answers_the_portal_and_leaves_no_interaction(client, db, sign_in, user):
    client.get(authorize_url(state="direct"))
    response = sign_in("dana.provider")
    location = response.headers["Location"]
    assert location.startswith(CLAIMS_ONLINE[2] + "?")
    query = query_of(location)
    assert query["state"] == "direct" and query["code"]
    assert _interactions(db) == 0
    code = db.session.query(AuthorizationCode).one()
    # The code is written with the SSO session it names.
    assert db.session.get(SsoSession, code.sid) is not None
    with client.session_transaction() as state:
        assert "interaction" not in state
    assert exchange(client, query["code"]).status_code == 200


def test_a_login_commits_three_times(app, client, db, sign_in, user):
    commits: list[str] = []
    engine = db.engine

    def record(*_):
        commits.append(request.path)

    event.listen(engine, "commit", record)
    try:
        client.get(authorize_url())
        client.get("/signin")
        code = query_of(sign_in("dana.provider").headers["Location"])["code"]
        assert exchange(client, code).status_code == 200
    finally:
        event.remove(engine, "commit", record)
    # The sign-in try, claimed before the password's check; then the SSO session and
    # the code together; then the code claimed with its tokens.
    assert commits == ["/signin/password", "/signin/password", "/token"]


def test_a_request_too_large_for_the_cookie_is_written_at_once(client, db, sign_in, user):
    state = "s" * 3000
    response = client.get(authorize_url(state=state))
    assert "/signin?interaction=" in response.headers["Location"]
    assert _interactions(db) == 1
    with client.session_transaction() as session:
        assert isinstance(session["interaction"], str)
    query = query_of(sign_in("dana.provider").headers["Location"])
    assert query["state"] == state and query["code"]
    assert _interactions(db) == 0


def test_the_first_change_writes_the_interaction_and_the_row_wins_over_the_cookie(
    client, db, sign_in, user_factory
):
    user_factory(username="late.verifier", email="late@example.com", email_verified=False)
    client.get(authorize_url(state="first-write"))
    with client.session_transaction() as session:
        uid = session["interaction"]["uid"]
    # The password is right but the email is not verified yet: the sign-in is
    # recorded on the interaction, which is written.
    assert sign_in("late.verifier").headers["Location"].endswith("/register/verify-email")
    stored = db.session.get(Interaction, uid)
    assert stored is not None and stored.sign_in["user_id"]


def test_a_cookie_replayed_after_the_portal_was_answered_must_sign_in_again(
    app, client, sign_in, user
):
    response = client.get(authorize_url(state="replay"))
    with client.session_transaction() as session:
        before = dict(session)
    uid = before["interaction"]["uid"]
    assert query_of(sign_in("dana.provider").headers["Location"])["code"]
    replaying = app.test_client()
    with replaying.session_transaction() as session:
        session.update(before)
    response = replaying.get(f"/authorize/resume/{uid}")
    assert "/signin?interaction=" in response.headers["Location"]
    assert "code=" not in response.headers["Location"]


def test_a_cookie_copy_of_another_shape_is_no_interaction(client):
    with client.session_transaction() as session:
        session["interaction"] = {"uid": "x" * 32, "params": "not a dict"}
    page = client.get("/authorize/resume/" + "x" * 32)
    assert page.status_code == 400
    assert "This sign-in request has expired" in page.get_data(as_text=True)


def password_sent_twice(app, monkeypatch, username: str):
    """Two password requests of one browser (a double click) that both write its
    interaction for the first time: the second read it before the first one's
    commit. Returns the second answer and the stored interaction's sign-in."""
    from idp.lifecycle import interactions
    from idp.store import db

    client = app.test_client()
    client.get(authorize_url(state="twice"))
    SignInPages(client).identifier(username)
    with client.session_transaction() as session:
        copied = dict(session)
    uid = copied["interaction"]["uid"]
    twin = app.test_client()
    with twin.session_transaction() as session:
        session.update(copied)
    first = SignInPages(client).password("Password1")
    assert first.headers["Location"].endswith("/register/verify-email")
    read = interactions.interaction_by_uid
    missed: list[str] = []

    def read_before_the_first_commit(u):
        if u == uid and not missed:
            missed.append(u)
            return None
        return read(u)

    monkeypatch.setattr(interactions, "interaction_by_uid", read_before_the_first_commit)
    answer = SignInPages(twin).password("Password1")
    db.session.rollback()
    return answer, db.session.query(Interaction).filter_by(uid=uid).one().sign_in


def test_a_form_sent_twice_writes_the_interaction_once_and_both_answers_go_on(
    app, user_factory, monkeypatch
):
    user_factory(username="late.verifier", email="late@example.com", email_verified=False)
    answer, sign_in = password_sent_twice(app, monkeypatch, "late.verifier")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert answer.headers["Location"].endswith("/register/verify-email")
    assert sign_in["user_id"]
