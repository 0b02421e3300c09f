"""Email address and phone number checks (email-validator, phonenumbers).

Both libraries are imported on first use: together they cost about a tenth of
a second to import, and a restarted server may answer many pages before it
checks an address or shows a phone number.
"""

from __future__ import annotations

from functools import cache

# QA scripts use the reserved test domains (SPEC §5.1: example.com, *.test,
# *.example, *.localhost). email-validator refuses special-use names through
# this documented module-level list; the mock accepts these two.
TEST_DOMAINS_ACCEPTED = ("test", "localhost")


@cache
def _email_validator():
    """email-validator, with the reserved test domains accepted (done once)."""
    import email_validator

    email_validator.SPECIAL_USE_DOMAIN_NAMES[:] = [
        name
        for name in email_validator.SPECIAL_USE_DOMAIN_NAMES
        if name not in TEST_DOMAINS_ACCEPTED
    ]
    return email_validator


def check_email(value: str) -> tuple[list[str], str]:
    """Return ``(errors, normalized)`` for an email address (no DNS look-up)."""
    value = (value or "").strip()
    if not value:
        return ["Enter your email address."], ""
    email_validator = _email_validator()
    try:
        result = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return ["Enter a valid email address, like name@example.com."], value
    return [], result.normalized


def email_key(value: str) -> str:
    """The case-insensitive form uniqueness is checked on."""
    return value.strip().casefold()


def check_phone(value: str, country_code: str = "+1") -> tuple[list[str], str]:
    """Return ``(errors, e164)`` for a phone number typed with a country code."""
    raw = (value or "").strip()
    if not raw:
        return ["Enter your phone number."], ""
    import phonenumbers

    text = raw if raw.startswith("+") else f"{country_code or '+1'}{raw}"
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return ["Enter a valid phone number."], raw
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        return ["Enter a valid phone number."], raw
    return [], phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_year_of_birth(value, this_year: int) -> tuple[list[str], int | None]:
    """Return ``(errors, year)``; a person is at most 120 and at least 13 years old."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return ["Enter your year of birth as four digits, like 1980."], None
    if not this_year - 120 <= year <= this_year - 13:
        return [f"Enter a year of birth between {this_year - 120} and {this_year - 13}."], None
    return [], year


def mask_email(address: str) -> str:
    """``q***@example.com``: the first letter and the domain, as OHID shows it."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def phone_last_four(e164: str) -> str:
    return e164[-4:]


def display_phone(e164: str | None) -> str:
    """A stored number as people read it: ``+16125550197`` -> ``+1 612-555-0197``."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def compact_phone(number: str) -> str:
    """A North American support number as the Create page writes it: ``1(855)819-5909``;
    any other number as given."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return f"1({digits[1:4]}){digits[4:7]}-{digits[7:]}"
    return number
