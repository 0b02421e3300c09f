"""Every model of mock-ohid, split by aggregate; import them from here.

Times are stored as naive UTC and read back as aware UTC (``UTCDateTime``).
Secrets (passwords, codes, tokens, answers) are stored hashed only.
"""

from __future__ import annotations

from .accounts import AuditEvent, OneTimeCode, OutboxMessage, PasswordHistory, SecurityAnswer, User
from .factors import PasskeyChallenge, PasskeyCredential, RecoveryCode, TotpAuthenticator
from .oauth import AuthorizationCode, ClientAssertion, OAuth2Client, Token
from .qa import ClockState, DebuggerRun, HealthProbe, InjectedFault
from .sign_in import ConsentGrant, Interaction, RememberedDevice, SsoSession
from .types import UTCDateTime

__all__ = [
    "AuditEvent",
    "AuthorizationCode",
    "ClientAssertion",
    "ClockState",
    "ConsentGrant",
    "DebuggerRun",
    "HealthProbe",
    "InjectedFault",
    "Interaction",
    "OAuth2Client",
    "OneTimeCode",
    "OutboxMessage",
    "PasskeyChallenge",
    "PasskeyCredential",
    "PasswordHistory",
    "RecoveryCode",
    "RememberedDevice",
    "SecurityAnswer",
    "SsoSession",
    "Token",
    "TotpAuthenticator",
    "UTCDateTime",
    "User",
]
