"""Setting a user's portal claims (QA API, CLI, users.toml) through one rule set."""

from __future__ import annotations

from ..audit import record_event
from ..errors import ValidationFailed
from ..policy.portal_claims import check_portal_claims, merge_portal_claims
from ..store.models import User


def check_claims(claims) -> dict:
    """The normalized claims, or ValidationFailed naming each bad field (``claims.npi``)."""
    errors, normalized = check_portal_claims(claims)
    if errors:
        raise ValidationFailed(errors)
    return normalized


def set_portal_claims(user: User, claims, replace: bool = False) -> dict:
    """Lay ``claims`` over the user's (or replace them); None removes a claim. Not committed."""
    normalized = check_claims(claims)
    errors, merged = merge_portal_claims({} if replace else user.portal_claims, normalized)
    if errors:
        raise ValidationFailed(errors)
    user.portal_claims = merged
    record_event("portal_claims_changed", user, names=sorted(normalized))
    return merged
