"""One Healthcare ID (username) rules: length, a letter, no accents, no symbols (SPEC §2)."""

from __future__ import annotations

import unicodedata

from .rules import Rule, evaluate, failures


def is_accented(char: str) -> bool:
    """True for a combining mark or a letter that carries one (é, ñ, ø, ß …)."""
    if unicodedata.combining(char) or unicodedata.category(char).startswith("M"):
        return True
    if not char.isalpha() or char.isascii():
        return False
    # "é" decomposes into "e" plus a mark; "ø" and "ß" do not, but are Latin letters
    # outside plain A–Z, which the Optum guides count as letters with accents too.
    decomposed = unicodedata.normalize("NFD", char)
    return decomposed != char or unicodedata.name(char, "").startswith("LATIN ")


def _has_letter(value: str) -> bool:
    return any(c.isalpha() for c in value)


def _no_accents(value: str) -> bool:
    return not any(is_accented(c) for c in value)


def username_rules(rules) -> list[Rule]:
    """The checklist shown beside "Create One Healthcare ID"."""
    forbidden = set(rules.forbidden_symbols)
    shown = " ".join(rules.forbidden_symbols)
    return [
        Rule(
            "length",
            f"{rules.min_length} to {rules.max_length} characters",
            lambda v: rules.min_length <= len(v) <= rules.max_length,
        ),
        Rule("letter", "At least one letter", _has_letter),
        Rule("no_spaces", "No spaces", lambda v: " " not in v and v == v.strip()),
        Rule("no_accents", "No letters with accents", _no_accents),
        Rule(
            "no_symbols",
            f"None of these Symbols: {shown}",
            lambda v: not (set(v) & forbidden),
        ),
    ]


def check_username(value: str, rules) -> tuple[list[str], str]:
    """Return ``(errors, normalized)``; errors are the rule texts that failed."""
    normalized = value or ""
    return failures(username_rules(rules), normalized), normalized


def username_checklist(value: str, rules):
    """Every username rule with whether ``value`` meets it."""
    return evaluate(username_rules(rules), value or "")


def username_key(value: str) -> str:
    """The case-insensitive form uniqueness is checked on."""
    return value.strip().casefold()
