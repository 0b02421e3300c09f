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
    "code_invalid": "The code you entered is incorrect. Check the code and try again.",
    "code_expired": "This code has expired. Select Resend Code to get a new one.",
    "code_dead": (
        "Too many incorrect attempts. This code no longer works; select Resend Code to get a "
        "new one."
    ),
    "resend_too_soon": "Please wait {seconds} seconds before requesting another code.",
    "resend_limit": (
        "You have requested too many codes. Please wait {minutes} minutes and try again."
    ),
}


def message(key: str, **values) -> str:
    """The sentence for ``key`` with its placeholders filled in."""
    return MESSAGES[key].format(**values)
