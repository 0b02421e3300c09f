"""Password rotation (SPEC §3.6, §2): 90-day max age, 14-day warning, history of 5."""

from __future__ import annotations

from datetime import timedelta

import pytest

from idp.lifecycle.password_change import set_password
from idp.store import db
from idp.store.models import PasswordHistory, SsoSession, User
from tests.helpers import authorize_url
from tests.oidc.portal import CLAIMS_ONLINE
from tests.web.recovery_steps import NEW_PASSWORD, post, text

EXPIRED = "/recover/password/expired"
EXPIRING = "/recover/password/expiring"
REUSED = "Your new password cannot be the same as any of your last 5 passwords."


def _change(client, url, password, confirm=None):
    return post(
        client,
        url,
        new_password=password,
        confirm_password=password if confirm is None else confirm,
    )


def test_password_91_days_old_must_be_changed_before_sign_in_completes(
    client, sign_in, user_factory
):
    user_factory(username="old.password", password_age_days=91)
    response = sign_in("old.password")
    assert response.headers["Location"].endswith(EXPIRED)
    page = text(client.get(EXPIRED))
    for words in ("Your password has expired", "New password", "Type password again"):
        assert words in page
    assert "At least 1 number" in page
    # Not signed in yet: My Profile still asks for sign-in.
    assert SsoSession.query.count() == 0
    assert client.get("/profile").headers["Location"].endswith("/signin")


def test_changing_the_expired_password_completes_sign_in(client, sign_in, user_factory):
    user_factory(username="old.password", password_age_days=91)
    sign_in("old.password")
    response = _change(client, EXPIRED, NEW_PASSWORD)
    assert response.headers["Location"].endswith("/profile")
    assert "Your password has been changed." in text(client.get("/profile"))
    assert SsoSession.query.count() == 1


def test_expired_password_cannot_be_replaced_by_itself(client, sign_in, user_factory):
    user_factory(username="old.password", password_age_days=91)
    sign_in("old.password")
    response = _change(client, EXPIRED, "Password1")
    assert response.status_code == 400 and REUSED in text(response)
    assert 'aria-describedby="new_password-error new_password-rules"' in text(response)


def test_expired_password_must_meet_the_rules_and_match(client, sign_in, user_factory):
    user_factory(username="old.password", password_age_days=91)
    sign_in("old.password")
    weak = _change(client, EXPIRED, "short")
    assert weak.status_code == 400 and "Between 8 and 100 characters" in text(weak)
    differ = _change(client, EXPIRED, NEW_PASSWORD, "Different9")
    assert "The passwords you entered do not match." in text(differ)
    empty = _change(client, EXPIRED, "", "")
    assert "Enter a new password." in text(empty)


def test_expired_password_stops_the_user_before_the_portal(client, sign_in, user_factory):
    user_factory(username="old.password", password_age_days=91)
    client.get(authorize_url(*CLAIMS_ONLINE[::2], state="s1"))
    assert sign_in("old.password").headers["Location"].endswith(EXPIRED)
    # The new password completes the sign-in: the portal is answered at once.
    final = _change(client, EXPIRED, NEW_PASSWORD)
    assert final.headers["Location"].startswith(CLAIMS_ONLINE[2] + "?code=")


def test_password_expiring_while_signed_in_is_changed_before_the_next_portal(client, sign_in, user):
    sign_in("dana.provider")
    user.password_changed_at -= timedelta(days=91)
    db.session.commit()
    response = client.get(authorize_url(*CLAIMS_ONLINE[::2], state="s2"))
    assert response.headers["Location"].endswith(EXPIRED)
    assert client.get("/profile").headers["Location"].endswith(EXPIRED)
    resumed = _change(client, EXPIRED, NEW_PASSWORD)
    final = client.get(resumed.headers["Location"])
    assert final.headers["Location"].startswith(CLAIMS_ONLINE[2] + "?code=")


@pytest.mark.parametrize(
    "page",
    [
        "/profile",
        "/profile/sign-in-information",
        "/profile/verification-options",
        "/profile/security",
    ],
)
def test_every_my_profile_page_sends_an_expired_password_to_be_changed(client, sign_in, user, page):
    sign_in("dana.provider")
    user.password_changed_at -= timedelta(days=91)
    db.session.commit()
    response = client.get(page)
    assert response.headers["Location"].endswith(EXPIRED)
    assert "Your password has expired" in text(client.get(EXPIRED))


def test_qa_clock_moves_the_password_into_expiry(client, sign_in, user):
    assert client.post("/_qa/clock", json={"advance": "91d"}).status_code == 200
    # 91 days without a sign-in would also deactivate the account: say they signed in today.
    user.last_sign_in_at = client.application.extensions["mock_ohid.clock"].now()
    db.session.commit()
    assert sign_in("dana.provider").headers["Location"].endswith(EXPIRED)


def test_password_76_days_old_shows_the_banner_with_14_days_left(client, sign_in, user_factory):
    user_factory(username="aging.password", password_age_days=76)
    response = sign_in("aging.password")
    assert response.headers["Location"].endswith(EXPIRING)
    page = text(client.get(EXPIRING))
    assert "Your password expires in 14 days." in page
    assert 'href="#change-password">Change your password</a>' in page
    later = post(client, "/recover/password/expiring/later")
    assert later.headers["Location"].endswith("/profile")
    profile = text(client.get("/profile"))
    assert "Your password expires in 14 days." in profile
    assert 'href="/profile/sign-in-information#change-password">Change your password' in profile


def test_warning_page_changes_the_password_now(client, sign_in, user_factory):
    user_factory(username="aging.password", password_age_days=80)
    sign_in("aging.password")
    assert "Your password expires in 10 days." in text(client.get(EXPIRING))
    refused = _change(client, EXPIRING, "Password1")
    assert refused.status_code == 400 and REUSED in text(refused)
    done = _change(client, EXPIRING, NEW_PASSWORD)
    assert done.headers["Location"].endswith("/profile")
    assert "Your password expires" not in text(client.get("/profile"))


def test_warning_is_not_shown_again_when_sso_resumes_a_portal(client, sign_in, user_factory):
    user_factory(username="aging.password", password_age_days=76)
    sign_in("aging.password")
    post(client, "/recover/password/expiring/later")
    response = client.get(authorize_url(*CLAIMS_ONLINE[::2], state="s3"))
    assert response.headers["Location"].startswith(CLAIMS_ONLINE[2] + "?code=")


def test_password_75_days_old_gets_no_warning(client, sign_in, user_factory):
    user_factory(username="fresh.enough", password_age_days=75)
    assert sign_in("fresh.enough").headers["Location"].endswith("/profile")
    assert "Your password expires" not in text(client.get("/profile"))


def test_warning_appears_when_the_clock_reaches_the_window(client, sign_in, user, clock):
    clock.advance(days=76)
    user.last_sign_in_at = clock.now()
    db.session.commit()
    assert sign_in("dana.provider").headers["Location"].endswith(EXPIRING)
    assert "14 days" in text(client.get(EXPIRING))


def test_only_the_last_five_passwords_are_refused(user):
    for n in range(2, 7):
        set_password(user, f"Password{n}", f"Password{n}", reason="test")
    # Password1 is now the sixth newest: allowed again; Password2 is the fifth: refused.
    assert db.session.query(PasswordHistory).filter_by(user_id=user.id).count() == 5
    from idp.errors import PasswordReused

    try:
        set_password(user, "Password2", "Password2", reason="test")
    except PasswordReused as exc:
        assert exc.text == REUSED
    else:
        raise AssertionError("Password2 is one of the last 5 and must be refused")
    set_password(user, "Password1", "Password1", reason="test")


@pytest.fixture
def owes_second_factor(client):
    """An account with an expired password and an authenticator app: the second factor
    comes first in its sign-in journey."""
    response = client.post(
        "/_qa/users",
        json={
            "username": "old.password",
            "email": "old.password@example.com",
            "password": "Password1",
            "password_age_days": 91,
            "totp": True,
            "email_verified": True,
        },
    )
    assert response.status_code == 201, response.json
    return db.session.query(User).filter_by(username="old.password").one()


def test_expired_password_page_cannot_skip_an_earlier_step(client, sign_in, owes_second_factor):
    owner = owes_second_factor
    verify = "/signin/verify"
    assert sign_in("old.password").headers["Location"].endswith(verify)
    response = _change(client, EXPIRED, NEW_PASSWORD)
    assert response.headers["Location"].endswith(verify)
    assert post(client, "/recover/password/expiring/later").headers["Location"].endswith(verify)
    db.session.refresh(owner)
    assert owner.password_changed_at < owner.created_at
