"""Domain exceptions. Each carries the message key a page or API shows."""

from __future__ import annotations

from .messages import message


class DomainError(Exception):
    """Base of every rule a user can break; ``field`` names the form field."""

    key = "invalid"
    field: str | None = None

    def __init__(self, text: str | None = None, field: str | None = None, **values):
        self.values = values
        self.text = text or message(self.key, **values)
        if field is not None:
            self.field = field
        super().__init__(self.text)


class InvalidCredentials(DomainError):
    key = "invalid_credentials"
    field = "password"


class AccountLocked(DomainError):
    key = "account_locked"
    field = "password"


class AccountInactive(DomainError):
    key = "account_inactive"
    field = "password"


class UsernameTaken(DomainError):
    key = "username_taken"
    field = "username"


class EmailInUse(DomainError):
    key = "email_in_use"
    field = "email"


class ValidationFailed(DomainError):
    """Bad input: ``errors`` maps each field to the sentences shown beside it."""

    key = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        first_field = next(iter(errors))
        Exception.__init__(self, f"{first_field}: {'; '.join(errors[first_field])}")
        self.text = str(self)
        self.field = first_field
        self.values = {}


class CodeInvalid(DomainError):
    key = "code_invalid"
    field = "code"


class CodeExpired(DomainError):
    key = "code_expired"
    field = "code"


class TooManyAttempts(DomainError):
    key = "code_dead"
    field = "code"


class ResendTooSoon(DomainError):
    key = "resend_too_soon"
    field = "code"


class ResendLimitReached(DomainError):
    key = "resend_limit"
    field = "code"


# --- registration and verification (issue 3) ---


class RegistrationRefused(ValidationFailed):
    """Create One Healthcare ID input refused; ``taken`` names the fields
    (``username``, ``email``) whose value another One Healthcare ID already uses."""

    def __init__(self, errors: dict[str, list[str]], taken=()):
        super().__init__(errors)
        self.taken = set(taken)


class LinkTokenInvalid(DomainError):
    """A link token that was changed, is unknown, or no longer matches what it acts on."""

    key = "link_invalid"


class LinkTokenStale(LinkTokenInvalid):
    """A genuine link whose code was replaced by a newer one."""

    key = "link_replaced"


class LinkTokenExpired(DomainError):
    key = "link_expired"


class NoPendingCall(DomainError):
    """No verification call is waiting for keypad digits at that number."""

    key = "no_pending_call"
    field = "to"
