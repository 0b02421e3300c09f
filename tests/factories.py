"""Test data made through the same rules as the web: a user factory with traits."""

from __future__ import annotations

import itertools

from idp.lifecycle.accounts import create_account
from tests.helpers import DEFAULT_PASSWORD

# Named bundles of fields: user_factory("with_phone", "expired_password", username=...).
TRAITS: dict[str, dict] = {
    "with_phone": {"phone": "+16125550123", "phone_verified": True},
    "unverified_phone": {"phone": "+16125550123", "phone_verified": False},
    "unverified_email": {"email_verified": False},
    "expired_password": {"password_age_days": 91},
    "expiring_password": {"password_age_days": 76},
}


class UserFactory:
    """Creates accounts with unique names; traits first, then keywords, win in that order."""

    _numbers = itertools.count(1)

    def __call__(self, *traits: str, **fields):
        n = next(self._numbers)
        values = {
            "username": f"test.user{n}",
            "email": f"test.user{n}@example.com",
            "password": DEFAULT_PASSWORD,
            "first_name": "Test",
            "last_name": f"User{n}",
            "year_of_birth": 1985,
            "email_verified": True,
        }
        for trait in traits:
            values.update(TRAITS[trait])
        values.update(fields)
        return create_account(**values)
