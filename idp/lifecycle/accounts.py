"""Creating and deleting One Healthcare IDs through the same rules as the web."""

from __future__ import annotations

from datetime import timedelta

from ..audit import record_event
from ..errors import EmailInUse, UsernameTaken, ValidationFailed
from ..extensions import get_hashing, get_settings, now
from ..policy.contact import check_email, check_phone, check_year_of_birth, email_key
from ..policy.names import check_name
from ..policy.passwords import check_password
from ..policy.usernames import check_username, username_key
from ..store import accounts as store
from ..store.models import PasswordHistory, User


def find_by_username(username: str) -> User | None:
    """The account whose One Healthcare ID is ``username`` (any case), or None."""
    return store.find_by_username_key(username_key(username))


def find_all_by_email(email: str) -> list[User]:
    """Every One Healthcare ID on ``email`` (several IDs may share an address), oldest first."""
    return store.find_by_email_key(email_key(email))


def email_in_use(email: str, besides: User | None = None) -> bool:
    """Whether another One Healthcare ID than ``besides`` uses ``email``."""
    return any(u is not besides for u in find_all_by_email(email))


def hold_account_row(user: User) -> None:
    """Lock the account's row until the commit, so that a count and the write it
    allows run for one request of this account at a time.

    An UPDATE that changes nothing: on SQLite it takes the database's write
    lock, on PostgreSQL the row's lock. A parallel request for the same account
    waits here and then counts what this one wrote.
    """
    store.hold_account_row(user)


def find_accounts(identifier: str) -> list[User]:
    """The accounts ``identifier`` names: the One Healthcare ID, or every ID on that email."""
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    if "@" in identifier:
        accounts = find_all_by_email(identifier)
        if accounts:
            return accounts
    user = find_by_username(identifier)
    return [user] if user is not None else []


def find_account(identifier: str) -> User | None:
    """The account whose One Healthcare ID or email address is ``identifier``; None when
    nothing, or more than one ID (a shared email), matches."""
    accounts = find_accounts(identifier)
    return accounts[0] if len(accounts) == 1 else None


def validate_account_fields(
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    year_of_birth=None,
    phone: str | None = None,
    country_code: str = "+1",
    require_profile: bool = False,
) -> dict:
    """Check every field; return the normalized values or raise ValidationFailed."""
    settings = get_settings()
    errors: dict[str, list[str]] = {}
    name_errors, username = check_username(username, settings.username)
    if name_errors:
        errors["username"] = name_errors
    email_errors, email = check_email(email)
    if email_errors:
        errors["email"] = email_errors
    password_errors = check_password(password, settings.password, username)
    if password_errors:
        errors["password"] = password_errors
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        problems, _ = check_name(value, required=require_profile)
        if problems:
            errors[field] = problems
    year = None
    if year_of_birth not in (None, "") or require_profile:
        year_errors, year = check_year_of_birth(year_of_birth, now().year)
        if year_errors:
            errors["year_of_birth"] = year_errors
    e164 = None
    if phone:
        phone_errors, e164 = check_phone(phone, country_code)
        if phone_errors:
            errors["phone"] = phone_errors
    if errors:
        raise ValidationFailed(errors)
    return {
        "username": username,
        "email": email,
        "password": password,
        "first_name": (first_name or "").strip(),
        "last_name": (last_name or "").strip(),
        "year_of_birth": year,
        "phone": e164,
    }


def create_account(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    year_of_birth=None,
    phone: str | None = None,
    country_code: str = "+1",
    email_verified: bool = False,
    phone_verified: bool = False,
    password_age_days: int = 0,
    require_profile: bool = False,
    password_hash: str | None = None,
    shared_email: bool = False,
) -> User:
    """Create a One Healthcare ID; raises ValidationFailed, UsernameTaken or EmailInUse.

    ``password_hash`` is an argon2 hash already made of ``password`` (seeding
    several demo users that share one password hashes it once). An email another
    ID uses raises EmailInUse unless ``shared_email`` says the caller chose to share it.
    """
    fields = validate_account_fields(
        username,
        email,
        password,
        first_name,
        last_name,
        year_of_birth,
        phone,
        country_code,
        require_profile,
    )
    if find_by_username(fields["username"]):
        raise UsernameTaken()
    if not shared_email and find_all_by_email(fields["email"]):
        raise EmailInUse()
    moment = now()
    password_hash = password_hash or get_hashing().hash(password)
    changed_at = moment - timedelta(days=password_age_days)
    user = User(
        username=fields["username"],
        username_key=username_key(fields["username"]),
        email=fields["email"],
        email_key=email_key(fields["email"]),
        email_verified=email_verified,
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        year_of_birth=fields["year_of_birth"],
        phone=fields["phone"],
        phone_verified=bool(phone_verified and fields["phone"]),
        password_hash=password_hash,
        password_changed_at=changed_at,
        created_at=moment,
        notifications={},
    )
    user.password_history.append(
        PasswordHistory(password_hash=password_hash, created_at=changed_at)
    )
    if not store.add_account(user):
        # A concurrent request took the username between check and insert (emails
        # may be shared, so only the username is unique).
        raise UsernameTaken()
    record_event("account_created", user)
    return user


def delete_account(user: User) -> None:
    """Delete a One Healthcare ID and everything hanging on it."""
    record_event("account_deleted", username=user.username)
    store.delete_account(user)
