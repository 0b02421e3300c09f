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
    # --- multi-factor (issue 4) ---
    "totp_invalid": (
        "The code you entered is incorrect. Enter the current code from your authenticator app."
    ),
    "totp_reused": (
        "That code has already been used. Wait for your authenticator app to show a new code."
    ),
    "recovery_code_invalid": "The recovery code you entered is incorrect.",
    "passkey_rejected": (
        "We couldn't verify your passkey. Try again, or choose another way to sign in."
    ),
    "passkey_missing": (
        "Your browser did not send a passkey. Passkeys need JavaScript and a browser that "
        "supports them."
    ),
    "security_answer_wrong": "The answer you entered is incorrect.",
    "method_unavailable": "That verification method is not set up for your account.",
    "setup_expired": "This setup has expired. Select Setup to start again.",
    "device_name_invalid": "Enter a name of 1 to 64 characters.",
    "phone_invalid": "{detail}",
    "code_required": "Enter the code.",
    "answer_required": "Enter your answer.",
    "rp_id_is_ip": (
        "Passkeys will not work here: this server's address {host} is an IP address, and "
        "browsers only accept a host name for passkeys. Use http://localhost instead."
    ),
}


def message(key: str, **values) -> str:
    """The sentence for ``key`` with its placeholders filled in."""
    return MESSAGES[key].format(**values)
