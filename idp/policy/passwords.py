"""Password rules (SPEC §2): length, character classes, forbidden characters,
not the username, expiry and history. Pure: ``now`` is always passed in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from .rules import Rule, evaluate, failures

# The oldest a QA tool may make a password: a century, far from datetime's limits.
MAX_PASSWORD_AGE_DAYS = 36500


def password_rules(rules, username: str = "") -> list[Rule]:
    """The checklist shown beside "Create password"."""
    return [
        Rule(
            "length",
            f"Between {rules.min_length} and {rules.max_length} characters",
            lambda v: rules.min_length <= len(v) <= rules.max_length,
        ),
        Rule("upper", "At least 1 uppercase letter", lambda v: any(c.isupper() for c in v)),
        Rule("lower", "At least 1 lowercase letter", lambda v: any(c.islower() for c in v)),
        Rule("digit", "At least 1 number", lambda v: any(c.isdigit() for c in v)),
        Rule(
            "no_spaces",
            "No spaces and no & symbol",
            lambda v: not any(c.isspace() for c in v) and "&" not in v,
        ),
        # The mock's own rule (SPEC §2), after the guide's.
        Rule(
            "not_username",
            "Cannot be the same as your One Healthcare ID",
            lambda v: not username or v.casefold() != username.casefold(),
        ),
    ]


def check_password(value: str, rules, username: str = "") -> list[str]:
    """The texts of the password rules ``value`` breaks."""
    return failures(password_rules(rules, username), value or "")


def password_checklist(value: str, rules, username: str = ""):
    """Every password rule with whether ``value`` meets it."""
    return evaluate(password_rules(rules, username), value or "")


@dataclass(frozen=True)
class PasswordAge:
    expired: bool
    days_left: int
    warn: bool


def password_age(changed_at: datetime, now: datetime, rules) -> PasswordAge:
    """Whether a password set at ``changed_at`` has expired or is in the warning window."""
    if rules.max_age_days <= 0:
        return PasswordAge(False, 0, False)
    expires_at = changed_at + timedelta(days=rules.max_age_days)
    expired = now >= expires_at
    # Whole days left, rounded up: 14 days and 1 second left reads as 15.
    days_left = 0 if expired else math.ceil((expires_at - now).total_seconds() / 86400)
    return PasswordAge(expired, days_left, not expired and days_left <= rules.warn_days)
