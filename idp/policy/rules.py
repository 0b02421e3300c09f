"""A rule checklist: named checks with the sentence shown beside the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One line of a rule list: ``key`` for scripts, ``text`` for people."""

    key: str
    text: str
    check: Callable[[str], bool]


@dataclass(frozen=True)
class RuleResult:
    key: str
    text: str
    met: bool


def evaluate(rules: list[Rule], value: str) -> list[RuleResult]:
    """Every rule with whether ``value`` meets it, in display order."""
    return [RuleResult(rule.key, rule.text, bool(rule.check(value))) for rule in rules]


def failures(rules: list[Rule], value: str) -> list[str]:
    """The texts of the rules ``value`` breaks, in display order."""
    return [r.text for r in evaluate(rules, value) if not r.met]
