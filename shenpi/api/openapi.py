"""The API document: OpenAPI 3.1 for every routed endpoint, generated from the endpoint contract.

Each contract file becomes one operation: its method and path (``:name`` written ``{name}``), its path and query
parameters and request body (the contract's schemas, as they are), its 200 answer (Feishu's envelope whose ``data``
is the file's ``response`` schema), every code it documents under its HTTP status, the tokens that open it as
security requirements, its scopes and its reference page. The server serves it at ``/openapi.json`` and a page of
our own that reads it at ``/docs``; both are built once per process.

Two choices, so that the document reads and validates as it should:

- Scopes: an app holding any ONE of an endpoint's scopes may call it, while OpenAPI reads the scopes of one
  security requirement as all needed. So each (token, scope) pair is a requirement of its own (the alternatives),
  and ``x-scopes`` lists the page's permission row as written.
- A response schema's ``$defs`` are moved to ``components/schemas`` (named ``<endpoint>.<def>``): inside an OpenAPI
  document, ``#/$defs/...`` would point at the document's root.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from shenpi import __version__
from shenpi.contract import Endpoint, JsonSchema, load
from shenpi.platform import errors as perr

OPENAPI_VERSION = "3.1.0"
_SCHEMAS = "#/components/schemas/"
_LOG_ID_HEADER = {"X-Tt-Logid": {"$ref": "#/components/headers/LogId"}}
_TOKEN_SCHEMES = {
    "tenant": ("tenant_access_token", "A tenant_access_token (`t-...`) from POST "
               "/open-apis/auth/v3/tenant_access_token/internal with the app's app_id and app_secret."),
    "user": ("user_access_token", "A user_access_token (`u-...`), from the sign-in (OAuth) flow under "
             "/open-apis/authen/."),
    "app": ("app_access_token", "An app_access_token (`t-...`) from POST /open-apis/auth/v3/app_access_token/internal."),
}


def _platform_errors(ep: Endpoint) -> list[tuple[perr.PlatformError, str]]:
    """The codes every endpoint shares (the contract does not repeat them), each with when it is answered."""
    out: list[tuple[perr.PlatformError, str]] = [
        (perr.NeedToken(), "no Authorization header, or no token in it"),
        (perr.BadTokenPrefix(), "the token starts with neither t- nor u-"),
        (perr.InvalidTenantToken(), "the token is unknown, expired, or a kind this endpoint does not take"),
        (perr.InvalidUserToken(), "the user token is unknown or expired, or this endpoint takes no user token"),
    ]
    if "app" in ep.tokens and not {"tenant", "user"} & set(ep.tokens):
        out.append((perr.InvalidAppToken(), "a tenant or user token where this endpoint takes an app token"))
    if ep.scopes or ep.field_scopes:
        out.append((perr.ScopeDenied(), "the app holds none of the endpoint's scopes (or of the field scopes "
                                        "user_id_type=user_id needs)"))
    out += [
        (perr.RateLimited(), "the app called the endpoint more often than its rate limit allows"),
        (perr.BodyTooLarge(), "the request body is larger than the server's limit"),
        (perr.BodyTimeout(), "the request body did not arrive whole in time"),
    ]
    return out


def _rewrite_refs(schema: Any, prefix: str) -> Any:
    """``schema`` with every ``#/$defs/<name>`` reference pointing at ``components/schemas/<prefix><name>``."""
    if isinstance(schema, dict):
        return {k: (_SCHEMAS + prefix + v.removeprefix("#/$defs/")
                    if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/") else _rewrite_refs(v, prefix))
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [_rewrite_refs(item, prefix) for item in schema]
    return schema


def _hoisted(schema: JsonSchema, name: str, components: dict[str, Any]) -> JsonSchema:
    """A copy of ``schema`` whose ``$defs`` now live in ``components`` as ``<name>.<def>``."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    for def_name, definition in defs.items():
        components[f"{name}.{def_name}"] = _rewrite_refs(definition, f"{name}.")
    return _rewrite_refs(schema, f"{name}.") if defs else schema


def _parameters(ep: Endpoint) -> list[dict[str, Any]]:
    out = []
    for where, schema in (("path", ep.path_params), ("query", ep.query)):
        required = set(schema.get("required", ()))
        for name, prop in schema.get("properties", {}).items():
            out.append({"name": name, "in": where, "required": where == "path" or name in required,
                        "schema": copy.deepcopy(prop)})
    return out


def _security(ep: Endpoint) -> list[dict[str, list[str]]]:
    schemes = [_TOKEN_SCHEMES[t][0] for t in ep.tokens]
    if not ep.scopes:
        return [{scheme: []} for scheme in schemes]
    return [{scheme: [scope]} for scheme in schemes for scope in ep.scopes]


def _error_responses(ep: Endpoint) -> dict[str, Any]:
    """One response per HTTP status: the codes answered with it, each with when."""
    by_status: dict[int, dict[int, list[str]]] = {}
    for e in ep.errors:
        by_status.setdefault(e.http, {}).setdefault(e.code, []).append(e.when)
    for error, when in _platform_errors(ep):
        by_status.setdefault(error.http_status, {}).setdefault(error.code, []).append(when)
    out: dict[str, Any] = {}
    for status in sorted(by_status):
        codes = by_status[status]
        lines = [f"- `{code}` {'; '.join(whens)}" for code, whens in sorted(codes.items())]
        schema = {"allOf": [{"$ref": _SCHEMAS + "Error"}, {"properties": {"code": {"enum": sorted(codes)}}}]}
        out[str(status)] = {"description": "\n".join(lines), "headers": _LOG_ID_HEADER,
                            "content": {"application/json": {"schema": schema}}}
    return out


def _description(ep: Endpoint) -> str:
    parts = []
    if ep.rules:
        parts.append("Rules:\n\n" + "\n".join(f"- {r.rule}" for r in ep.rules))
    if ep.notes:
        parts.append("Notes:\n\n" + "\n".join(f"- {n}" for n in ep.notes))
    return "\n\n".join(parts)


def operation(ep: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI operation for one contract file (its response's ``$defs`` added to ``components``)."""
    success = {"type": "object", "required": ["code", "msg", "data"],
               "properties": {"code": {"const": 0}, "msg": {"type": "string"},
                              "data": _hoisted(ep.response, ep.endpoint, components)}}
    op: dict[str, Any] = {
        "operationId": ep.endpoint, "summary": ep.endpoint, "tags": [ep.endpoint.rsplit(".", 1)[0]],
        "security": _security(ep), "x-scopes": list(ep.scopes),
    }
    if ep.field_scopes:
        op["x-field-scopes"] = {k: list(v) for k, v in ep.field_scopes.items()}
    if description := _description(ep):
        op["description"] = description
    if ep.page:
        op["externalDocs"] = {"description": "Feishu's reference page", "url": ep.page}
    if parameters := _parameters(ep):
        op["parameters"] = parameters
    if ep.body is not None:
        op["requestBody"] = {"required": bool(ep.body.get("required")),
                             "content": {"application/json": {"schema": copy.deepcopy(ep.body)}}}
    responses = _error_responses(ep)
    ok = "`code` 0: success, `data` as the reference page documents it"
    if (errors := responses.get("200")) is not None:  # codes Feishu answers with HTTP 200 (the sign-in endpoints)
        errors["description"] = f"- {ok}\n{errors['description']}"
        errors["content"]["application/json"]["schema"] = {
            "anyOf": [success, errors["content"]["application/json"]["schema"]]}
    else:
        responses["200"] = {"description": ok, "headers": _LOG_ID_HEADER,
                            "content": {"application/json": {"schema": success}}}
    op["responses"] = dict(sorted(responses.items()))
    op["x-errors"] = [{"code": e.code, "http": e.http, "when": e.when, **({"source": e.source} if e.source else {})}
                      for e in ep.errors]
    op["x-platform-errors"] = [{"code": err.code, "http": err.http_status, "when": when}
                               for err, when in _platform_errors(ep)]
    return op


def openapi_path(path: str) -> str:
    """A route's path as OpenAPI writes it: ``/x/:name`` → ``/x/{name}``."""
    return "/".join(f"{{{seg[1:]}}}" if seg.startswith(":") else seg for seg in path.split("/"))


def build_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``endpoints``."""
    schemas: dict[str, Any] = {"Error": {
        "type": "object", "required": ["code", "msg"],
        "properties": {"code": {"type": "integer"}, "msg": {"type": "string"}, "data": {"type": "object"},
                       "error": {"type": "object", "properties": {"log_id": {"type": "string"}}}},
    }}
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    for ep in endpoints:
        op = operation(ep, schemas)
        paths.setdefault(openapi_path(ep.path), {})[ep.method.lower()] = op
        tags.update(dict.fromkeys(op["tags"]))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "shenpi Open API", "version": __version__, "description": _INFO},
        "tags": [{"name": t} for t in sorted(tags)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "headers": {"LogId": {"description": "the request's log id, also in the envelope's error.log_id",
                                  "schema": {"type": "string"}}},
            "securitySchemes": {name: {"type": "http", "scheme": "bearer", "description": text}
                                for name, text in _TOKEN_SCHEMES.values()},
        },
    }


_INFO = """\
Feishu's approval v4 and aPaaS v1 approval APIs (and the contact and sign-in endpoints they need), as shenpi serves
them. Generated from shenpi's endpoint contract: one operation per contract file, named by the SDK method.

Every answer is Feishu's envelope `{code, msg, data}`: `code` 0 with `data` on success, otherwise the documented
code under its HTTP status (`x-errors`: the endpoint's own codes; `x-platform-errors`: the token, scope, rate-limit
and body codes every endpoint shares). An app holding any one of `x-scopes` may call an endpoint (each scope is a
security requirement of its own). Every answer carries the `X-Tt-Logid` header.
"""


@cache
def document_json(endpoint_names: tuple[str, ...]) -> bytes:
    """The document for the named endpoints (in that order), encoded once per process."""
    contract = load()
    return json.dumps(build_document(contract[name] for name in endpoint_names), ensure_ascii=False).encode()


@cache
def docs_page(endpoint_names: tuple[str, ...]) -> bytes:
    """The ``/docs`` page: our own HTML, CSS and script (nothing from another origin), its index of endpoints written
    in, the rest drawn by its script from ``/openapi.json``."""
    contract = load()
    index = "\n".join(
        f'<li><a href="#{escape(name)}"><code class="m">{escape(contract[name].method)}</code> '
        f"{escape(name)}</a></li>" for name in endpoint_names)
    template = resources.files(__package__).joinpath("openapi.html").read_text(encoding="utf-8")
    return template.replace("<!--index-->", index).encode()
