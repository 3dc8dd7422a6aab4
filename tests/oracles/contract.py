"""Oracle (b): the contract's ``response`` schema (JSON Schema, draft 2020-12) of each endpoint that has a file.

The schema describes the envelope's ``data`` as Feishu's page documents it, every object closed
(``additionalProperties: false``) and the always-returned fields ``required``. Endpoints without a contract file
yet are left to the Node SDK oracle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

import shenpi

ENDPOINTS_DIR = Path(shenpi.__file__).resolve().parent / "contract" / "endpoints"


def response_schemas() -> dict[str, dict[str, Any]]:
    """The response schema of every endpoint with a contract file, through the contract's loader when it exists."""
    try:
        from shenpi.contract import load  # type: ignore[attr-defined]
    except ImportError:
        load = None
    if load is not None:
        return {name: dict(e.response) for name, e in load().items() if e.response is not None}
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(ENDPOINTS_DIR.glob("*.json")) if ENDPOINTS_DIR.is_dir() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("response") is not None:
            schemas[data["endpoint"]] = data["response"]
    return schemas


def mismatches(schema: dict[str, Any], data: Any) -> list[str]:
    """Each place where ``data`` breaks ``schema``: ``$.path: message``."""
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{e.json_path}: {e.message}" for e in sorted(validator.iter_errors(data), key=lambda e: e.json_path)]
