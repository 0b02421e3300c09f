"""One Healthcare ID (username) rules: length, a letter, no accents, no symbols (SPEC §2).

A One Healthcare ID is printable ASCII without spaces. Everything else is
refused under the guide's existing rules, so no look-alike (Cyrillic "е",
fullwidth "ｄ") or invisible character makes a second ID that reads the same:
any non-ASCII letter or mark breaks "No letters with accents"; any whitespace
or invisible (format) character breaks "No spaces"; control characters and any
other non-ASCII character break the special-characters rule.
"""

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


def _is_foreign_letter(char: str) -> bool:
    """A letter or mark outside plain ASCII: accented, or from another script."""
    if char.isascii():
        return False
    return char.isalpha() or unicodedata.category(char).startswith("M") or is_accented(char)


def _is_space_or_invisible(char: str) -> bool:
    """Whitespace of any kind (TAB, NBSP, ideographic space...) or an invisible
    format character (zero-width space, bidi controls, soft hyphen...)."""
    return char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp")


def _is_other_symbol(char: str) -> bool:
    """A control character, or anything outside ASCII the two rules above do not name."""
    if _is_space_or_invisible(char):
        return False
    if unicodedata.category(char) == "Cc":
        return True
    return not char.isascii() and not _is_foreign_letter(char)


def _has_letter(value: str) -> bool:
    return any(c.isalpha() for c in value)


def _no_accents(value: str) -> bool:
    return not any(_is_foreign_letter(c) for c in value)


def _no_spaces(value: str) -> bool:
    return not any(_is_space_or_invisible(c) for c in value)


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
        Rule("no_spaces", "No spaces", _no_spaces),
        Rule("no_accents", "No letters with accents", _no_accents),
        Rule(
            "no_symbols",
            f"None of these Symbols: {shown}",
            lambda v: not (set(v) & forbidden) and not any(_is_other_symbol(c) for c in v),
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
