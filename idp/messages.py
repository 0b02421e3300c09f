"""The sentences a user sees, in OHID's words, keyed by message id."""

MESSAGES = {
    "invalid_credentials": "The One Healthcare ID or password that you entered is incorrect.",
    "identifier_required": "Enter your One Healthcare ID or email address.",
    "password_required": "Enter your password.",
    "account_locked": (
        "Your One Healthcare ID is locked after too many failed sign-in attempts. "
        "Reset your password to unlock it now, or try again in {minutes} minutes."
    ),
    "account_inactive": (
        "Inactive One Healthcare ID: this account was deactivated after {days} days "
        "without a sign-in. Reset your password to reactivate it."
    ),
    "session_expired": "Your sign-in session has expired. Please sign in again.",
    "username_taken": "That One Healthcare ID is already taken. Choose another one.",
    "email_in_use": "Email is already in use",
}


def message(key: str, **values) -> str:
    """The sentence for ``key`` with its placeholders filled in."""
    return MESSAGES[key].format(**values)
