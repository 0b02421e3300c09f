"""Importing many accounts from CSV through the same field rules as the web.

Every row is validated first; nothing is written unless every row is good
(or the caller asks to skip the bad ones). Rows are inserted in batches, and
each distinct password is hashed once, so 100,000 accounts import in
seconds rather than hours.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..audit import record_event
from ..errors import ValidationFailed
from ..extensions import get_hashing, now
from ..policy.contact import email_key
from ..policy.usernames import username_key
from ..store import accounts as store
from .accounts import validate_account_fields
from .email_verification import send_activation_email

COLUMNS = (
    "username",
    "email",
    "password",
    "first_name",
    "last_name",
    "year_of_birth",
    "phone",
    "email_verified",
    "phone_verified",
)
REQUIRED = ("username", "email", "password")
BATCH = 1000
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"", "0", "false", "no", "n"}


@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    bad_rows: int = 0
    activations_sent: int = 0


def _flag(value: str, name: str, line: int) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationFailed({name: [f"line {line}: {name} must be true or false"]})


def read_rows(handle) -> tuple[list[dict], list[str]]:
    """Parse the CSV; returns ``(rows, file_errors)``."""
    try:
        return _read_rows(handle)
    except UnicodeDecodeError:
        return [], ["not UTF-8 text"]
    except csv.Error as exc:
        return [], [f"not a CSV file ({exc})"]


def _read_rows(handle) -> tuple[list[dict], list[str]]:
    reader = csv.DictReader(handle)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if problems:
        return [], problems
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    return rows, []


def import_accounts(
    rows: list[dict],
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    send_activation: bool = False,
) -> ImportReport:
    """Validate then create the accounts in ``rows`` (dicts keyed by COLUMNS).

    No email is sent unless ``send_activation``: then each imported account whose
    email is not verified gets its activation email, as a registration would.
    """
    report = ImportReport()
    existing_names = store.all_username_keys()
    existing_emails = store.all_email_keys()
    good: list[dict] = []
    for line, row in enumerate(rows, start=2):
        try:
            fields = validate_account_fields(
                row.get("username", ""),
                row.get("email", ""),
                row.get("password", ""),
                row.get("first_name", ""),
                row.get("last_name", ""),
                row.get("year_of_birth") or None,
                row.get("phone") or None,
            )
            fields["email_verified"] = _flag(row.get("email_verified", ""), "email_verified", line)
            fields["phone_verified"] = _flag(row.get("phone_verified", ""), "phone_verified", line)
        except ValidationFailed as exc:
            report.bad_rows += 1
            for name, texts in exc.errors.items():
                for text in texts:
                    prefix = "" if text.startswith("line ") else f"line {line}: {name}: "
                    report.errors.append(prefix + text)
            continue
        name_key, mail_key = username_key(fields["username"]), email_key(fields["email"])
        if name_key in existing_names:
            report.bad_rows += 1
            report.errors.append(f"line {line}: username {fields['username']!r} is already taken")
            continue
        if mail_key in existing_emails:
            report.bad_rows += 1
            report.errors.append(f"line {line}: email {fields['email']!r} is already in use")
            continue
        existing_names.add(name_key)
        existing_emails.add(mail_key)
        good.append(fields)
    if report.errors and not skip_invalid:
        return report
    _insert(good, progress)
    report.created = len(good)
    if send_activation:
        report.activations_sent = _send_activations(good)
    record_event("accounts_imported", count=report.created)
    return report


def _send_activations(accounts: list[dict]) -> int:
    keys = [username_key(f["username"]) for f in accounts if not f["email_verified"]]
    sent = 0
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        for user in store.accounts_by_username_keys(chunk):
            send_activation_email(user, enforce_limits=False)
            sent += 1
    return sent


def _insert(accounts: list[dict], progress) -> None:
    hashing = get_hashing()
    # One hash per distinct password: bulk test data usually shares a few passwords.
    hashes: dict[str, str] = {}
    moment = now()
    for start in range(0, len(accounts), BATCH):
        chunk = accounts[start : start + BATCH]
        user_rows = []
        for fields in chunk:
            password = fields["password"]
            if password not in hashes:
                hashes[password] = hashing.hash(password)
            user_rows.append(
                {
                    "sub": str(uuid.uuid4()),
                    "username": fields["username"],
                    "username_key": username_key(fields["username"]),
                    "email": fields["email"],
                    "email_key": email_key(fields["email"]),
                    "email_verified": fields["email_verified"],
                    "first_name": fields["first_name"],
                    "last_name": fields["last_name"],
                    "year_of_birth": fields["year_of_birth"],
                    "phone": fields["phone"],
                    "phone_verified": bool(fields["phone_verified"] and fields["phone"]),
                    "password_hash": hashes[password],
                    "password_changed_at": moment,
                    "created_at": moment,
                    "failed_sign_ins": 0,
                    "notifications": {},
                }
            )
        store.insert_accounts(user_rows, moment)
        if progress is not None:
            progress(len(chunk))
