"""prompt=create (Initiating User Registration via OpenID Connect 1.0): the portal sends
the user straight to Create One Healthcare ID and gets a code for the new account."""

from __future__ import annotations

from idp.store.models import Interaction
from tests.helpers import authorize_url, pkce_pair, query_of
from tests.oidc.portal import CLAIMS_ONLINE, decode_id_token, exchange, get_code
from tests.web.registration_helpers import (
    continue_after_email,
    continue_after_phone,
    continue_past_security_offer,
    latest,
    post_form,
    register,
    verify_email_by_code,
)


def test_prompt_create_opens_create_one_healthcare_id(client, db):
    response = client.get(authorize_url(prompt="create", state="c1"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/register")
    # Kept in the browser's cookie until the registrant's first step writes it.
    assert db.session.query(Interaction).count() == 0
    assert "Create One Healthcare ID" in client.get("/register").get_data(as_text=True)


def test_registration_from_prompt_create_returns_to_the_portal_with_a_code(client, db):
    verifier, challenge = pkce_pair()
    client.get(
        authorize_url(
            prompt="create",
            state="c2",
            nonce="n2",
            scope="openid profile email phone",
            code_challenge=challenge,
            code_challenge_method="S256",
        )
    )
    register(client)
    verify_email_by_code(client)
    continue_after_email(client)
    post_form(client, "/register/verify-phone", "/register/verify-phone/send", method="sms")
    code = latest(client, channel="sms")["code"]
    response = post_form(client, "/register/verify-phone", "/register/verify-phone", code=code)
    response = continue_after_phone(client, response)
    # The last registration page answers the portal.
    response = continue_past_security_offer(client, response)
    location = response.headers["Location"]
    assert location.startswith(CLAIMS_ONLINE[2])
    query = query_of(location)
    assert query["state"] == "c2" and query["code"]
    tokens = exchange(client, query["code"], verifier).json
    claims = decode_id_token(client, tokens["id_token"])["claims"]
    assert claims["preferred_username"] == "quinn.clinician"
    assert claims["email"] == "quinn@example.com" and claims["email_verified"] is True
    assert claims["phone_number"] == "+16125550199" and claims["nonce"] == "n2"
    assert db.session.query(Interaction).count() == 0


def test_prompt_create_with_a_signed_in_user_still_opens_registration(client, sign_in, user):
    get_code(client, sign_in)
    response = client.get(authorize_url(prompt="create"))
    assert response.headers["Location"].endswith("/register")


def test_prompt_create_with_none_is_an_invalid_request(client):
    response = client.get(authorize_url(prompt="none create", state="x"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request" and query["state"] == "x"


def test_cancelled_registration_can_sign_in_instead_and_still_get_the_code(client, sign_in, user):
    client.get(authorize_url(prompt="create", state="c3"))
    assert "/signin" in client.get("/register").get_data(as_text=True)
    response = sign_in("dana.provider")
    query = query_of(response.headers["Location"])
    assert query["state"] == "c3" and query["code"]
