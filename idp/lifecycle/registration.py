"""Create One Healthcare ID (SPEC §3.2): one form, one transaction.

Every field is checked at once so the page can name every broken rule next to
its field. The account, its security answers, the activation code and the
activation email are written together: a refused or failed registration
leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import (
    EmailInUse,
    RegistrationRefused,
    SharedEmailWarning,
    UsernameTaken,
    ValidationFailed,
)
from ..messages import message
from ..policy.security_answers import check_security_answers
from ..store.models import User
from .accounts import (
    create_account,
    find_all_by_email,
    find_by_username,
    validate_account_fields,
)
from .email_verification import send_activation_email
from .security_questions import QUESTIONS, set_security_answers


@dataclass
class Registration:
    """What the Create One Healthcare ID form collects."""

    first_name: str = ""
    last_name: str = ""
    year_of_birth: str = ""
    email: str = ""
    username: str = ""
    password: str = ""
    password_again: str = ""
    country_code: str = "+1"
    phone: str = ""
    questions: tuple[tuple[str, str], ...] = ()
    agreed: bool = False
    # The user saw that another ID uses the email and chose to share it anyway.
    share_email: bool = False


def _field_errors(form: Registration) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("first_name", "last_name", "year_of_birth", "email", "username", "password"):
        if not (getattr(form, name) or "").strip():
            errors[name] = [message("field_required")]
    try:
        validate_account_fields(
            form.username,
            form.email,
            form.password,
            form.first_name,
            form.last_name,
            form.year_of_birth,
            form.phone.strip() or None,
            form.country_code,
            require_profile=True,
        )
    except ValidationFailed as exc:
        for field, texts in exc.errors.items():
            errors.setdefault(field, texts)
    if not form.password_again:
        errors["password_again"] = [message("field_required")]
    elif form.password != form.password_again:
        errors["password_again"] = [message("passwords_differ")]
    errors.update(check_security_answers(list(form.questions), QUESTIONS))
    if not form.agreed:
        errors["agreed"] = [message("terms_required")]
    return errors


def register_account(form: Registration) -> User:
    """Create the account and send the activation email.

    Raises RegistrationRefused for broken rules or a taken ID, and SharedEmailWarning
    when the form is otherwise right but another ID uses the email and the user has not
    yet chosen to share it (Optum Pro guide: Sign In first, or the second option).
    """
    errors = _field_errors(form)
    taken = set()
    if "username" not in errors and find_by_username(form.username):
        errors["username"] = [UsernameTaken().text]
        taken.add("username")
    if errors:
        raise RegistrationRefused(errors, taken)
    if not form.share_email and find_all_by_email(form.email):
        raise SharedEmailWarning(email=form.email.strip())
    try:
        user = create_account(
            username=form.username,
            email=form.email,
            password=form.password,
            first_name=form.first_name,
            last_name=form.last_name,
            year_of_birth=form.year_of_birth,
            phone=form.phone.strip() or None,
            country_code=form.country_code,
            require_profile=True,
            shared_email=form.share_email,
        )
    except (UsernameTaken, EmailInUse) as exc:
        # Lost a race with another registration for the same ID (or, not sharing, email).
        raise RegistrationRefused({exc.field: [exc.text]}, {exc.field}) from None
    set_security_answers(user, list(form.questions))
    send_activation_email(user, enforce_limits=False)
    return user
