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
    # What the portal is for, as its guide's landing page names it.
    tagline: str = ""
    # The portal's own rules (Optum Pro FAQ): days without a sign-in into the portal
    # before it deactivates the account, idle minutes before a session times out and
    # the warning before that, and whether it refuses an email shared by several IDs.
    inactivity_days: int = 0
    idle_minutes: int = 0
    idle_warning_minutes: int = 0
    refuses_shared_email: bool = False


PORTALS = (
    Portal(
        "optum-connect-claims-online",
        "Claims Online Portal",
        "Optum Connect",
        tagline="File Appeals • View EOBs",
    ),
    Portal(
        "optum-connect-physician-info",
        "Physician Info Portal",
        "Optum Connect",
        tagline="Find Patient Data",
    ),
    Portal(
        "optum-pro",
        "Optum Pro",
        "Optum Pro",
        inactivity_days=90,
        idle_minutes=30,
        idle_warning_minutes=5,
        refuses_shared_email=True,
    ),
    Portal("optum-provider-portal", "Optum Provider Portal", "Optum Provider Portal"),
    Portal("provider-express", "Provider Express", "Provider Express"),
)

# The Optum Connect access forms (Optum Connect + OHID guide): which portal, its title.
ACCESS_FORMS = {
    "claims-online": ("Claims Online Portal", "CLAIMS ONLINE PORTAL ACCESS FORM"),
    "physician-info": ("Physician Info Portal", "PHYSICIAN INFORMATION PORTAL ACCESS FORM"),
}
