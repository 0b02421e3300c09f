"""The rule for a person's first and last name (Profile Information)."""

from __future__ import annotations

import unicodedata

NAME_MAX_LENGTH = 100


def check_name(value: str | None, required: bool = True) -> tuple[list[str], str]:
    """``(problems, normalized)`` for a first or last name: trimmed, at most 100 characters."""
    normalized = (value or "").strip()
    if required and not normalized:
        return ["This field is required."], normalized
    if len(normalized) > NAME_MAX_LENGTH:
        return [f"Use {NAME_MAX_LENGTH} characters or fewer."], normalized
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in normalized):
        # Control and invisible characters make a name that prints as another one.
        return ["Use letters, spaces and punctuation only."], normalized
    return [], normalized
