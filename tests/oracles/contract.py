"""Oracle (b): the contract's ``response`` schema (JSON Schema, draft 2020-12) of each endpoint that has a file.

The schema describes the envelope's ``data`` as Feishu's page documents it, every object closed
(``additionalProperties: false``) and the always-returned fields ``required``. Endpoints without a contract file
yet are left to the Node SDK oracle.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from shenpi.contract import load


def response_schemas() -> dict[str, dict[str, Any]]:
    """The response schema of every endpoint with a contract file, read through the contract's loader."""
    return {name: e.response for name, e in load().items() if e.response is not None}


def mismatches(schema: dict[str, Any], data: Any) -> list[str]:
    """Each place where ``data`` breaks ``schema``: ``$.path: message``."""
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{e.json_path}: {e.message}" for e in sorted(validator.iter_errors(data), key=lambda e: e.json_path)]
