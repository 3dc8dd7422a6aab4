"""The dispatcher's contract check, on a contract written for the test: query values converted before the check,
JSON null taken as absent, a refusal is 1390001 naming the field with a short message, unknown fields ignored."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from shenpi.api.validation import compile_checks, drop_nulls
from shenpi.api.wire import Call, checked_request
from shenpi.contract import parse
from shenpi.engine.errors import ParamInvalid

CONTRACT = parse({
    "endpoint": "test.v1.thing.create", "method": "POST", "path": "/open-apis/test/v1/things/:thing_id",
    "page": None, "tokens": ["tenant"], "scopes": ["test:thing"],
    "path_params": {"type": "object", "required": ["thing_id"], "properties": {"thing_id": {"type": "integer"}}},
    "query": {"type": "object", "properties": {
        "page_size": {"type": "integer", "minimum": 1, "maximum": 50},
        "user_id_type": {"type": "string", "enum": ["open_id", "union_id", "user_id"]},
        "with_admin": {"type": "boolean"}}},
    "body": {"type": "object", "required": ["name", "node_list"], "properties": {
        "name": {"type": "string", "maxLength": 5},
        "comment": {"type": "string"},
        "node_list": {"type": "array", "maxItems": 2, "items": {
            "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "note": {"type": "string"}}}},
        "when": {"type": "string", "pattern": "^[0-9]+$"}}},
    "response": {"type": "object", "additionalProperties": False, "properties": {}},
}, "test")
CHECKS = compile_checks(CONTRACT)
GOOD = {"name": "leave", "node_list": [{"id": "a"}]}


def check(body: Any = GOOD, query: dict[str, str] | None = None, path: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return checked_request(CHECKS, {"thing_id": "7"} if path is None else path, query or {}, raw)


def refusal(**kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ParamInvalid) as e:
        check(**kwargs)
    assert e.value.code == 1390001
    return e.value.field, e.value.detail


def test_a_well_formed_request_passes_as_decoded() -> None:
    assert check() == GOOD


def test_null_for_an_optional_field_is_taken_as_absent() -> None:
    assert check({**GOOD, "comment": None, "node_list": [{"id": "a", "note": None}]}) == GOOD


def test_the_handler_sees_the_body_without_its_nulls() -> None:
    class Body(msgspec.Struct):  # like the handlers' Structs: a str field refuses null
        name: str
        comment: str = ""

    decoded = check({**GOOD, "comment": None})
    call = Call(None, None, None, {}, {}, b"", "log", decoded=decoded)  # type: ignore[arg-type]
    assert call.body(Body) == Body(name="leave")
    assert call.json_object() == GOOD


def test_null_for_a_required_field_is_refused_naming_it() -> None:
    assert refusal(body={**GOOD, "name": None}) == ("name", "name is required")
    assert refusal(body={**GOOD, "node_list": [{"id": None}]}) == ("node_list[0].id", "node_list[0].id is required")


def test_a_value_of_another_type_is_refused_naming_it() -> None:
    assert refusal(body={**GOOD, "name": 5}) == ("name", "name must be a string")
    assert refusal(body={**GOOD, "node_list": [{"id": 3}]}) == ("node_list[0].id", "node_list[0].id must be a string")
    assert refusal(body=[GOOD]) == ("body", "body must be an object")


def test_length_count_and_pattern_limits_are_refused_naming_the_field() -> None:
    assert refusal(body={**GOOD, "name": "holiday"}) == ("name", "name must be at most 5 characters")
    assert check({**GOOD, "name": "假期申请书"})["name"] == "假期申请书"  # characters, not bytes
    assert refusal(body={**GOOD, "node_list": [{"id": "a"}] * 3}) == ("node_list", "node_list must have at most 2 items")
    assert refusal(body={**GOOD, "when": "soon"}) == ("when", "when must be a string of digits")


def test_unknown_fields_are_ignored() -> None:
    assert check({**GOOD, "colour": "red", "node_list": [{"id": "a", "x": [1]}]})["colour"] == "red"


def test_query_and_path_values_are_converted_to_their_declared_types() -> None:
    check(query={"page_size": "50", "with_admin": "true", "user_id_type": "user_id", "other": "x"})
    assert refusal(query={"page_size": "51"}) == ("page_size", "page_size must be at most 50")
    assert refusal(query={"page_size": "0"}) == ("page_size", "page_size must be at least 1")
    assert refusal(query={"page_size": "ten"}) == ("page_size", "page_size must be an integer")
    assert refusal(query={"with_admin": "yes"}) == ("with_admin", "with_admin must be true or false")
    assert refusal(query={"user_id_type": "email"}) == (
        "user_id_type", "user_id_type must be one of open_id, union_id, user_id")
    assert refusal(path={"thing_id": "seven"}) == ("thing_id", "thing_id must be an integer")


def test_an_empty_query_value_is_absent() -> None:
    check(query={"page_size": "", "user_id_type": ""})


def test_a_body_that_is_not_json_or_too_deep_is_refused_naming_the_body() -> None:
    assert refusal(body=b"{not json")[0] == "body"
    assert refusal(body=b"[" * 200 + b"]" * 200)[0] == "body"


def test_an_empty_body_is_an_empty_object() -> None:
    assert refusal(body=b"") == ("name", "name is required")


def test_nulls_in_lists_are_kept_and_checked() -> None:
    assert drop_nulls({"a": [None, {"b": None, "c": 1}], "d": None}) == {"a": [None, {"c": 1}]}
    assert refusal(body={**GOOD, "node_list": [None]}) == ("node_list[0]", "node_list[0] must be an object")
