"""Settings layering and validation (SPEC §2)."""

from __future__ import annotations

import pytest

from idp.settings import SettingsError, load_settings


def test_defaults_match_the_spec():
    s = load_settings(environ={})
    assert s.issuer == "http://localhost:8765"
    assert s.server.host == "127.0.0.1" and s.server.port == 8765
    assert s.database.url == "sqlite:///instance/mock-ohid.db"
    assert (s.username.min_length, s.username.max_length) == (6, 50)
    assert (s.password.min_length, s.password.max_length) == (8, 100)
    assert (s.password.max_age_days, s.password.warn_days, s.password.history) == (90, 14, 5)
    assert (s.codes.email_activation_digits, s.codes.otp_digits) == (10, 6)
    assert (s.codes.otp_minutes, s.codes.max_attempts) == (10, 5)
    assert (s.codes.resend_cooldown_seconds, s.codes.resend_per_hour) == (30, 5)
    assert (s.lockout.max_failed_sign_ins, s.lockout.lock_minutes) == (5, 30)
    assert (s.session.idle_minutes, s.session.absolute_hours) == (30, 12)
    assert s.session.remember_device_days == 30
    assert s.account.inactivity_days == 0
    assert s.security.password_hash_profile == "standard"
    assert s.server.support_phone == "1-855-819-5909"
    assert s.server.max_request_kb == 1024


def test_environment_overrides_single_values():
    s = load_settings(
        environ={
            "MOCK_OHID_SERVER_ISSUER": "http://localhost:9999",
            "MOCK_OHID_SERVER_PORT": "9999",
            "MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE": "fast",
            "MOCK_OHID_QA_TOKEN": "abc",
            "MOCK_OHID_DATABASE_URL": "sqlite:///x.db",
        }
    )
    assert s.issuer == "http://localhost:9999" and s.server.port == 9999
    assert s.security.password_hash_profile == "fast" and s.qa.token == "abc"
    assert s.database.url == "sqlite:///x.db"


def test_config_file_layers_over_defaults_and_env_wins(tmp_path):
    config = tmp_path / "my.toml"
    config.write_text('[server]\nport = 9000\nissuer = "http://localhost:9000"\n')
    s = load_settings(config_file=config, environ={"MOCK_OHID_SERVER_PORT": "9100"})
    assert s.server.port == 9100 and s.issuer == "http://localhost:9000"


def test_config_file_from_environment_variable(tmp_path):
    config = tmp_path / "my.toml"
    config.write_text("[lockout]\nmax_failed_sign_ins = 3\n")
    s = load_settings(environ={"MOCK_OHID_CONFIG": str(config)})
    assert s.lockout.max_failed_sign_ins == 3


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MOCK_OHID_SERVER_PORT": "eighty"}, "MOCK_OHID_SERVER_PORT"),
        ({"MOCK_OHID_SERVER_PORT": "70000"}, "server.port"),
        ({"MOCK_OHID_SERVER_ISSUER": "localhost:8765"}, "server.issuer"),
        ({"MOCK_OHID_SERVER_ISSUER": "http://localhost:8765/"}, "server.issuer"),
        ({"MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE": "turbo"}, "security.password_hash_profile"),
        ({"MOCK_OHID_DATABASE_URL": "nowhere"}, "database.url"),
        ({"MOCK_OHID_SERVER_COLOUR": "blue"}, "server.colour"),
        ({"MOCK_OHID_NOPE_X": "1"}, "MOCK_OHID_NOPE_X"),
        ({"MOCK_OHID_SECURITY_UNRECOGNIZED_DEVICE_CHECK": "maybe"}, "UNRECOGNIZED_DEVICE_CHECK"),
        ({"MOCK_OHID_LOCKOUT_LOCK_MINUTES": "-5"}, "lockout.lock_minutes"),
        ({"MOCK_OHID_TOKENS_ACCESS_TOKEN_FORMAT": "paseto"}, "tokens.access_token_format"),
        ({"MOCK_OHID_TOKENS_ACCESS_TOKEN_TYP": "jwt"}, "tokens.access_token_typ"),
        ({"MOCK_OHID_CLIENTS_DEFAULT_SCOPES": "profile wallet"}, "clients.default_scopes"),
        ({"MOCK_OHID_CLIENTS_STRICT_AUTH_METHOD": "maybe"}, "STRICT_AUTH_METHOD"),
        ({"MOCK_OHID_SERVER_MAX_REQUEST_KB": "0"}, "server.max_request_kb"),
    ],
)
def test_bad_value_is_one_line_naming_the_setting(environ, named):
    with pytest.raises(SettingsError) as info:
        load_settings(environ=environ)
    assert named in str(info.value) and "\n" not in str(info.value)


def test_bad_types_in_a_config_file_are_named(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[server]\nport = "8765"\n')
    with pytest.raises(SettingsError, match="server.port: expected int"):
        load_settings(config_file=config, environ={})


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match="file not found"):
        load_settings(config_file=tmp_path / "absent.toml", environ={})


def test_invalid_toml_is_named(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[server\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(config_file=config, environ={})


def test_rp_id_is_the_issuer_host():
    s = load_settings(environ={"MOCK_OHID_SERVER_ISSUER": "http://127.0.0.1:8765"})
    assert s.rp_id == "127.0.0.1" and s.issuer_host_is_ip
    assert not load_settings(environ={}).issuer_host_is_ip


@pytest.mark.parametrize(
    ("environ", "issuer"),
    [
        ({}, "http://localhost:8765"),
        ({"MOCK_OHID_SERVER_PORT": "9000"}, "http://localhost:9000"),
        ({"MOCK_OHID_SERVER_HOST": "0.0.0.0"}, "http://localhost:8765"),
        ({"MOCK_OHID_SERVER_HOST": "::1"}, "http://localhost:8765"),
        ({"MOCK_OHID_SERVER_HOST": "idp.test"}, "http://idp.test:8765"),
        ({"MOCK_OHID_SERVER_HTTPS": "true"}, "https://localhost:8765"),
        ({"MOCK_OHID_SERVER_HTTPS": "true", "MOCK_OHID_SERVER_PORT": "443"}, "https://localhost"),
        ({"MOCK_OHID_SERVER_PORT": "80"}, "http://localhost"),
    ],
)
def test_with_no_issuer_set_it_follows_the_port_and_scheme(environ, issuer):
    s = load_settings(environ=environ)
    assert s.issuer == issuer and s.issuer_is_derived
    assert s.issuer_origin() == "follows the port it listens on; set server.issuer to fix it"


def test_the_issuer_origin_names_the_layer_that_set_it(tmp_path):
    env = load_settings(environ={"MOCK_OHID_SERVER_ISSUER": "http://localhost:1"})
    assert env.issuer_origin() == "from MOCK_OHID_SERVER_ISSUER"
    config = tmp_path / "my.toml"
    config.write_text('[server]\nissuer = "http://localhost:2"\n')
    assert load_settings(config_file=config, environ={}).issuer_origin() == (
        f"from server.issuer in {config}"
    )
    flag = load_settings(environ={}, overrides={"server.issuer": "http://localhost:3"})
    assert flag.issuer_origin() == "from the command line" and not flag.issuer_is_derived


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MOCK_OHID_SERVER_TLS_CERT": "cert.pem"}, "set both or neither"),
        ({"MOCK_OHID_SERVER_ENGINE": "uwsgi"}, "server.engine"),
        ({"MOCK_OHID_DEMO_PORTAL_PORTS": "65534"}, "demo.portal_ports"),
    ],
)
def test_serving_settings_are_checked(environ, named):
    with pytest.raises(SettingsError, match=named):
        load_settings(environ=environ)
