"""The JSON nesting bound (idp.policy.json_limits)."""

from __future__ import annotations

import pytest

from idp.policy.json_limits import MAX_JSON_DEPTH, JSONTooDeep, loads_bounded, nesting_depth


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ("x", 0), ([], 1), ({}, 1), ([[1]], 2), ({"a": [{"b": None}]}, 3), ([1, [2, [3]]], 3)],
)
def test_nesting_depth_counts_arrays_and_objects(value, depth):
    assert nesting_depth(value) == depth


def test_a_document_at_the_bound_is_read():
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert nesting_depth(loads_bounded(text)) == MAX_JSON_DEPTH


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_a_document_past_the_bound_is_a_value_error(levels):
    with pytest.raises(JSONTooDeep) as raised:
        loads_bounded("[" * levels + "]" * levels)
    assert isinstance(raised.value, ValueError)


def test_malformed_json_is_still_a_value_error():
    with pytest.raises(ValueError):
        loads_bounded("{")
