"""When a portal must ask "Share my One Healthcare ID" (SPEC §3.1): pure rules."""

from __future__ import annotations

from dataclasses import dataclass

# Scope values the user is asked about; "openid" alone shares only the stable id.
CONSENT_SCOPES = ("profile", "email", "phone", "offline_access", "portal")


@dataclass(frozen=True)
class Sharing:
    """What a portal asks for (or was granted): scope values and extra named claims."""

    scopes: frozenset[str] = frozenset()
    claims: frozenset[str] = frozenset()

    @classmethod
    def of(cls, scopes, claims=()) -> Sharing:
        return cls(frozenset(s for s in scopes if s in CONSENT_SCOPES), frozenset(claims))

    def covers(self, other: Sharing) -> bool:
        return other.scopes <= self.scopes and other.claims <= self.claims

    def union(self, other: Sharing) -> Sharing:
        return Sharing(self.scopes | other.scopes, self.claims | other.claims)


def consent_needed(
    *, trusted: bool, requested: Sharing, granted: Sharing | None, asked_again: bool
) -> bool:
    """Whether the consent screen must be shown.

    ``asked_again`` is a ``prompt=consent`` not yet answered in this request:
    the portal asked explicitly, so even a trusted portal gets the screen.
    Otherwise trusted portals skip it, and others need an earlier answer that
    covers everything asked for now.
    """
    if asked_again:
        return True
    if trusted:
        return False
    return granted is None or not granted.covers(requested)
