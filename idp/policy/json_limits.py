"""How deep a JSON document from outside may nest.

Python's parser recurses once per level and raises ``RecursionError`` (not a
``ValueError``) near a thousand levels; nothing mock-ohid reads nests more than
a few. Documents deeper than ``MAX_JSON_DEPTH`` are refused as malformed.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32


class JSONTooDeep(ValueError):
    """A JSON document nests deeper than ``MAX_JSON_DEPTH`` (a malformed document)."""

    def __init__(self):
        super().__init__(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def nesting_depth(value: Any) -> int:
    """How many arrays and objects deep ``value`` goes (a scalar is 0), without recursing."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


def loads_bounded(text: str | bytes, **kwargs) -> Any:
    """``json.loads`` that raises ``ValueError`` for documents nested too deep."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise JSONTooDeep() from None
    if nesting_depth(value) > MAX_JSON_DEPTH:
        raise JSONTooDeep()
    return value
