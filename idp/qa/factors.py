"""A user's sign-in factors through the QA API: add or remove any of them at any time.

``POST /_qa/users`` and ``PATCH /_qa/users/<username>`` take the same factor
fields; the answer carries what was made (the authenticator's secret, the
passkey's private key, the new recovery code, a remembered device's cookie).
Removing the last second factor is allowed and the answer says what it means.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..crypto import totp
from ..extensions import now
from ..lifecycle.devices import forget_device, new_device_token, remember_device
from ..lifecycle.devices import remembered_devices as devices_of
from ..lifecycle.passkeys import enroll_soft_passkey
from ..lifecycle.recovery_codes import drop_recovery_code, has_recovery_code, issue_recovery_code
from ..lifecycle.second_factors import AUTHENTICATOR, PASSKEY, has_strong_method, remove_enrolled
from ..lifecycle.security_questions import QUESTIONS, set_security_answers
from ..policy.mfa import ACR_MULTI_FACTOR
from ..policy.security_answers import check_security_answers
from ..store import qa as qa_store
from ..store.models import TotpAuthenticator, User
from ..web.device_cookie import DEVICE_COOKIE
from .schemas import QARequest, Says, parse, rule_broken

PASSKEY_KINDS = {"hwk": False, "swk": True}  # amr -> backup eligible (synced)


def add_qa_authenticator(user: User) -> tuple[str, str]:
    """A confirmed authenticator app and a recovery code (written with the unit of
    work): (secret, code)."""
    moment = now()
    secret = totp.new_secret()
    qa_store.add_authenticator(
        TotpAuthenticator(
            user_id=user.id,
            name="Authenticator app",
            secret=secret,
            created_at=moment,
            confirmed_at=moment,
        )
    )
    recovery = issue_recovery_code(user) if not has_recovery_code(user) else ""
    return secret, recovery


def _remove_all(user: User, method) -> None:
    for item in list(method.enrolled(user)):
        remove_enrolled(user, method.name, item.id)


def _totp(user: User, wanted) -> dict:
    if not wanted:
        _remove_all(user, AUTHENTICATOR)
        return {}
    secret, recovery = add_qa_authenticator(user)
    return {"totp_secret": secret, "recovery_code": recovery}


def _check_passkey(value) -> str | None:
    if value is True or value is False or value in PASSKEY_KINDS:
        return None
    return (
        '\'passkey\': give true (a device-bound passkey, amr hwk), "hwk", "swk" (synced), '
        "or false (remove every passkey)."
    )


def _passkey(user: User, wanted) -> dict:
    if wanted is False:
        _remove_all(user, PASSKEY)
        return {}
    exported = enroll_soft_passkey(user, backup_eligible=PASSKEY_KINDS.get(wanted, False))
    recovery = issue_recovery_code(user) if not has_recovery_code(user) else ""
    return {"passkey": exported, "recovery_code": recovery}


def _recovery_code(user: User, wanted) -> dict:
    if not wanted:
        drop_recovery_code(user)
        return {}
    return {"recovery_code": issue_recovery_code(user)}


_DEFAULT_ANSWERS = ("Rex", "Duluth", "Saab")


def _answer_pairs(value) -> list[tuple[str, str]]:
    if value is True:
        return list(zip(QUESTIONS, _DEFAULT_ANSWERS, strict=False))
    return [(item.get("question"), item.get("answer")) for item in value]


def _check_answers(value) -> str | None:
    if value is True or value is False:
        return None
    shape = (
        "'security_answers': give true (three questions with known answers), false "
        "(remove them), or 3 objects {question, answer} with questions from the list "
        "Create One Healthcare ID offers."
    )
    if len(value) != 3 or not all(isinstance(item, dict) for item in value):
        return shape
    if not all(isinstance(item.get(k), str) for item in value for k in ("question", "answer")):
        return shape
    errors = check_security_answers(_answer_pairs(value), QUESTIONS)
    if errors:
        return "; ".join(f"security_answers: {f}: {', '.join(t)}" for f, t in errors.items())
    return None


def _security_answers(user: User, value) -> dict:
    if value is False:
        set_security_answers(user, [])
        return {}
    pairs = _answer_pairs(value)
    set_security_answers(user, pairs)
    return {"security_answers": [{"question": q, "answer": a} for q, a in pairs]}


def _remembered_devices(user: User, wanted) -> dict:
    if not wanted:
        for row in devices_of(user):
            forget_device(user, row.id)
        return {}
    token = new_device_token()
    for purpose in ("mfa", "device"):
        remember_device(user, purpose, token, "QA browser")
    return {"device_cookie": {"name": DEVICE_COOKIE, "value": token}}


class SecurityAnswer(BaseModel):
    """One security question (from the list Create One Healthcare ID offers) and its answer."""

    model_config = ConfigDict(strict=True)

    question: Literal[tuple(QUESTIONS)]
    answer: Annotated[str, Field(min_length=1)]


def _answers_rule(value):
    # The shape is the model's; whether the questions differ and the answers fit, the policy's.
    if isinstance(value, list):
        problem = _check_answers([answer.model_dump() for answer in value])
        if problem:
            raise rule_broken(problem)
    return value


class FactorFields(QARequest):
    """The factor fields ``POST`` and ``PATCH /_qa/users`` take (null: leave as is)."""

    totp: Annotated[
        bool | None, Field(description="true adds an authenticator app; false removes all")
    ] = None
    passkey: Annotated[
        bool | Literal[tuple(PASSKEY_KINDS)] | None,
        Field(
            description="true or 'hwk' adds a device-bound passkey (amr hwk), 'swk' a "
            "synced one (amr swk); false removes every passkey"
        ),
        Says(_check_passkey),
    ] = None
    recovery_code: Annotated[
        bool | None, Field(description="true issues a new recovery code; false drops it")
    ] = None
    security_answers: Annotated[
        bool | Annotated[list[SecurityAnswer], Field(min_length=3, max_length=3)] | None,
        Field(
            description="true: three questions answered Rex, Duluth, Saab; or three "
            "{question, answer}; false removes them"
        ),
        AfterValidator(_answers_rule),
        Says(_check_answers),
    ] = None
    remembered_devices: Annotated[
        bool | None, Field(description="true remembers a new browser; false forgets all")
    ] = None


# Each factor field and how it is applied, in the order they are applied.
FACTORS: dict[str, Callable[[User, object], dict]] = {
    "totp": _totp,
    "passkey": _passkey,
    "recovery_code": _recovery_code,
    "security_answers": _security_answers,
    "remembered_devices": _remembered_devices,
}


def check_factors(body: dict) -> dict:
    """The factor fields of ``body`` checked (QAError names the first bad one)."""
    return parse(FactorFields, body)


def apply_factors(user: User, body: dict, creating: bool) -> dict:
    """Add or remove the factors ``body`` names; returns what was made, and notes.

    At creation ``false`` means "none" (there is nothing to remove).
    """
    had_strong = has_strong_method(user)
    made: dict = {}
    for name, apply in FACTORS.items():
        value = body.get(name)
        if value is None or (creating and value is False):
            continue
        made.update(apply(user, value))
    # What was added and removed is written before has_strong_method reads it back.
    qa_store.write_pending()
    if had_strong and not has_strong_method(user):
        made["notes"] = [
            f"{user.username} has no authenticator app or passkey left, so the recovery code "
            "went with them and their sign-in asks for no second factor; a portal that asks "
            f"for multi-factor (acr_values {ACR_MULTI_FACTOR}) offers a text, call or email "
            "code where they have a verified phone or email, else tells them none is set up."
        ]
    return made
