"""Default scopes and when a token response carries a refresh token."""

from __future__ import annotations

from idp.policy.scopes import default_scopes_of, gets_refresh_token, with_default_scopes


def test_a_clients_own_default_scopes_win_even_when_empty():
    assert default_scopes_of([], strict=False, server_default=["profile", "email"]) == []
    assert default_scopes_of(["portal"], strict=True, server_default=["profile"]) == ["portal"]


def test_strict_clients_get_no_server_default_scopes():
    assert default_scopes_of(None, strict=True, server_default=["profile", "email"]) == []
    assert default_scopes_of(None, strict=False, server_default=["profile"]) == ["profile"]


def test_defaults_join_only_openid_requests_and_keep_the_order():
    assert with_default_scopes(["openid"], ["profile", "email"]) == ["openid", "profile", "email"]
    assert with_default_scopes(["openid", "email"], ["profile", "email"]) == [
        "openid",
        "email",
        "profile",
    ]
    assert with_default_scopes(["portal"], ["profile"]) == ["portal"]


def test_refresh_tokens_at_code_exchange_and_refresh_for_clients_with_the_grant():
    for grant in ("authorization_code", "refresh_token"):
        assert gets_refresh_token(
            grant, may_refresh=True, scopes=["openid"], requires_offline_access=False
        )
    assert not gets_refresh_token(
        "authorization_code", may_refresh=False, scopes=["offline_access"],
        requires_offline_access=False,
    )  # fmt: skip
    assert not gets_refresh_token(
        "client_credentials", may_refresh=True, scopes=[], requires_offline_access=False
    )


def test_the_strict_reading_needs_offline_access():
    assert not gets_refresh_token(
        "authorization_code", may_refresh=True, scopes=["openid"], requires_offline_access=True
    )
    assert gets_refresh_token(
        "authorization_code", may_refresh=True, scopes=["offline_access"],
        requires_offline_access=True,
    )  # fmt: skip
