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
    # --- registration and verification (issue 3) ---
    "field_required": "This field is required.",
    "passwords_differ": "The passwords do not match. Type the same password twice.",
    "terms_required": (
        "To create a One Healthcare ID, agree to the Terms of Use and the Website Privacy Policy."
    ),
    "question_required": "Choose a security question.",
    "question_repeated": "Choose a different question for each security question.",
    "answer_required": "Enter an answer.",
    "answer_too_long": "Use {max} characters or fewer.",
    "answer_repeated": "Use a different answer for each security question.",
    "code_required": "Enter the code.",
    "activation_sent": "We sent a new activation code to {email}.",
    "email_verified": "Your email address has been verified.",
    "email_already_verified": "Your email address is already verified.",
    "phone_code_sent": "We sent a new code by text message to the phone number ending in {last4}.",
    "phone_call_placed": "We are calling the phone number ending in {last4}.",
    "phone_verified": "Your phone number has been verified.",
    "phone_updated": "Your phone number has been updated. Verify it to continue.",
    "call_waiting": "Waiting for you to enter the code on your phone's keypad.",
    "call_rejected": (
        "The code entered on the phone did not match. Enter the code shown on this screen "
        "({attempts_left} tries left)."
    ),
    "call_not_answered": (
        "We have not received the code from your phone yet. Enter the code shown on this "
        'screen when the call asks, then select "I have entered the code".'
    ),
    "voice_verification_call": (
        "Hello, this is One Healthcare ID calling to verify your phone number. Using your "
        "phone's keypad, enter the {digits}-digit code shown on your screen, then press pound."
    ),
    "link_invalid": (
        "This link is not valid. Check that you copied the whole link from the email, or sign "
        "in to get a new one."
    ),
    "link_replaced": (
        "This link is no longer valid because a newer code was sent. Use the link or code in "
        "the newest email."
    ),
    "link_expired": "This link has expired. Sign in to get a new activation code.",
    "no_pending_call": "No verification call is waiting for keypad digits at {to}.",
}


def message(key: str, **values) -> str:
    """The sentence for ``key`` with its placeholders filled in."""
    return MESSAGES[key].format(**values)
