"""One Healthcare ID (username) rules: length and forbidden symbols (SPEC §2)."""

from __future__ import annotations

from .rules import Rule, evaluate, failures


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
        Rule("no_spaces", "No spaces", lambda v: " " not in v and v == v.strip()),
        Rule(
            "no_symbols",
            f"No special characters: {shown}",
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
