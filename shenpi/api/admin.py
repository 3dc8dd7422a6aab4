"""The admin API under ``/_shenpi/``: for tests and operators, off unless an admin token is configured.

Every call needs ``Authorization: Bearer <admin token>``; a wrong or missing token answers 401, and when
admin is off the whole prefix answers 404 as any unknown path does.
"""

from __future__ import annotations

import secrets
from typing import Any

import msgspec

from shenpi import __version__, ids
from shenpi.api.wire import Receive, Scope, Send, envelope, read_body, respond
from shenpi.services import Shenpi


def _authorized(scope: Scope, admin_token: str) -> bool:
    for k, v in scope["headers"]:
        if k == b"authorization":
            value = v.decode("latin-1")
            return secrets.compare_digest(value.removeprefix("Bearer ").strip(), admin_token)
    return False


async def handle(svc: Shenpi, admin_token: str, scope: Scope, receive: Receive, send: Send) -> None:
    log_id = ids.log_id()
    path, method = scope["path"], scope["method"]
    if not _authorized(scope, admin_token):
        await respond(send, 401, envelope(401, "admin token required"), log_id)
        return
    raw = await read_body(receive)
    try:
        body: Any = msgspec.json.decode(raw) if raw else {}
    except msgspec.DecodeError:
        await respond(send, 400, envelope(400, "body is not valid JSON"), log_id)
        return
    if path == "/_shenpi/health" and method == "GET":
        data = {"version": __version__, "db": svc.store.url.split("@")[-1], "now_ms": svc.clock.now_ms()}
    elif path == "/_shenpi/clock" and method == "GET":
        data = {"now_ms": svc.clock.now_ms(), "offset_ms": svc.clock.offset_ms}
    elif path == "/_shenpi/clock" and method == "POST":
        seconds = body.get("advance_seconds") if isinstance(body, dict) else None
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            await respond(send, 400, envelope(400, "advance_seconds must be a non-negative number"), log_id)
            return
        svc.clock.advance(float(seconds))
        data = {"now_ms": svc.clock.now_ms(), "offset_ms": svc.clock.offset_ms}
    else:
        await respond(send, 404, envelope(404, "no such admin endpoint"), log_id)
        return
    await respond(send, 200, envelope(0, "success", data), log_id)
