"""Hypothesis strategies for hostile input, shared by the fuzz tests.

The alphabet holds what breaks parsers and error encoders: quotes, backslash,
control characters (NUL, TAB, newline, DEL, C1), bidi and zero-width
characters, non-ASCII letters and look-alikes. Values may be long, and JSON
may nest far deeper than Python's parser recurses.
"""

from __future__ import annotations

from hypothesis import strategies as st

ODD_CHARACTERS = (
    "\"\\'<>&%#?/ ;=+"
    "\x00\x01\t\n\r\x0b\x0c\x1b\x7f\x85\x9b"
    "\u00a0\u00e9\u0301\u0435\u200b\u200e\u200f\u2028\u202a\u202e\u2066\u2069\ufeff\uff44"
    "\U0001f600"
)
odd_text = st.text(st.sampled_from(ODD_CHARACTERS), min_size=1, max_size=8)
mixed_text = st.text(
    st.one_of(st.sampled_from(ODD_CHARACTERS), st.characters(codec="utf-8")), max_size=24
)
# Long values built by repetition: cheap to make, long enough to cross every bound.
long_text = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["a", "é", "\\", '"', "%41", "\u202e", "0"]),
    st.sampled_from([300, 2_001, 70_000]),
)
hostile_text = st.one_of(odd_text, mixed_text, long_text)


def odd_variant_of(value: str):
    """``value`` with hostile text added after, before or inside it, or replaced by it."""
    return st.one_of(
        odd_text.map(lambda odd: value + odd),
        odd_text.map(lambda odd: odd + value),
        odd_text.map(lambda odd: value[: len(value) // 2] + odd + value[len(value) // 2 :]),
        hostile_text,
    )


# JSON text nested deeper than any parser bound, as arrays, objects or both.
deep_json_text = st.builds(
    lambda depth, kind: (
        "[" * depth + "]" * depth
        if kind == "array"
        else ('{"a":' * depth + "1" + "}" * depth)
        if kind == "object"
        else ('{"a":[' * depth + "]}" * depth)
    ),
    st.sampled_from([33, 200, 999, 1_000, 5_000]),
    st.sampled_from(["array", "object", "mixed"]),
)
