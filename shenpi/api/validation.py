"""Requests checked against the endpoint contract before a handler sees them.

The path and query values arrive as strings and are converted to the types the contract declares before the
check; the body is decoded once (bounded in depth), its JSON nulls dropped (Feishu takes a null as an absent
field), and checked against the contract's ``body`` schema. A failure is 1390001 naming the field
(``node_list[0].id``) with a short message; the route's error translator gives other dialects their own code.
An endpoint without a contract file is not checked here.

The schemas are compiled by fastjsonschema (the check on the hot path is generated Python, several times faster
than an interpreting validator); the contract's files use only keywords it reads the same way as draft 2020-12.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import fastjsonschema

from shenpi.contract import Endpoint, JsonSchema, load
from shenpi.engine.errors import ParamInvalid

Check = Callable[[Any], Any]

_TYPE_NAMES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "an object"}

_PATTERN_NAMES = {"^[0-9]+$": "a string of digits"}


def _field(name: str) -> str:
    """fastjsonschema's ``data.node_list[0].id`` as the field the caller sent: ``node_list[0].id``."""
    return name[5:] if name.startswith("data.") else "" if name == "data" else name


class SchemaRefusal(ParamInvalid):
    """A request the contract refuses: a 1390001 that also says which schema keyword refused it (``required``,
    ``enum``...), for the dialects whose pages give a missing field and a value out of its enum different codes."""

    def __init__(self, detail: str, field: str, rule: str) -> None:
        super().__init__(detail, field=field)
        self.rule = rule


def _refusal(e: fastjsonschema.JsonSchemaValueException, where: str) -> SchemaRefusal:
    field, rule, limit = _field(e.name or ""), e.rule, e.rule_definition
    if rule == "required" and isinstance(e.value, dict):
        missing = next((r for r in limit if r not in e.value), "")
        field = f"{field}.{missing}" if field else missing
        return SchemaRefusal(f"{field} is required", field, "required")
    shown = field or where
    messages = {
        "type": lambda: f"{shown} must be {_TYPE_NAMES.get(str(limit), str(limit))}",
        "enum": lambda: f"{shown} must be one of {', '.join(str(v) for v in limit)}",
        "maxLength": lambda: f"{shown} must be at most {limit} characters",
        "minLength": lambda: f"{shown} must be at least {limit} characters",
        "maxItems": lambda: f"{shown} must have at most {limit} items",
        "minItems": lambda: f"{shown} must have at least {limit} items",
        "maximum": lambda: f"{shown} must be at most {limit}",
        "minimum": lambda: f"{shown} must be at least {limit}",
        "pattern": lambda: f"{shown} must be {_PATTERN_NAMES[limit]}" if limit in _PATTERN_NAMES else
        f"{shown} must match {limit}",
    }
    message = messages[rule]() if rule in messages else e.message.replace("data", shown, 1)
    return SchemaRefusal(message, shown, str(rule))


def _compile(schema: JsonSchema | None) -> Check | None:
    if not schema:
        return None
    # The contract writes draft 2020-12; the keywords it allows mean the same in draft-07, fastjsonschema's newest.
    check: Check = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"})
    return check


def _scalar(value: str, schema: JsonSchema | None) -> Any:
    """A query or path value as the type its schema declares (left a string when it is not one: the check
    then names it)."""
    kind = (schema or {}).get("type")
    if kind == "integer" and value.isascii() and value.lstrip("-").isdigit() and len(value) <= 20:
        return int(value)
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean" and value.lower() in ("true", "false"):  # lark-oapi writes a Python bool: True
        return value.lower() == "true"
    return value


def drop_nulls(value: Any) -> Any:
    """``value`` without the object members that are JSON null, at any depth (array items are kept: a null in a
    list is no absent field)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k in [k for k, v in node.items() if v is None]:
                del node[k]
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return value


@dataclass(frozen=True, slots=True)
class RequestCheck:
    """One endpoint's compiled checks."""

    endpoint: Endpoint
    path: Check | None
    query: Check | None
    body: Check | None

    def check_params(self, schema: JsonSchema, check: Check | None, values: dict[str, str], where: str) -> None:
        if check is None:
            return
        props = schema.get("properties") or {}
        # An empty value is an absent one: clients send ``?user_id=`` for a parameter they leave out.
        typed = {k: _scalar(v, props.get(k)) for k, v in values.items() if v != ""}
        try:
            check(typed)
        except fastjsonschema.JsonSchemaValueException as e:
            raise _refusal(e, where) from None

    def check_body(self, value: Any) -> None:
        if self.body is None:
            return
        try:
            self.body(value)
        except fastjsonschema.JsonSchemaValueException as e:
            raise _refusal(e, "body") from None


@cache
def request_check(endpoint: str) -> RequestCheck | None:
    """The compiled checks of ``endpoint`` (None when it has no contract file yet), compiled on first use."""
    ep = load().get(endpoint)
    return None if ep is None else compile_checks(ep)


def compile_checks(ep: Endpoint) -> RequestCheck:
    return RequestCheck(ep, _compile(ep.path_params), _compile(ep.query), _compile(ep.body))
