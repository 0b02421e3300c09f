"""Security questions: three per account, answers stored hashed."""

from __future__ import annotations

from ..extensions import get_hashing
from ..policy.security_answers import normalize_answer
from ..store import accounts as store
from ..store.models import SecurityAnswer, User

QUESTIONS = [
    "What is the name of your first pet?",
    "What city were you born in?",
    "What is your mother's maiden name?",
    "What was the name of your elementary school?",
    "What was the make of your first car?",
    "What is your favorite book?",
    "What street did you grow up on?",
    "What was your childhood nickname?",
]


def set_security_answers(user: User, pairs: list[tuple[str, str]]) -> None:
    """Replace the user's three questions and answers."""
    hashing = get_hashing()
    store.replace_security_answers(
        user,
        [
            SecurityAnswer(
                position=position,
                question=question,
                answer_hash=hashing.hash(normalize_answer(answer)),
            )
            for position, (question, answer) in enumerate(pairs, start=1)
        ],
    )


def check_security_answer(user: User, position: int, answer: str) -> bool:
    """Whether ``answer`` matches the user's answer to question ``position``."""
    for row in user.security_answers:
        if row.position == position:
            return get_hashing().verify(row.answer_hash, normalize_answer(answer))
    return False
