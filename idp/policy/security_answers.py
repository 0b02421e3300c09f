"""Security question rules for Create One Healthcare ID: three different questions
from the list, each with its own non-empty answer. Pure."""

from __future__ import annotations

from ..messages import message

ANSWER_MAX_LENGTH = 100


def normalize_answer(answer: str | None) -> str:
    """Answers match without regard to case or extra spaces."""
    return " ".join((answer or "").split()).casefold()


def check_security_answers(
    pairs: list[tuple[str | None, str | None]], questions: list[str]
) -> dict[str, list[str]]:
    """Errors by field (``question_1``, ``answer_1``, ...) for the chosen questions and answers."""
    errors: dict[str, list[str]] = {}
    seen_questions: set[str] = set()
    seen_answers: set[str] = set()
    for position, (question, answer) in enumerate(pairs, start=1):
        if not question or question not in questions:
            errors[f"question_{position}"] = [message("question_required")]
        elif question in seen_questions:
            errors[f"question_{position}"] = [message("question_repeated")]
        else:
            seen_questions.add(question)
        normalized = normalize_answer(answer)
        if not normalized:
            errors[f"answer_{position}"] = [message("answer_required")]
        elif len(normalized) > ANSWER_MAX_LENGTH:
            errors[f"answer_{position}"] = [message("answer_too_long", max=ANSWER_MAX_LENGTH)]
        elif normalized in seen_answers:
            errors[f"answer_{position}"] = [message("answer_repeated")]
        else:
            seen_answers.add(normalized)
    return errors
