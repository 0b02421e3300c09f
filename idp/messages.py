"""The sentences a user sees, in OHID's words, keyed by message id."""

MESSAGES = {
    "invalid_credentials": "The One Healthcare ID or password that you entered is incorrect.",
    "identifier_required": "Enter your One Healthcare ID or email address.",
    "password_required": "Enter your password.",
    "account_locked": (
        "Your One Healthcare ID is locked because of too many failed sign-in attempts. "
        "To unlock it now, reset your password or answer your security questions. "
        "Otherwise, try again in {minutes} minutes."
    ),
    "account_inactive": (
        "Inactive One Healthcare ID: this account was deactivated. "
        "Reset your password to reactivate it."
    ),
    "session_expired": "Your sign-in session has expired. Please sign in again.",
    "username_taken": "That One Healthcare ID is already taken. Choose another one.",
    "email_in_use": "Email is already in use",
    "shared_email_warning": (
        "Email is already in use: {email} is linked to a One Healthcare ID. If it is your "
        "email, sign in with the One Healthcare ID linked to it."
    ),
    "email_shared_enter_id": (
        "More than one One Healthcare ID uses this email address. Enter your One Healthcare ID "
        "to sign in."
    ),
    "recover_shared_email": (
        "More than one One Healthcare ID uses this email address. Enter your One Healthcare ID, "
        "or select Forgot One Healthcare ID? to get every ID linked to it."
    ),
    "sign_in_to_manage": "Sign in to manage your One Healthcare ID.",
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
    # --- multi-factor ---
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
    "method_unknown": "There is no verification method {name!r}. Use one of: {names}.",
    "method_not_set_up": (
        "{name!r} is not a verification method of this account. Use one of: {names}."
    ),
    "rp_id_is_ip": (
        "Passkeys will not work here: this server's address {host} is an IP address, and "
        "browsers only accept a host name for passkeys. Use http://localhost instead."
    ),
    # --- recovery, password rotation and My Profile ---
    "email_required": "Enter your email address.",
    "account_not_found": (
        "We could not find a One Healthcare ID with that information. Check it and try again."
    ),
    "no_recovery_options": (
        "This One Healthcare ID has no verified email address, phone number or security "
        "questions to verify your identity with. Call support at {support_phone}."
    ),
    "choose_method": "Choose how you want to verify your identity.",
    "recovery_expired": "Your session to reset your password has expired. Please start again.",
    "call_not_answered": (
        "We have not received the right code from your phone yet. Answer the call and enter "
        "the code on your phone's keypad."
    ),
    "call_wrong_digits": (
        "The code entered on the phone's keypad was incorrect. Enter it again when the call "
        "asks, or select Call Again."
    ),
    "answer_required": "Answer this security question.",
    "answers_wrong": "One or more of your answers is incorrect. Check them and try again.",
    "answers_blocked": (
        "Too many incorrect answers. Try again in {minutes} minutes, or reset your password."
    ),
    "no_security_questions": (
        "This One Healthcare ID has no security questions. Reset your password to unlock it."
    ),
    "not_locked": "This One Healthcare ID is not locked. You can sign in.",
    "password_reused": (
        "Your new password cannot be the same as any of your last {count} passwords."
    ),
    "passwords_differ": "The passwords you entered do not match.",
    "new_password_required": "Enter a new password.",
    "confirm_password_required": "Type the new password again.",
    "current_password_wrong": "The current password you entered is incorrect.",
    "current_password_required": "Enter your current password.",
    "shared_email": (
        "Shared Email Address: this email address is already used by another One Healthcare "
        "ID. If that ID is yours, sign in with it."
    ),
    "same_email": "This is already your email address.",
    "same_phone": "This is already your verified phone number.",
    "same_username": "This is already your One Healthcare ID.",
    "no_pending_change": "There is no change waiting for a code. Start again.",
    "questions_distinct": "Choose three different security questions.",
    "question_unknown": "Choose a question from the list.",
    "no_pending_call": "No verification call is waiting at that number.",
    # --- registration and verification ---
    "field_required": "This field is required.",
    "terms_required": (
        "To create a One Healthcare ID, select I Agree to agree to the Terms of Use and the "
        "Website Privacy Policy."
    ),
    "question_required": "Choose a security question.",
    "question_repeated": "Choose a different question for each security question.",
    "answer_too_long": "Use {max} characters or fewer.",
    "answer_repeated": "Use a different answer for each security question.",
    "activation_sent": "We sent a new activation code to {email}.",
    "activation_code_missing": (
        'Your activation code has expired or was used up. Select "Resend Code" to get a new one.'
    ),
    "email_verified": "Your email address has been verified.",
    "email_already_verified": "Your email address is already verified.",
    "phone_code_sent": "We sent a new code by text message to the phone number ending in {last4}.",
    "phone_verified": "Your phone number has been verified.",
    "phone_updated": "Your phone number has been updated. Verify it to continue.",
    "call_waiting": "Waiting for you to enter the code on your phone's keypad.",
    "call_rejected": (
        "The code entered on the phone did not match. Enter the code shown on this screen "
        "({attempts_left} tries left)."
    ),
    "registration_call_not_answered": (
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
}


def message(key: str, **values) -> str:
    """The sentence for ``key`` with its placeholders filled in."""
    return MESSAGES[key].format(**values)
