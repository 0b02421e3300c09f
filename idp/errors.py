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


class SharedEmailNeedsId(DomainError):
    """The password fits more than one of the IDs sharing the email: which one is meant?"""

    key = "email_shared_enter_id"
    field = "identifier"


class SharedEmailWarning(DomainError):
    """The email is already used by another One Healthcare ID; the user may still share it."""

    key = "shared_email_warning"
    field = "email"


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


# --- multi-factor ---


class TotpCodeInvalid(DomainError):
    key = "totp_invalid"
    field = "code"


class TotpCodeReused(DomainError):
    key = "totp_reused"
    field = "code"


class RecoveryCodeInvalid(DomainError):
    key = "recovery_code_invalid"
    field = "code"


class PasskeyRejected(DomainError):
    key = "passkey_rejected"
    field = "credential"


class PasskeyMissing(DomainError):
    key = "passkey_missing"
    field = "credential"


class SecurityAnswerWrong(DomainError):
    key = "security_answer_wrong"
    field = "answer"


class MethodUnavailable(DomainError):
    key = "method_unavailable"
    field = "method"


class SetupExpired(DomainError):
    key = "setup_expired"
    field = "code"


class DeviceNameInvalid(DomainError):
    key = "device_name_invalid"
    field = "name"


class PhoneInvalid(DomainError):
    key = "phone_invalid"
    field = "phone"


# --- recovery, password rotation and My Profile ---


class PasswordReused(DomainError):
    """The new password is one of the last N (SPEC §2 password history)."""

    key = "password_reused"
    field = "new_password"


class CurrentPasswordWrong(DomainError):
    key = "current_password_wrong"
    field = "current_password"


class AccountNotFound(DomainError):
    key = "account_not_found"
    field = "identifier"


class NoRecoveryOptions(DomainError):
    key = "no_recovery_options"
    field = "identifier"


class RecoveryExpired(DomainError):
    key = "recovery_expired"


class CallNotAnswered(DomainError):
    key = "call_not_answered"
    field = "code"


class AnswersWrong(DomainError):
    key = "answers_wrong"
    field = "answers"


class AnswersBlocked(DomainError):
    key = "answers_blocked"
    field = "answers"


class NoSecurityQuestions(DomainError):
    key = "no_security_questions"
    field = "identifier"


class NotLocked(DomainError):
    key = "not_locked"
    field = "identifier"


class SharedEmailAddress(DomainError):
    """Another One Healthcare ID uses this email (SPEC §3.7 "Shared Email Address")."""

    key = "shared_email"
    field = "email"


class NothingToChange(DomainError):
    """The new value is the one the account already has."""

    key = "same_email"


class NoPendingChange(DomainError):
    key = "no_pending_change"
    field = "code"


# --- registration and verification ---


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
