"""The second-factor methods ("Verify your identity", SPEC §3.1, §3.5): one table.

Each method lives in its own module (a ``SecondFactorMethod``); ``METHODS``
lists them in the order they are offered. The verify page, My Profile's
"Manage Verification Options", the QA API and its OpenAPI document all read
this table, so a new method is its module, its model and its page partial.
"""

from __future__ import annotations

from ...audit import record_event
from ...errors import MethodUnavailable
from ...store import factors as store
from ...store.models import OutboxMessage, User
from ..mfa import judge_sign_in_step, refuse_if_locked
from ..recovery_codes import drop_recovery_code
from .authenticator import AUTHENTICATOR
from .base import Answer, Passed, SecondFactorMethod, SentCodeMethod
from .call import CALL
from .email import EMAIL
from .passkey import PASSKEY
from .recovery_code import RECOVERY_CODE
from .text import TEXT

METHODS: tuple[SecondFactorMethod, ...] = (
    AUTHENTICATOR,
    PASSKEY,
    TEXT,
    CALL,
    EMAIL,
    RECOVERY_CODE,
)
_BY_NAME = {method.name: method for method in METHODS}
# The names a script may give as ``/signin/verify?method=`` (README and OpenAPI list these).
METHOD_NAMES: tuple[str, ...] = tuple(method.name for method in METHODS)

__all__ = [
    "AUTHENTICATOR",
    "CALL",
    "EMAIL",
    "METHODS",
    "METHOD_NAMES",
    "PASSKEY",
    "RECOVERY_CODE",
    "TEXT",
    "Answer",
    "Passed",
    "SecondFactorMethod",
    "SentCodeMethod",
    "available_methods",
    "describe_methods",
    "description_schema",
    "has_strong_method",
    "method_named",
    "remove_enrolled",
    "send_second_factor_code",
    "sent_code_method",
    "verify_second_factor",
]


def method_named(name: str | None) -> SecondFactorMethod | None:
    """The method called ``name``, or None."""
    return _BY_NAME.get(name or "")


def sent_code_method(name: str | None) -> SentCodeMethod | None:
    """The text, call or email method called ``name``, or None."""
    method = method_named(name)
    return method if isinstance(method, SentCodeMethod) else None


def has_strong_method(user: User) -> bool:
    """Whether the account has a method that makes the second factor due (app, passkey)."""
    return any(method.strong and method.available(user) for method in METHODS)


def available_methods(user: User) -> list[SecondFactorMethod]:
    """The methods ``user`` can verify with, in the order they are offered."""
    strong = has_strong_method(user)
    return [
        method for method in METHODS if (strong or not method.stands_in) and method.available(user)
    ]


def _usable(user: User, name: str) -> SecondFactorMethod:
    for method in available_methods(user):
        if method.name == name:
            return method
    raise MethodUnavailable()


def send_second_factor_code(user: User, name: str) -> OutboxMessage:
    """Send a text, call or email code for the second factor."""
    method = _usable(user, name)
    if not isinstance(method, SentCodeMethod):
        raise MethodUnavailable()
    refuse_if_locked(user)
    return method.send(user)


def verify_second_factor(user: User, name: str, answer: Answer) -> Passed:
    """Check the answer to the method the user picked; wrong ones count towards the lockout."""
    method = _usable(user, name)
    passed = judge_sign_in_step(user, "second_factor", lambda: method.verify(user, answer))
    record_event("second_factor_passed", user, method=method.name)
    return passed


def remove_enrolled(user: User, name: str, item_id: int) -> bool:
    """Remove an app or passkey of ``user``; False if it is not theirs.

    With no strong method left the recovery code has nothing to stand in for,
    so it is retired (the next setup shows a new one).
    """
    method = method_named(name)
    if method is None or not method.remove(user, item_id):
        return False
    store.write_pending()
    if not has_strong_method(user):
        drop_recovery_code(user)
    return True


def describe_methods(user: User) -> dict:
    """Every method's part of the QA user's ``mfa`` object."""
    described: dict = {}
    for method in METHODS:
        described.update(method.describe(user))
    return described


def description_schema() -> dict:
    """JSON-schema properties of ``describe_methods`` (for the OpenAPI document)."""
    properties: dict = {}
    for method in METHODS:
        properties.update(method.description_schema)
    return properties
