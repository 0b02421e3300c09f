"""The /_qa request models: strict JSON types, and pydantic's errors as the API's sentences."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field

from idp.qa.api import QAError
from idp.qa.schemas import WHOLE, QARequest, Says, parse, request_schema


class Sample(QARequest):
    name: Annotated[str, Field(min_length=1)]
    age: Annotated[int, Field(ge=0, le=150), WHOLE, Says("'age' must be from 0 to 150.")] = None
    kind: bool | Literal["a", "b"] | None = None
    tags: Annotated[list[str], Says("'tags' must be a list.", on_type=True)] = None


def _detail(body: dict) -> str:
    with pytest.raises(QAError) as caught:
        parse(Sample, body)
    assert caught.value.status == 400
    return caught.value.detail


def test_a_whole_float_is_the_integer_and_only_fields_sent_come_back():
    assert parse(Sample, {"name": "x", "age": 38.0}) == {"name": "x", "age": 38}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"name": "x", "zeta": 1, "alpha": 2}, "Unknown field(s): alpha, zeta."),
        ({"name": "x", "age": "38"}, "'age' must be a whole number."),
        ({"name": "x", "age": True}, "'age' must be a whole number."),
        ({"name": "x", "age": 38.5}, "'age' must be a whole number."),
        ({"name": "x", "kind": 3}, "'kind' must be a boolean or string."),
        ({"name": "x", "tags": "a"}, "'tags' must be a list."),
        ({"name": 5}, "'name' must be a string."),
        ({"name": ""}, "Missing field(s): name."),
        ({}, "Missing field(s): name."),
        ({"name": "x", "age": None}, "Must not be null: age."),
        ({"name": "x", "age": 151}, "'age' must be from 0 to 150."),
        ({"name": "x", "kind": "c"}, "'kind': Input should be 'a' or 'b'."),
        ({"name": "x", "tags": [1]}, "'tags[0]': Input should be a valid string."),
    ],
)  # fmt: skip
def test_each_problem_gets_the_api_sentence(body, detail):
    assert _detail(body) == detail


def test_the_schema_is_openapi_ready():
    schema = request_schema(Sample, {})
    assert schema["additionalProperties"] is False and schema["required"] == ["name"]
    assert schema["properties"]["age"] == {"maximum": 150, "minimum": 0, "type": "integer"}
    assert "title" not in schema and "default" not in schema["properties"]["age"]
