"""The /_qa API's request definitions: one pydantic model validates a request
and the same model writes its part of the OpenAPI document, so the two cannot
drift apart.

Why pydantic (v2): its models are plain typed classes beside the handlers,
strict mode checks JSON types exactly as JSON names them (no "1" for 1, no
true for 1), and ``model_json_schema`` writes JSON Schema 2020-12, the schema
dialect of OpenAPI 3.1, without a translation layer. apispec with marshmallow
would need a plugin to turn marshmallow fields into OpenAPI 3.0-style schemas
and its own type coercion; schemathesis already brings pydantic along.

Pydantic's own error texts are not what a script reads: :func:`parse` turns
them into the API's sentences ("Unknown field(s): ...", "'locked' must be a
boolean.", "Missing field(s): ...", "Must not be null: ..."), and a field may
carry a :class:`Says` with the sentence for a value its rules refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from ..clock import parse_instant
from .api import QAError


class Says:
    """The sentence a field's refused value gets: a text, or a function of the value
    (or, with ``whole_body``, of the whole request) returning one; ``on_type``: the
    sentence for a value of the wrong JSON type instead."""

    def __init__(
        self,
        text: str | Callable[[Any], str | None],
        whole_body: bool = False,
        on_type: bool = False,
    ):
        self.text, self.whole_body, self.on_type = text, whole_body, on_type

    def sentence(self, value: Any, body: dict) -> str | None:
        if callable(self.text):
            return self.text(body if self.whole_body else value)
        return self.text


def _integral(value: Any) -> Any:
    # JSON has one number type: 138.0 is the integer 138.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Beside a field's constraints (Field(ge=...)), after them so that they stay in its schema.
WHOLE = BeforeValidator(_integral)
WholeNumber = Annotated[int, WHOLE]


class QARequest(BaseModel):
    """A JSON object of known fields, each of its exact JSON type."""

    model_config = ConfigDict(strict=True, extra="forbid")


class QAQuery(BaseModel):
    """Query parameters: every value a string; names not defined are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


def rule_broken(text: str) -> PydanticCustomError:
    """The error a model's cross-field rule raises; ``text`` is what the script reads."""
    return PydanticCustomError("qa_rule", text)


def _since_problem(text: str) -> str:
    try:
        parse_instant(text)
    except ValueError as exc:
        return f"'since': {exc}"
    return "'since': give an ISO-8601 date-time."


def _instant(text: str) -> str:
    try:
        parse_instant(text)
    except ValueError:
        raise rule_broken(_since_problem(text)) from None
    return text


# The ``since`` filter of the outbox and the events: an instant.
SINCE = Annotated[
    str,
    Field(min_length=1, json_schema_extra={"format": "date-time"}),
    AfterValidator(_instant),
    Says(_since_problem),
]


def parse(model: type[BaseModel], data: dict) -> dict:
    """The fields ``data`` sent, checked against ``model`` (only those sent), or a 400."""
    try:
        checked = model.model_validate(data)
    except ValidationError as exc:
        raise QAError(400, "invalid_request", _sentence(model, data, exc.errors())) from None
    return checked.model_dump(exclude_unset=True)


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))
_TYPE_WORDS = {"integer": "whole number"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return "integer"
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return "array" if isinstance(value, list) else "object"


def _schema_types(schema: dict) -> list[str]:
    """The JSON types a property's schema admits, in the order it names them."""
    types: list[str] = []
    if "$ref" in schema:
        types.append("object")
    kind = schema.get("type")
    types.extend([kind] if isinstance(kind, str) else kind or [])
    for value in schema.get("enum", []):
        types.append(_json_type(value))
    for member in schema.get("anyOf", []) + schema.get("oneOf", []):
        types.extend(_schema_types(member))
    return list(dict.fromkeys(types))


def _says(model: type[BaseModel], name: str) -> Says | None:
    field = model.model_fields.get(name)
    return next((m for m in field.metadata if isinstance(m, Says)), None) if field else None


def _type_sentence(name: str, types: list[str]) -> str:
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types if t != "null")
    article = "an" if words[0] in "aeio" else "a"
    return f"'{name}' must be {article} {words}."


def _sentence(model: type[BaseModel], data: dict, errors: list) -> str:
    """The first problem with ``data``, as the API has always said it."""
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown and all(len(e["loc"]) == 1 for e in errors if e["type"] == "extra_forbidden"):
        return f"Unknown field(s): {', '.join(unknown)}."
    properties = model.model_json_schema()["properties"]
    failed = {e["loc"][0] for e in errors if e["loc"]}
    names = [name for name in model.model_fields if name in failed]
    for name in names:
        value, types = data.get(name), _schema_types(properties[name])
        if value is not None and _json_type(value) not in types:
            says = _says(model, name)
            if says and says.on_type:
                return says.sentence(value, data) or _type_sentence(name, types)
            return _type_sentence(name, types)
    explain = getattr(model, "explain", None)
    text = explain(data) if explain else None
    if text:
        return text
    missing = [
        name
        for name, field in model.model_fields.items()
        if field.is_required() and data.get(name) in (None, "")
    ]
    if missing:
        return f"Missing field(s): {', '.join(missing)}."
    nulls = [name for name in names if name in data and data[name] is None]
    if nulls:
        return f"Must not be null: {', '.join(nulls)}."
    for name in names:
        says = _says(model, name)
        text = says.sentence(data[name], data) if says and not says.on_type else None
        if text:
            return text
    for error in errors:
        if error["type"] == "qa_rule":
            return error["msg"]
    # A union member of the value's own type says more than the members it is not.
    error = min(errors, key=lambda e: e["type"].endswith("_type"))
    if not error["loc"]:
        return f"{error['msg']}."
    name, *inside = error["loc"]
    where = str(name) + "".join(f"[{part}]" for part in inside if isinstance(part, int))
    return f"'{where}': {error['msg']}."


def _tidy(schema: Any) -> Any:
    """A generated schema without pydantic's titles and null defaults."""
    if isinstance(schema, list):
        return [_tidy(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    tidy = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        tidy[key] = value if key in ("examples", "enum", "const") else _tidy(value)
    return tidy


def request_schema(model: type[BaseModel], components: dict) -> dict:
    """``model``'s JSON Schema for the document; its nested models go to ``components``."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = _tidy(definition)
    # The model's docstring is written for the code; the operation's summary says it here.
    schema.pop("description", None)
    return _tidy(schema)


def query_parameters(model: type[QAQuery]) -> list[dict]:
    """The OpenAPI query parameters of a :class:`QAQuery` model."""
    properties = request_schema(model, {})["properties"]
    return [{"name": name, "in": "query", "schema": schema} for name, schema in properties.items()]
