"""Every contract file follows the format: it loads, its name is its endpoint, its method and path are the route's,
its schemas are draft 2020-12 written with the keywords the format allows, requests stay open and JSON null is
never a request type, and every object of a response is closed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema
import pytest

from shenpi.api.app import ROUTES
from shenpi.contract import ContractFileError, Endpoint, load, parse

CONTRACT = load()
ENDPOINTS = sorted(CONTRACT)
ROUTE_OF = {r.endpoint: r for r in ROUTES}
KEYWORDS = {"type", "properties", "required", "enum", "minLength", "maxLength", "minItems", "maxItems", "items",
            "pattern", "minimum", "maximum", "additionalProperties", "oneOf", "anyOf", "$defs", "$ref"}
SCHEMAS = ("path_params", "query", "body", "response")


def _schemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside ``node`` with its location (properties' and $defs' names are not schemas)."""
    if not isinstance(node, dict):
        return
    yield where, node
    for key in ("properties", "$defs"):
        for name, sub in (node.get(key) or {}).items():
            yield from _schemas(sub, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        yield from _schemas(node.get(key), f"{where}[]" if key == "items" else f"{where}.*")
    for key in ("oneOf", "anyOf"):
        for i, sub in enumerate(node.get(key) or ()):
            yield from _schemas(sub, f"{where}|{i}")


def test_the_loader_reads_the_packaged_files() -> None:
    folder = resources.files("shenpi.contract").joinpath("endpoints")
    names = sorted(e.name for e in folder.iterdir() if e.name.endswith(".json")) if folder.is_dir() else []
    assert [f"{e}.json" for e in ENDPOINTS] == names
    assert load() is CONTRACT  # read once per process


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(ContractFileError, match="unknown keys"):
        parse({"endpoint": "x", "method": "GET", "path": "/", "tokens": [], "scopes": [], "response": {},
               "scope": []}, "x.json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_file_names_a_route_by_its_method_and_path(name: str) -> None:
    ep: Endpoint = CONTRACT[name]
    route = ROUTE_OF.get(name)
    assert route is not None, f"{name} is not a routed endpoint"
    assert (ep.method, ep.path) == (route.method, route.path)
    assert set(ep.tokens) <= {"tenant", "user", "app"} and ep.tokens
    # The page's permission row; only the sign-in pages (authen v1, called with an app or a user token) have
    # none ("无": any app may call them).
    assert ep.scopes or "tenant" not in ep.tokens, "the page's permission row"
    for scope in (*ep.scopes, *(s for field in ep.field_scopes.values() for s in field)):
        assert re.fullmatch(r"[a-z_]+(:[a-z_.]+)+", scope), f"{scope!r} is no scope name"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_schemas_are_draft_2020_12_with_the_allowed_keywords(name: str) -> None:
    ep = CONTRACT[name]
    for part in SCHEMAS:
        schema = getattr(ep, part)
        if schema is None:
            assert part == "body"
            continue
        jsonschema.Draft202012Validator.check_schema(schema)
        for where, node in _schemas(schema, part):
            assert set(node) <= KEYWORDS, f"{where}: {sorted(set(node) - KEYWORDS)}"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_requests_are_open_and_never_typed_null(name: str) -> None:
    ep = CONTRACT[name]
    for part in ("path_params", "query", "body"):
        for where, node in _schemas(getattr(ep, part), part):
            types = node.get("type")
            assert "null" not in (types if isinstance(types, list) else [types]), f"{where}: a null is absent"
            assert node.get("additionalProperties", True) is True, f"{where}: requests ignore unknown fields"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_every_response_object_is_closed(name: str) -> None:
    for where, node in _schemas(CONTRACT[name].response, "response"):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{where}: a field nobody documents is an error"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_errors_carry_codes_and_statuses(name: str) -> None:
    for e in CONTRACT[name].errors:
        assert isinstance(e.code, int) and e.http in (200, 400, 403, 404, 429, 500), e
        assert e.code not in (99991663, 99991672, 99991400), "platform codes are not repeated per file"


ERROR_KEYS = {"code", "http", "when", "test", "source", "unreachable"}
RULE_KEYS = {"rule", "test", "unreachable"}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_entry_names_its_test_or_says_why_none_can_exist(name: str) -> None:
    """An entry is tested, or unreachable with a sentence saying why, or untested (coverage counts it); never
    both tested and unreachable, and never a reason that says nothing."""
    raw = json.loads(resources.files("shenpi.contract").joinpath("endpoints", f"{name}.json").read_text("utf-8"))
    for entry in raw.get("errors", []):
        assert set(entry) <= ERROR_KEYS, f"{entry.get('code')}: {sorted(set(entry) - ERROR_KEYS)}"
    for entry in raw.get("rules", []):
        assert set(entry) <= RULE_KEYS, f"{entry.get('rule')}: {sorted(set(entry) - RULE_KEYS)}"
    for entry in (*CONTRACT[name].errors, *CONTRACT[name].rules):
        assert not (entry.test and entry.unreachable), f"{entry}: tested and unreachable at once"
        if entry.unreachable is not None:
            assert len(entry.unreachable.split()) >= 6 and entry.unreachable.endswith("."), \
                f"{entry}: the reason is one sentence saying why"


def test_every_route_has_a_contract_file() -> None:
    missing = sorted(r.endpoint for r in ROUTES if r.endpoint not in CONTRACT)
    assert missing == [], f"{len(missing)} of {len(ROUTES)} routes have no contract file"
