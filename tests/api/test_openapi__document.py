"""GET /openapi.json: a valid OpenAPI 3.1 document with one operation per route, written from the endpoint contract;
GET /docs: our own page for it, which loads nothing from another origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from shenpi.api.app import ROUTES
from shenpi.contract import Endpoint, load
from shenpi.testing import ShenpiProcess
from tests.conftest import start_server

CONTRACT = load()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    # The document does not depend on the store: one SQLite server is enough.
    server = start_server(tmp_path_factory.mktemp("openapi"), "openapi")
    yield server
    server.close()


@pytest.fixture(scope="module")
def doc(srv: ShenpiProcess) -> dict[str, Any]:
    r = httpx.get(f"{srv.base_url}/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    return body


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId → (METHOD, path, operation)."""
    return {op["operationId"]: (method.upper(), path, op)
            for path, item in doc["paths"].items() for method, op in item.items()}


def resolved(doc: dict[str, Any], schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """``schema`` with every reference replaced by what it points at: into the document, or, for a contract file's
    own schema, into its ``$defs``."""
    if isinstance(schema, list):
        return [resolved(doc, item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if isinstance(schema.get("$ref"), str):
        ref: str = schema["$ref"]
        if ref.startswith("#/$defs/"):
            assert defs is not None, ref
            return resolved(doc, defs[ref.removeprefix("#/$defs/")], defs)
        target: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return resolved(doc, target, defs)
    return {k: resolved(doc, v, defs) for k, v in schema.items() if k != "$defs"}


def test_the_document_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1.")
    errors = [str(e.message) for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []


def test_the_validator_refuses_a_broken_document(doc: dict[str, Any]) -> None:
    """Canary: the check above can fail."""
    broken = {**doc, "paths": {"/x": {"get": {"responses": {"200": {}}}}}}  # a response needs its description
    assert list(OpenAPIV31SpecValidator(broken).iter_errors())


def test_every_route_is_an_operation_named_by_its_endpoint(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    routes = {r.endpoint: (r.method, re.sub(r":(\w+)", r"{\1}", r.path)) for r in ROUTES}
    assert {name: (method, path) for name, (method, path, _) in ops.items()} == routes
    assert len(ops) == len(ROUTES) == 65  # with the approval file upload (approval.v2.file.upload)
    sdk_methods = [name for name in ops if name.startswith(("approval.v4.", "apaas.v1."))]
    assert len(sdk_methods) == 57


def test_every_operations_request_schemas_are_its_contract_files(doc: dict[str, Any]) -> None:
    for name, (_, _, op) in operations(doc).items():
        ep = CONTRACT[name]
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        assert body == ep.body, name
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        expected = {("path", n): s for n, s in ep.path_params.get("properties", {}).items()}
        expected |= {("query", n): s for n, s in ep.query.get("properties", {}).items()}
        assert {k: p["schema"] for k, p in params.items()} == expected, name
        for (where, n), p in params.items():
            assert p["required"] == (where == "path" or n in ep.query.get("required", [])), (name, n)


def test_every_answer_is_the_envelope_of_its_contracts_response(doc: dict[str, Any]) -> None:
    for name, (_, _, op) in operations(doc).items():
        ep = CONTRACT[name]
        success = op["responses"]["200"]["content"]["application/json"]["schema"]
        if "anyOf" in success:  # an endpoint that answers some of its codes with HTTP 200 too
            success = success["anyOf"][0]
        assert success["required"] == ["code", "msg", "data"] and success["properties"]["code"] == {"const": 0}
        data = resolved(doc, success["properties"]["data"])
        assert data == resolved(doc, ep.response, ep.response.get("$defs")), name


def test_every_documented_code_answers_under_its_http_status(doc: dict[str, Any]) -> None:
    for name, (_, _, op) in operations(doc).items():
        ep = CONTRACT[name]
        assert op["x-errors"] == [{"code": e.code, "http": e.http, "when": e.when,
                                   **({"source": e.source} if e.source else {})} for e in ep.errors], name
        answered = [(e.code, e.http) for e in ep.errors] + [(e["code"], e["http"]) for e in op["x-platform-errors"]]
        for code, http in answered:
            response = op["responses"][str(http)]
            schema = response["content"]["application/json"]["schema"]
            schema = schema["anyOf"][1] if "anyOf" in schema else schema
            codes = schema["allOf"][1]["properties"]["code"]["enum"]
            assert code in codes, (name, code)
            assert f"`{code}`" in response["description"], (name, code)


def test_the_shared_codes_are_those_the_wire_answers(doc: dict[str, Any]) -> None:
    reject = operations(doc)["approval.v4.task.reject"][2]
    shared = {(e["code"], e["http"]) for e in reject["x-platform-errors"]}
    # no token, bad prefix, invalid tenant and user tokens, scope, rate limit, body too large and too slow
    assert shared == {(99991661, 400), (99991671, 400), (99991663, 400), (99991668, 400), (99991672, 400),
                      (99991400, 429), (99992402, 413), (99992402, 408)}
    user_info = operations(doc)["authen.v1.user_info.get"][2]
    assert 99991672 not in {e["code"] for e in user_info["x-platform-errors"]}  # it needs no scope


def test_tokens_scopes_and_pages_are_the_contracts(doc: dict[str, Any]) -> None:
    schemes = {"tenant": "tenant_access_token", "user": "user_access_token", "app": "app_access_token"}
    for name, (_, _, op) in operations(doc).items():
        ep: Endpoint = CONTRACT[name]
        assert op["x-scopes"] == list(ep.scopes), name
        assert {s for requirement in op["security"] for s in requirement} == {schemes[t] for t in ep.tokens}, name
        granted = {scope for requirement in op["security"] for scopes in requirement.values() for scope in scopes}
        assert granted == set(ep.scopes), name
        assert all(len(scopes) <= 1 for requirement in op["security"] for scopes in requirement.values()), name
        assert op.get("externalDocs", {}).get("url") == ep.page, name
        assert set(doc["components"]["securitySchemes"]) >= {schemes[t] for t in ep.tokens}


def test_every_reference_in_the_document_resolves(doc: dict[str, Any]) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    assert any(r.startswith("#/components/schemas/approval.v4.instance.get.") for r in refs)
    for ref in refs:
        target: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict) and part in target, ref
            target = target[part]


def test_a_method_other_than_get_is_405(srv: ShenpiProcess) -> None:
    r = httpx.post(f"{srv.base_url}/openapi.json")
    assert r.status_code == 405 and r.json()["code"] == 99991301


class _Sources(HTMLParser):
    """Every address the page would load by itself: script, style sheet, image, frame, media sources, and any
    ``url(...)`` or ``@import`` in its styles."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for k, v in attrs:
            if v and (k in ("src", "srcset", "data", "poster") or (tag == "link" and k == "href")):
                self.sources.append(v)

    def handle_data(self, data: str) -> None:
        self.sources += re.findall(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", data)  # type: ignore[arg-type]


def foreign_sources(html: str) -> list[str]:
    parser = _Sources()
    parser.feed(html)
    found = [s if isinstance(s, str) else "".join(s) for s in parser.sources]
    return [s for s in found if re.match(r"\s*(https?:)?//", s, re.I)]


def test_the_source_check_finds_a_cdn() -> None:
    """Canary: the check below can fail."""
    assert foreign_sources('<script src="https://cdn.example/x.js"></script>') == ["https://cdn.example/x.js"]
    assert foreign_sources('<link rel="stylesheet" href="//cdn.example/x.css">') == ["//cdn.example/x.css"]
    assert foreign_sources("<style>@import 'http://x.example/a.css';</style>") == ["http://x.example/a.css"]
    assert foreign_sources('<script src="/app.js"></script><a href="https://open.feishu.cn/">page</a>') == []


def test_the_docs_page_names_every_endpoint_and_loads_nothing_from_elsewhere(srv: ShenpiProcess) -> None:
    r = httpx.get(f"{srv.base_url}/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    for route in ROUTES:
        assert f'href="#{route.endpoint}"' in html, route.endpoint
    assert "/openapi.json" in html
    assert foreign_sources(html) == []
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp

