"""The endpoint contract as data: one JSON file per routed endpoint, written from Feishu's reference pages.

Each file (``endpoints/<endpoint>.json``, named by the SDK method name a Route carries) says what the page says:
the tokens and scopes that grant the endpoint, JSON Schemas of its path, query, body and response, its documented
error codes and rules, and, for each, the test that proves shenpi answers it. Request validation, the scope table
and docs/coverage.md read it, so a rule lives in one place. This package is pure data: it imports nothing of
shenpi, and everything above it may read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

JsonSchema = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """A code the endpoint answers: its HTTP status, the condition in our words, and the test that proves it.

    ``source`` is None for a code the endpoint's own page lists. A code shenpi answers beyond that list names where
    it comes from instead: the page of a sibling endpoint that documents it for the same condition, or
    ``docs/compatibility.md`` where the choice is ours; the fuzz test holds every answer to this list."""

    code: int
    http: int
    when: str
    test: str | None
    source: str | None = None
    unreachable: str | None = None  # why no client can bring the condition about in shenpi (then no test)


@dataclass(frozen=True, slots=True)
class Rule:
    """A documented rule that is not a code of its own (a limit, an enum, a conditional requirement)."""

    rule: str
    test: str | None
    unreachable: str | None = None  # why the rule cannot apply in shenpi (then no test)


@dataclass(frozen=True, slots=True)
class Endpoint:
    endpoint: str  # the SDK method name, as Route.endpoint
    method: str
    path: str  # with :name parameters, as the routes write it
    page: str | None  # the public URL of the reference page the file was written from
    tokens: tuple[str, ...]  # tenant, user, app
    scopes: tuple[str, ...]  # the page's permission row: any one of them grants the endpoint
    field_scopes: MappingProxyType[str, tuple[str, ...]]  # e.g. user_id -> the field scope user_id_type=user_id needs
    path_params: JsonSchema
    query: JsonSchema
    body: JsonSchema | None  # None for an endpoint without a body
    response: JsonSchema  # the envelope's ``data``
    errors: tuple[ErrorCode, ...]
    rules: tuple[Rule, ...]
    notes: tuple[str, ...]

    def tests(self) -> list[str]:
        """Every test node id the file names."""
        return [t for t in (*(e.test for e in self.errors), *(r.test for r in self.rules)) if t]


_EMPTY_OBJECT: JsonSchema = {"type": "object", "properties": {}}
_KEYS = {"endpoint", "method", "path", "page", "tokens", "scopes", "field_scopes", "path_params", "query", "body",
         "response", "errors", "rules", "notes"}


class ContractFileError(ValueError):
    """A contract file that does not follow the format (a bug in the file, found when it is loaded)."""


def parse(data: dict[str, Any], source: str = "") -> Endpoint:
    """One endpoint from a contract file's decoded JSON."""
    unknown = set(data) - _KEYS
    if unknown:
        raise ContractFileError(f"{source}: unknown keys {sorted(unknown)}")
    try:
        return Endpoint(
            endpoint=data["endpoint"], method=data["method"], path=data["path"], page=data.get("page"),
            tokens=tuple(data["tokens"]), scopes=tuple(data["scopes"]),
            field_scopes=MappingProxyType({k: tuple(v) for k, v in (data.get("field_scopes") or {}).items()}),
            path_params=data.get("path_params") or _EMPTY_OBJECT, query=data.get("query") or _EMPTY_OBJECT,
            body=data.get("body"), response=data["response"],
            errors=tuple(ErrorCode(code=e["code"], http=e["http"], when=e["when"], test=e.get("test"),
                                   source=e.get("source"), unreachable=e.get("unreachable"))
                         for e in data.get("errors", ())),
            rules=tuple(Rule(rule=r["rule"], test=r.get("test"), unreachable=r.get("unreachable"))
                        for r in data.get("rules", ())),
            notes=tuple(data.get("notes", ())),
        )
    except (KeyError, TypeError) as e:
        raise ContractFileError(f"{source}: {e!r}") from None


@cache
def load() -> MappingProxyType[str, Endpoint]:
    """Every contract file shipped with the package, by endpoint name (read once per process)."""
    out: dict[str, Endpoint] = {}
    folder = resources.files(__package__).joinpath("endpoints")
    for entry in sorted(folder.iterdir() if folder.is_dir() else (), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        ep = parse(json.loads(entry.read_text(encoding="utf-8")), entry.name)
        if entry.name != f"{ep.endpoint}.json":
            raise ContractFileError(f"{entry.name}: names endpoint {ep.endpoint}")
        out[ep.endpoint] = ep
    return MappingProxyType(out)


__all__ = ["ContractFileError", "Endpoint", "ErrorCode", "JsonSchema", "Rule", "load", "parse"]
