"""The Feishu envelope and the plumbing every endpoint shares: routing, auth, scopes, limits, errors.

Raw ASGI rather than a framework on this path: the measured ceiling of raw ASGI is twice Starlette's on this
machine, and the Open API surface needs nothing but exact and one-segment-parameter routes.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import msgspec

from shenpi import ids
from shenpi.api.validation import RequestCheck, drop_nulls, request_check
from shenpi.app import Shenpi
from shenpi.contract import load as load_contract
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError, ParamInvalid
from shenpi.hooks import ServerHooks
from shenpi.logs import log_request
from shenpi.platform import errors as perr
from shenpi.platform.scopes import check_scopes, help_url
from shenpi.store.records import App, Token

log = logging.getLogger("shenpi.api")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

JSON_CT = b"application/json; charset=utf-8"
_NOT_DECODED: Any = object()  # Call.decoded when the dispatcher left the body to the handler
_encoder = msgspec.json.Encoder()
USER_ID_TYPES = ("open_id", "union_id", "user_id")
INTERNAL_ERROR_CODE = 1395001
# Each dialect's internal error, as its pages word it: approval v4 (and aPaaS), authen v1, contact v3.
INTERNAL_ERRORS = {INTERNAL_ERROR_CODE: "There have been some errors. Please try again later", 20050: "system error",
                   40003: "internal error"}


@dataclass(slots=True)
class Call:
    """One authorized request, as a handler sees it."""

    svc: Shenpi
    token: Token
    app: App
    query: dict[str, str]
    path: dict[str, str]
    raw_body: bytes
    log_id: str
    base_url: str = ""
    decoded: Any = _NOT_DECODED  # the body as the contract's check saw it: decoded once, its nulls dropped
    content_type: str = ""  # the request's Content-Type (a multipart upload reads its parts by it)
    _directory: Directory | None = None

    @property
    def tenant_key(self) -> str:
        return self.token.tenant_key

    @property
    def user_id_type(self) -> str:
        return self.query.get("user_id_type") or "open_id"

    async def directory(self) -> Directory:
        if self._directory is None:
            self._directory = await self.svc.directory(self.tenant_key)
        return self._directory

    def json_object(self) -> dict[str, Any]:
        """The body as a plain JSON object, for bodies too free-form for a Struct (definitions, external records)."""
        if self.decoded is not _NOT_DECODED:
            body = self.decoded
        else:
            body = decode_body(self.raw_body)
        if not isinstance(body, dict):
            raise ParamInvalid("the request body must be a JSON object", field="body")
        return body

    def body(self, struct: type[Any]) -> Any:
        """Decode the JSON body into a msgspec Struct; any mismatch is a 1390001 naming the field."""
        if self.decoded is not _NOT_DECODED:
            try:
                return msgspec.convert(self.decoded, type=struct)
            except msgspec.ValidationError as e:
                raise ParamInvalid(str(e), field=_field_of(str(e))) from None
        raw = self.raw_body or b"{}"
        try:
            if _may_be_too_deep(raw):
                decode_json(raw)
            return msgspec.json.decode(raw, type=struct)
        except msgspec.ValidationError as e:
            raise ParamInvalid(str(e), field=_field_of(str(e))) from None
        except TooDeep as e:
            raise ParamInvalid(str(e), field="body") from None
        except RecursionError:
            raise ParamInvalid(str(TooDeep()), field="body") from None
        except msgspec.DecodeError:
            raise ParamInvalid("the request body is not valid JSON", field="body") from None


def decode_body(raw: bytes) -> Any:
    """The request body as JSON values (an empty body is ``{}``); invalid or too deep JSON is 1390001."""
    try:
        return decode_json(raw or b"{}")
    except TooDeep as e:
        raise ParamInvalid(str(e), field="body") from None
    except msgspec.DecodeError:
        raise ParamInvalid("the request body is not valid JSON", field="body") from None


# No Feishu body nests anywhere near this deep (a form's field lists are a few levels); a deeper one would make every
# recursive walk of it (copying, encoding, msgspec's own decoder beyond ~1,000 levels) a RecursionError.
MAX_JSON_DEPTH = 100


class TooDeep(msgspec.DecodeError):
    def __init__(self) -> None:
        super().__init__(f"the request body nests deeper than {MAX_JSON_DEPTH} levels")


def _may_be_too_deep(raw: bytes) -> bool:
    return raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH  # a cheap bound: depth <= the number of openers


def decode_json(raw: bytes) -> Any:
    """``msgspec.json.decode(raw)``, nesting deeper than :data:`MAX_JSON_DEPTH` refused as :class:`TooDeep` (a
    DecodeError, so that a caller refusing invalid JSON refuses it too)."""
    try:
        value = msgspec.json.decode(raw)
    except RecursionError:
        raise TooDeep() from None
    if _may_be_too_deep(raw):
        stack = [(value, 1)]  # walked without recursion, which is the point
        while stack:
            node, depth = stack.pop()
            if depth > MAX_JSON_DEPTH:
                raise TooDeep()
            children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return value


def require(body: Any, *names: str) -> None:
    """1390001 naming the first of ``names`` that the decoded body left empty."""
    for name in names:
        if not getattr(body, name):
            raise ParamInvalid(f"{name} is required", field=name)


def _field_of(message: str) -> str:
    m = re.search(r"at `\$\.([^`]+)`", message) or re.search(r"field `([^`]+)`", message)
    return m.group(1) if m else ""


Handler = Callable[[Call], Awaitable[Any]]
# How a dialect answers a domain error: the error it puts on the wire instead (each dialect has its own codes).
ErrorTranslator = Callable[[DomainError], DomainError]


def same_error(exc: DomainError) -> DomainError:
    """Approval v4's translator: the engine's errors are Feishu's approval errors already."""
    return exc


@dataclass(slots=True)
class Route:
    method: str
    path: str  # with :name parameters, as in the SDK
    endpoint: str  # the SDK method name, key of the scope and rate-limit tables
    handler: Handler
    errors: ErrorTranslator = same_error  # the dialect's error mapping
    tokens: tuple[str, ...] = ("tenant",)
    user_id_type: bool = True  # whether the endpoint takes ?user_id_type
    regex: re.Pattern[str] | None = field(default=None)


def envelope(code: int, msg: str, data: Any = None, error: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"code": code, "msg": msg, "data": {} if data is None else data}
    if error:
        body["error"] = error
    return _encoder.encode(body)


async def respond(send: Send, status: int, body: bytes, log_id: str,
                  extra_headers: dict[str, str] | None = None) -> None:
    # Header names are sent exactly as written here: lark-oapi reads "X-Tt-Logid" case-sensitively.
    headers = [(b"Content-Type", JSON_CT), (b"Content-Length", str(len(body)).encode()),
               (b"X-Tt-Logid", log_id.encode())]
    for k, v in (extra_headers or {}).items():
        headers.append((k.encode(), v.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self.exact: dict[tuple[str, str], Route] = {}
        self.param: list[Route] = []
        self.paths: set[str] = set()
        for r in routes:
            if ":" in r.path:
                r.regex = re.compile("^" + re.sub(r":(\w+)", r"(?P<\1>[^/]+)", r.path) + "$")
                self.param.append(r)
            else:
                self.exact[(r.method, r.path)] = r
                self.paths.add(r.path)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path params, whether the path exists under another method)."""
        r = self.exact.get((method, path))
        if r is not None:
            return r, {}, False
        other_method = path in self.paths
        for r in self.param:
            assert r.regex is not None
            m = r.regex.match(path)
            if m:
                if r.method == method:
                    return r, {k: unquote(v) for k, v in m.groupdict().items()}, False
                other_method = True
        return None, {}, other_method


def client_host(scope: Scope) -> str:
    """The connection's peer address ("" when the server does not know it)."""
    client = scope.get("client")
    return str(client[0]) if client else ""


async def read_body(receive: Receive) -> bytes:
    # The server's body guard bounds what this gathers (413 past the limit) and how long it waits (408).
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), "")


def _base_url(scope: Scope) -> str:
    host = ""
    for k, v in scope["headers"]:
        if k == b"host":
            host = v.decode("latin-1")
            break
    if not host and scope.get("server"):
        server_host, server_port = scope["server"]
        host = f"{server_host}:{server_port}"
    return f"{scope.get('scheme', 'http')}://{host}"


def _error_object(log_id: str, exc: Exception) -> dict[str, Any]:
    err: dict[str, Any] = {"log_id": log_id}
    if isinstance(exc, perr.PlatformError):
        if exc.help_page:
            err["message"] = f"Refer to the documentation to fix the error: {help_url(exc.help_page)}"
        err.update(exc.error)
    elif isinstance(exc, DomainError) and exc.detail:
        err["message"] = exc.detail
        if exc.field:
            err["field_violations"] = [{"field": exc.field, "description": exc.detail}]
    return err


async def dispatch(svc: Shenpi, route: Route, params: dict[str, str], scope: Scope, receive: Receive,
                   send: Send, hooks: ServerHooks | None = None) -> None:
    started = time.perf_counter()
    log_id = ids.log_id()
    status, code, extra, app_id = 200, 0, None, None
    try:
        auth = None
        for k, v in scope["headers"]:
            if k == b"authorization":
                auth = v.decode("latin-1")
                break
        token = await svc.tokens.authenticate(auth, accept_user="user" in route.tokens,
                                              accept_tenant="tenant" in route.tokens, accept_app="app" in route.tokens)
        app = await svc.registry.app(token.app_id)
        if app is None:
            raise perr.InvalidTenantToken()
        app_id = app.app_id
        # The server's hooks (a test's faults and journal labels) see the call before anything counts or changes.
        if hooks is not None:
            await hooks.before_call(scope, token.tenant_key, app.app_id, route.endpoint)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        uid_type = query.get("user_id_type") or "open_id"
        # Every route has its contract file (tests/contract), so every route is in the table.
        check_scopes(route.endpoint, app.app_id, frozenset(app.scopes), user_id_type=uid_type if route.user_id_type else "")
        tenant = await svc.registry.tenant(token.tenant_key)
        await svc.rate_limiter.hit(token.tenant_key, app.app_id, route.endpoint,
                             tenant.rate_limit_scale if tenant else 1.0)
        if route.user_id_type and uid_type not in USER_ID_TYPES:
            raise ParamInvalid(f"user_id_type must be one of {', '.join(USER_ID_TYPES)}", field="user_id_type")
        raw = await read_body(receive)
        checks = request_check(route.endpoint)
        decoded = _NOT_DECODED if checks is None else checked_request(checks, params, query, raw)
        call = Call(svc, token, app, query, params, raw, log_id, _base_url(scope), decoded, _header(scope, b"content-type"))
        data = await route.handler(call)
        body = envelope(0, "success", data)
    except perr.PlatformError as exc:
        status, code, extra = exc.http_status, exc.code, exc.headers
        body = envelope(exc.code, exc.msg, None, _error_object(log_id, exc))
    except DomainError as exc:
        wire = route.errors(exc)
        status, code = wire.http_status, wire.code
        body = envelope(wire.code, wire.msg, None, _error_object(log_id, wire))
    except Exception:
        log.exception("unexpected error in %s (log id %s)", route.endpoint, log_id)
        status, code, body = internal_error(log_id, route.endpoint)
    await respond(send, status, body, log_id, extra)
    log_request(scope, status, code, started, log_id, app_id, route.endpoint)


def checked_request(checks: RequestCheck, path: dict[str, str], query: dict[str, str], raw: bytes) -> Any:
    """Check the path, query and body against the endpoint's contract; the body as decoded once, nulls dropped
    (or ``_NOT_DECODED`` for an endpoint without a body)."""
    ep = checks.endpoint
    checks.check_params(ep.path_params, checks.path, path, "path")
    checks.check_params(ep.query, checks.query, query, "query")
    if ep.body is None:
        return _NOT_DECODED
    value = decode_body(raw)
    if b"null" in raw:  # no null in the bytes, none to drop: the common case walks nothing
        drop_nulls(value)
    checks.check_body(value)
    return value


def internal_error(log_id: str, endpoint: str = "") -> tuple[int, int, bytes]:
    """The answer to a server fault (a bug, a database down), as (status, code, body): the internal error the
    endpoint's page lists, at the status it lists — approval's 1395001 at HTTP 400 on most pages (500 on the
    district pages), authen's 20050 at 500, contact's 40003 at 400 — or 1395001 at 400 for a path without a
    contract. Nothing of the fault itself goes out: the log id finds it in the server's log."""
    listed = load_contract().get(endpoint)
    entry = next((e for e in listed.errors if e.code in INTERNAL_ERRORS), None) if listed else None
    code, status = (entry.code, entry.http) if entry else (INTERNAL_ERROR_CODE, 400)
    # The pages that list their internal error at HTTP 500 (districts, authen) word it "system error".
    msg = "system error" if status == 500 else INTERNAL_ERRORS[code]
    return status, code, envelope(code, msg, None, {"log_id": log_id})
