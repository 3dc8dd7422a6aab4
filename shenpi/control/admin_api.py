"""The admin API under ``/_shenpi/``: for tests and operators, off unless an admin token is configured.

Every call needs ``Authorization: Bearer <admin token>``; a wrong or missing token answers 401, and when
admin is off the whole prefix answers 404 as any unknown path does. Answers use the Open API envelope
(``{"code": 0, "msg": "success", "data": ...}``, errors with the HTTP status as ``code``), except
``GET /_shenpi/export``, whose body is the snapshot itself so that it can be saved and fed back to
``POST /_shenpi/import`` or ``shenpi serve --seed``.

=======  ==============================  ====================================================================
GET      /_shenpi/health                 version, schema, database, server time
GET      /_shenpi/version                ``{"version"}``
GET      /_shenpi/clock                  the server's time and how far it was moved
POST     /_shenpi/clock                  ``{"advance_seconds": N}`` moves time forward
POST     /_shenpi/reset                  back to the seed (``{"seed": {...}}`` replaces it); clears faults, journal
GET      /_shenpi/export                 the whole state as a snapshot (?include_secrets=1: with secrets)
POST     /_shenpi/import                 replace the whole state with a snapshot
GET      /_shenpi/journal                last requests and answers (``limit``, ``tenant_key``, ``endpoint``, ``app_id``)
DELETE   /_shenpi/journal                forget them
GET      /_shenpi/outbox                 events (``tenant_key``, ``instance_code``, ``after_id``, ``limit``)
POST     /_shenpi/outbox/redeliver       ``{"ids": [...]}`` marks outbox events for delivery again
GET      /_shenpi/deliveries             event deliveries (``state``: pending, delivered or dead; ``app_id``, ``limit``)
POST     /_shenpi/deliveries/replay      ``{"ids": [...]}`` puts dead-lettered deliveries back in the queue, due now
GET      /_shenpi/faults                 the fault rules in force
POST     /_shenpi/faults                 add one (see ``shenpi.control.faults``)
DELETE   /_shenpi/faults[/{id}]          remove all, or one
=======  ==============================  ====================================================================
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from shenpi import __version__, ids
from shenpi.api.wire import TooDeep, decode_json, envelope, read_body, respond
from shenpi.app import Shenpi
from shenpi.app.snapshots import SeedError, SnapshotError
from shenpi.control.faults import FaultError
from shenpi.control.plane import Control
from shenpi.hooks import Receive, Scope, Send

_encoder = msgspec.json.Encoder()
log = logging.getLogger("shenpi.admin")


class AdminError(Exception):
    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.msg = status, msg


class Request:
    def __init__(self, api: AdminApi, scope: Scope, body: Any, tail: str) -> None:
        self.svc, self.control, self.endpoints, self.body, self.tail = api.svc, api.control, api.endpoints, body, tail
        self.query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))

    def obj(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise AdminError(400, "the body must be a JSON object")
        return self.body

    def int_arg(self, name: str, default: int, lo: int = 0) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise AdminError(400, f"{name} must be an integer") from None
        if value < lo or value > MAX_ID:
            raise AdminError(400, f"{name} must be between {lo} and {MAX_ID}")
        return value


# The largest id or count a database column holds (a signed 64-bit integer): past it the driver raises.
MAX_ID = 2**63 - 1


def _ids(value: Any, what: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= MAX_ID
                                              for i in value):
        raise AdminError(400, f"ids must be a list of {what} ids (integers from 0 to {MAX_ID})")
    return value


Handler = Callable[[Request], Awaitable[Any]]


async def _health(r: Request) -> Any:
    schema = await r.svc.snapshots.schema_version()
    return {"status": "ok", "version": __version__, "schema_version": schema, "db": r.svc.store.url.split("@")[-1],
            "now_ms": r.svc.clock.now_ms(), "offset_ms": r.svc.clock.offset_ms, "faults": len(r.control.faults.list())}


async def _version(r: Request) -> Any:
    return {"version": __version__}


async def _clock(r: Request) -> Any:
    return {"now_ms": r.svc.clock.now_ms(), "offset_ms": r.svc.clock.offset_ms}


async def _advance_clock(r: Request) -> Any:
    seconds = r.obj().get("advance_seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise AdminError(400, "advance_seconds must be a non-negative number")
    try:
        r.svc.clock.advance(float(seconds))
    except ValueError as e:
        raise AdminError(400, f"advance_seconds is too large: {e}") from None
    if r.svc.events is not None:  # retries that just became due go out now, not at the worker's next poll
        r.svc.events.wake()
    if r.svc.mail is not None:  # likewise mail retries and digests, and the reminder timer's hours
        r.svc.mail.clock_moved()
    return await _clock(r)


async def _reset(r: Request) -> Any:
    seed = r.obj().get("seed") if r.body else None
    try:
        return await r.control.reset(seed)
    except (SeedError, SnapshotError) as e:
        raise AdminError(400, f"invalid seed: {e}") from None
    except (KeyError, TypeError, AttributeError, ValueError) as e:  # a malformed entry the seed loader tripped on
        raise AdminError(400, f"invalid seed: {type(e).__name__}: {e}") from None


async def _import(r: Request) -> Any:
    return await r.svc.snapshots.import_snapshot(r.body)


async def _journal(r: Request) -> Any:
    q = r.query
    return {"items": r.control.journal.entries(limit=r.int_arg("limit", 100), tenant_key=q.get("tenant_key"),
                                               endpoint=q.get("endpoint"), app_id=q.get("app_id"))}


async def _clear_journal(r: Request) -> Any:
    r.control.journal.clear()
    return {}


async def _outbox(r: Request) -> Any:
    items = await r.svc.deliveries.outbox(
        tenant_key=r.query.get("tenant_key"), instance_code=r.query.get("instance_code"),
        after_id=r.int_arg("after_id", 0), limit=r.int_arg("limit", 100, lo=1))
    return {"items": items}


async def _redeliver(r: Request) -> Any:
    body = r.obj()
    wanted = _ids(body.get("ids"), "outbox")
    tenant_key = body.get("tenant_key")
    if tenant_key is not None and not isinstance(tenant_key, str):
        raise AdminError(400, "tenant_key must be a string")
    marked = await r.svc.deliveries.request_redelivery(wanted, tenant_key=tenant_key)
    return {"marked": marked, "unknown": [i for i in wanted if i not in marked]}


async def _deliveries(r: Request) -> Any:
    """Event deliveries, e.g. ``?state=dead`` for the dead-letter list."""
    state = r.query.get("state", "")
    if state not in ("", "pending", "delivered", "dead"):
        raise AdminError(400, "state must be pending, delivered or dead")
    items = await r.svc.deliveries.overview(state=state, app_id=r.query.get("app_id", ""),
                                            limit=r.int_arg("limit", 1000, 1))
    return {"items": items}


async def _replay(r: Request) -> Any:
    """Dead letters back to pending, due now: ``{"ids": [delivery ids]}``."""
    wanted = _ids(r.obj().get("ids"), "delivery")
    replayed = await r.svc.deliveries.replay_dead(wanted)
    return {"replayed": replayed, "not_dead": [i for i in wanted if i not in replayed]}


async def _faults(r: Request) -> Any:
    return {"items": [rule.as_json() for rule in r.control.faults.list()]}


async def _add_fault(r: Request) -> Any:
    return r.control.faults.add(r.obj(), r.endpoints).as_json()


async def _clear_faults(r: Request) -> Any:
    if not r.tail:
        r.control.faults.clear()
        return {}
    if not r.tail.isdigit() or not r.control.faults.remove(int(r.tail)):
        raise AdminError(404, f"no fault {r.tail}")
    return {}


_ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "/_shenpi/health"): _health,
    ("GET", "/_shenpi/version"): _version,
    ("GET", "/_shenpi/clock"): _clock,
    ("POST", "/_shenpi/clock"): _advance_clock,
    ("POST", "/_shenpi/reset"): _reset,
    ("POST", "/_shenpi/import"): _import,
    ("GET", "/_shenpi/journal"): _journal,
    ("DELETE", "/_shenpi/journal"): _clear_journal,
    ("GET", "/_shenpi/outbox"): _outbox,
    ("POST", "/_shenpi/outbox/redeliver"): _redeliver,
    ("GET", "/_shenpi/deliveries"): _deliveries,
    ("POST", "/_shenpi/deliveries/replay"): _replay,
    ("GET", "/_shenpi/faults"): _faults,
    ("POST", "/_shenpi/faults"): _add_fault,
    ("DELETE", "/_shenpi/faults"): _clear_faults,
}


def _authorized(scope: Scope, admin_token: str) -> bool:
    """Only ``Authorization: Bearer <token>``; the token compared in constant time, so that the time an answer
    takes tells nothing about how much of a guess was right."""
    for k, v in scope["headers"]:
        if k == b"authorization":
            scheme, _, token = v.partition(b" ")
            return scheme == b"Bearer" and hmac.compare_digest(token.strip(), admin_token.encode())
    return False


class AdminApi:
    """The ``/_shenpi/`` endpoints as one ASGI app, over a server's application object and its control plane.

    ``endpoints`` are the Open API's SDK method names, which a fault rule's endpoint pattern is checked against."""

    def __init__(self, svc: Shenpi, control: Control, admin_token: str, endpoints: list[str]) -> None:
        self.svc, self.control, self.endpoints = svc, control, endpoints
        self._admin_token = admin_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        log_id = ids.log_id()
        path, method = scope["path"].rstrip("/"), scope["method"]
        if not _authorized(scope, self._admin_token):
            await respond(send, 401, envelope(401, "admin token required"), log_id)
            return
        raw = await read_body(receive)
        try:  # with the Open API's depth limit: a deeply nested body is the caller's mistake, not a crash
            body: Any = decode_json(raw) if raw else {}
        except TooDeep as e:
            await respond(send, 400, envelope(400, str(e)), log_id)
            return
        except msgspec.DecodeError:
            await respond(send, 400, envelope(400, "body is not valid JSON"), log_id)
            return
        tail = ""
        handler = _ROUTES.get((method, path))
        if handler is None and method == "DELETE" and path.startswith("/_shenpi/faults/"):
            handler, tail = _clear_faults, path.removeprefix("/_shenpi/faults/")
        if handler is None and (method, path) != ("GET", "/_shenpi/export"):
            await respond(send, 404, envelope(404, "no such admin endpoint"), log_id)
            return
        try:
            if handler is None:  # export: the body is the bare snapshot, ready to be saved and imported again
                query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
                include = query.get("include_secrets", "0").lower() in ("1", "true")
                snapshot = await self.svc.snapshots.export(include_secrets=include)
                await respond(send, 200, _encoder.encode(snapshot), log_id)
                return
            data = await handler(Request(self, scope, body, tail))
        except AdminError as e:
            await respond(send, e.status, envelope(e.status, e.msg), log_id)
            return
        except (FaultError, SnapshotError) as e:
            await respond(send, 400, envelope(400, str(e)), log_id)
            return
        except Exception as e:  # a bug, but the caller still gets JSON and a log id to report
            log.exception("admin %s %s failed (log id %s)", method, path, log_id)
            await respond(send, 500, envelope(500, f"{type(e).__name__}: {e}"), log_id)
            return
        await respond(send, 200, envelope(0, "success", data), log_id)
