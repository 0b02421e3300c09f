"""The settings validator reads each field's annotation; every bad value gets one line."""

from __future__ import annotations

import dataclasses
import tomllib
from enum import Enum
from typing import Annotated, Literal

import pytest

from idp.resources import bundled_path
from idp.settings import (
    Between,
    Rule,
    Settings,
    SettingsError,
    check_type,
    defaults_of,
    field_types,
    from_environment,
    load_settings,
    section_from,
    typed_value,
)


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


def _shout(name: str, value: str) -> str:
    if not value.strip():
        raise SettingsError(f"{name}: must not be blank")
    return value.upper()


@dataclasses.dataclass(frozen=True)
class Toy:
    flag: bool = False
    count: Annotated[int, Between(1, 5)] = 1
    ratio: float = 0.5
    word: Annotated[str, Rule(_shout)] = "hi"
    mode: Literal["a", "b"] = "a"
    colour: Colour = Colour.RED
    names: tuple[str, ...] = ()
    numbers: list[int] = dataclasses.field(default_factory=list)
    limit: int | None = None


HINTS = field_types(Toy)


def _error(call, *args) -> str:
    with pytest.raises(SettingsError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("flag", 1, "toy.flag: expected bool, got 1"),
        ("flag", "true", "toy.flag: expected bool, got 'true'"),
        ("count", True, "toy.count: expected int, got True"),
        ("count", "3", "toy.count: expected int, got '3'"),
        ("ratio", "0.5", "toy.ratio: expected float, got '0.5'"),
        ("word", 5, "toy.word: expected str, got 5"),
        ("mode", 3, "toy.mode: expected str, got 3"),
        ("colour", 1, "toy.colour: expected str, got 1"),
        ("names", "a,b", "toy.names: expected list, got 'a,b'"),
        ("limit", "10", "toy.limit: expected int, got '10'"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_setting_and_the_type(key, value, message):
    assert _error(check_type, f"toy.{key}", value, HINTS[key]) == message
    assert _error(typed_value, f"toy.{key}", value, HINTS[key]) == message


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("count", 9, "toy.count: must be between 1 and 5, got 9"),
        ("count", 0, "toy.count: must be between 1 and 5, got 0"),
        ("word", "  ", "toy.word: must not be blank"),
        ("mode", "c", "toy.mode: must be one of a, b, got 'c'"),
        ("colour", "green", "toy.colour: must be one of red, blue, got 'green'"),
        ("names", ["a", 3], "toy.names: entries must be strings, got 3"),
        ("numbers", [1, "2"], "toy.numbers: entries must be whole numbers, got '2'"),
        ("numbers", [1, True], "toy.numbers: entries must be whole numbers, got True"),
    ],
)
def test_a_value_of_the_right_type_outside_its_rules_names_the_rule(key, value, message):
    assert _error(typed_value, f"toy.{key}", value, HINTS[key]) == message


@pytest.mark.parametrize(
    ("bounds", "value", "message"),
    [
        (Between(0), -1, "x.n: must not be negative, got -1"),
        (Between(1), 0, "x.n: must be at least 1, got 0"),
        (Between(high=3), 4, "x.n: must be at most 3, got 4"),
        (Between(4, 12), 13, "x.n: must be between 4 and 12, got 13"),
    ],
)
def test_bounds_say_which_side_was_crossed(bounds, value, message):
    assert _error(typed_value, "x.n", value, Annotated[int, bounds]) == message


def test_good_values_come_back_as_the_field_holds_them():
    assert typed_value("toy.names", ["a", "b"], HINTS["names"]) == ("a", "b")
    assert typed_value("toy.numbers", (1, 2), HINTS["numbers"]) == [1, 2]
    assert typed_value("toy.ratio", 2, HINTS["ratio"]) == 2.0
    assert isinstance(typed_value("toy.ratio", 2, HINTS["ratio"]), float)
    assert typed_value("toy.colour", "blue", HINTS["colour"]) is Colour.BLUE
    assert typed_value("toy.word", "hey", HINTS["word"]) == "HEY"
    assert typed_value("toy.limit", None, HINTS["limit"]) is None
    assert typed_value("toy.limit", 7, HINTS["limit"]) == 7
    assert typed_value("toy.count", 5, HINTS["count"]) == 5


def test_a_section_is_built_from_every_field_checked():
    values = {**defaults_of(Toy), "names": ["x"], "colour": "blue", "word": "yo"}
    toy = section_from(Toy, "toy", values)
    assert toy == Toy(names=("x",), colour=Colour.BLUE, word="YO")
    message = _error(section_from, Toy, "toy", {**defaults_of(Toy), "mode": "z"})
    assert message == "toy.mode: must be one of a, b, got 'z'"


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("flag", " Yes ", True),
        ("flag", "off", False),
        ("count", " 4 ", 4),
        ("ratio", "1.25", 1.25),
        ("names", " a, b ,,c ", ["a", "b", "c"]),
        ("word", " as is ", " as is "),
        ("mode", "b", "b"),
        ("limit", "", None),
        ("limit", "12", 12),
    ],
)
def test_environment_text_becomes_the_fields_toml_value(key, raw, value):
    assert from_environment("TOY_X", raw, HINTS[key]) == value


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("flag", "maybe", "TOY_X: expected true or false, got 'maybe'"),
        ("count", "four", "TOY_X: expected a whole number, got 'four'"),
        ("ratio", "half", "TOY_X: expected a number, got 'half'"),
        ("limit", "many", "TOY_X: expected a whole number, got 'many'"),
    ],
)
def test_bad_environment_text_names_the_variable(key, raw, message):
    assert _error(from_environment, "TOY_X", raw, HINTS[key]) == message


def test_an_annotation_the_validator_cannot_read_is_a_programming_error():
    with pytest.raises(TypeError, match="unsupported setting type"):
        check_type("x.y", {}, dict[str, str])


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[qa]\nallowed_hosts = [1]\n", "qa.allowed_hosts: entries must be strings, got 1"),
        ("[codes]\notp_digits = 3\n", "codes.otp_digits: must be between 4 and 12, got 3"),
        (
            "[clients]\nmax_assertion_seconds = 0\n",
            "clients.max_assertion_seconds: must be at least 1, got 0",
        ),
        ("[lockout]\nlock_minutes = -1\n", "lockout.lock_minutes: must not be negative, got -1"),
        (
            '[server]\nengine = "uwsgi"\n',
            "server.engine: must be one of auto, gunicorn, waitress, got 'uwsgi'",
        ),
        ('[server]\nhost = ""\n', "server.host: must not be empty"),
        ("[server]\nhttps = 1\n", "server.https: expected bool, got 1"),
        (
            "[username]\nmin_length = 60\n",
            "username.min_length: is larger than username.max_length",
        ),
        ("[nope]\nx = 1\n", "{config}: unknown section [nope]"),
        ("server = 1\n", "{config}: [server] must be a table"),
        ("[server]\ncolour = 1\n", "{config}: unknown setting server.colour"),
    ],
)
def test_a_bad_config_file_is_one_line_naming_the_setting(tmp_path, toml, message):
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    got = _error(lambda: load_settings(config_file=config, environ={}))
    assert got == message.format(config=config)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"MOCK_OHID_SERVER_ISSUER": "http://a_b:1"},
            "server.issuer: 'a_b' is neither a host name nor an IP address or network",
        ),
        (
            {"MOCK_OHID_SERVER_HOST": "a_b"},
            "server.host: 'a_b' is neither a host name nor an IP address or network",
        ),
    ],
)
def test_an_issuer_host_the_fetch_rule_cannot_hold_is_named(environ, message):
    assert _error(lambda: load_settings(environ=environ)) == message


def test_a_value_overridden_by_a_later_layer_is_not_held_against_it(tmp_path):
    config = tmp_path / "my.toml"
    config.write_text('[server]\nengine = "uwsgi"\n')
    settings = load_settings(config_file=config, environ={"MOCK_OHID_SERVER_ENGINE": "waitress"})
    assert settings.server.engine == "waitress"


def test_settings_are_read_as_attributes_and_cannot_be_changed():
    settings = load_settings(environ={"MOCK_OHID_QA_ALLOWED_HOSTS": "a,b"})
    assert settings.qa.allowed_hosts == ("a", "b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.qa.allowed_hosts = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.qa = settings.qa
    with pytest.raises(TypeError):
        settings["qa.allowed_hosts"]


def test_secrets_stay_out_of_the_repr():
    settings = load_settings(
        environ={
            "MOCK_OHID_QA_TOKEN": "qa-secret",
            "MOCK_OHID_MAIL_PASSWORD": "mail-secret",
            "MOCK_OHID_SERVER_SECRET_KEY": "cookie-secret",
        }
    )
    shown = repr(settings)
    assert settings.qa.token == "qa-secret" and "server=ServerSettings(" in shown
    for secret in ("qa-secret", "mail-secret", "cookie-secret"):
        assert secret not in shown


def test_the_reference_file_lists_every_setting_with_its_default():
    """config/default.toml is what users read; the dataclasses are what the server uses."""
    with bundled_path("config/default.toml").open("rb") as handle:
        reference = tomllib.load(handle)
    tables = [item.name for item in dataclasses.fields(Settings) if item.name != "origins"]
    assert list(reference) == tables
    defaults = Settings()
    for table, keys in reference.items():
        section = getattr(defaults, table)
        assert list(keys) == [item.name for item in dataclasses.fields(section)], table
        for key, value in keys.items():
            held = getattr(section, key)
            assert (list(held) if isinstance(held, tuple) else held) == value, f"{table}.{key}"


def test_every_setting_can_be_set_from_the_environment():
    defaults = Settings()
    for table in dataclasses.fields(Settings):
        if table.name == "origins":
            continue
        for key in dataclasses.fields(getattr(defaults, table.name)):
            variable = f"MOCK_OHID_{table.name.upper()}_{key.name.upper()}"
            origins = load_settings(environ={variable: _env_text(defaults, table.name, key.name)})
            assert origins.origins == {f"{table.name}.{key.name}": variable}


def _env_text(defaults: Settings, table: str, key: str) -> str:
    value = getattr(getattr(defaults, table), key)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)
