"""The demo portals: which registered client each one is, and how it presents itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Portal:
    client_id: str
    name: str
    # The family a portal belongs to; the two Optum Connect portals share its landing page.
    family: str
    scope: str = "openid profile email portal"


PORTALS = (
    Portal("optum-connect-claims-online", "Claims Online Portal", "Optum Connect"),
    Portal("optum-connect-physician-info", "Physician Info Portal", "Optum Connect"),
    Portal("optum-pro", "Optum Pro", "Optum Pro"),
    Portal("optum-provider-portal", "Optum Provider Portal", "Optum Provider Portal"),
    Portal("provider-express", "Provider Express", "Provider Express"),
)
