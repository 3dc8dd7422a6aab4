"""A small leave-request app on Feishu approvals — the kind of integration shenpi exists to test.

An employee asks for days off; the app submits a DEMO-LEAVE approval instance. When Feishu pushes the
``approval_instance`` event, the app reacts: an approved request is booked in the team calendar, a rejected one
is reported back to the employee. Nothing here knows about shenpi: point the client at open.feishu.cn and it
runs against Feishu.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import CreateInstanceRequest, InstanceCreate, SubscribeApprovalRequest

APPROVAL_CODE = "DEMO-LEAVE"
TRANSIENT = {1395001, 99991400}  # "try again later" and rate limited: worth one more try
SUBSCRIPTION_EXISTED = 1390007


class FeishuError(RuntimeError):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"Feishu answered {code}: {msg}")
        self.code = code


@dataclass
class Booking:
    user_id: str
    days: int
    instance_code: str


@dataclass
class LeaveApp:
    client: lark.Client
    verification_token: str
    calendar: list[Booking] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (user_id, message)
    pending: dict[str, tuple[str, int]] = field(default_factory=dict)  # instance code -> (user, days)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """Ask Feishu to push this app the events of the leave process (once per app; again is harmless)."""
        resp = self.client.approval.v4.approval.subscribe(
            SubscribeApprovalRequest.builder().approval_code(APPROVAL_CODE).build())
        if resp.code not in (0, SUBSCRIPTION_EXISTED):
            raise FeishuError(resp.code, resp.msg)

    def request_leave(self, user_id: str, days: int, reason: str) -> str:
        """Submit the request; a transient error is retried once with the same uuid, so it is never filed twice."""
        form = json.dumps([{"id": "reason", "type": "textarea", "value": reason},
                           {"id": "days", "type": "number", "value": days}])
        body = (InstanceCreate.builder().approval_code(APPROVAL_CODE).user_id(user_id).form(form)
                .uuid(str(uuid.uuid4())).build())
        request = CreateInstanceRequest.builder().request_body(body).build()
        resp = self.client.approval.v4.instance.create(request)
        if resp.code in TRANSIENT:
            time.sleep(0.05)
            resp = self.client.approval.v4.instance.create(request)
        if resp.code != 0:
            raise FeishuError(resp.code, resp.msg)
        code = str(resp.data.instance_code)
        with self._lock:
            self.pending[code] = (user_id, days)
        return code

    def on_event(self, body: dict[str, Any]) -> None:
        """One pushed event (v1 ``event_callback``): react to the end of a leave request, ignore the rest."""
        if body.get("token") != self.verification_token:
            return  # not from our Feishu app
        event = body.get("event") or {}
        if event.get("type") != "approval_instance" or event.get("approval_code") != APPROVAL_CODE:
            return
        code, status = str(event.get("instance_code")), event.get("status")
        with self._lock:
            if status not in ("APPROVED", "REJECTED") or code not in self.pending:
                return  # still running, or already handled (pushes may repeat)
            user_id, days = self.pending.pop(code)
            if status == "APPROVED":
                self.calendar.append(Booking(user_id, days, code))
            else:
                self.notices.append((user_id, f"Your {days}-day leave request was declined."))


class EventEndpoint:
    """The app's event URL: a tiny HTTP server handing each push to ``handler`` (``LeaveApp.on_event``; a real app
    would use its web framework). Answers 200 as Feishu requires, and the URL-verification challenge."""

    def __init__(self, handler: Callable[[dict[str, Any]], None], host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                answer = {"challenge": body["challenge"]} if body.get("type") == "url_verification" else {}
                if not answer:
                    endpoint.handler(body)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self._server.server_port}/feishu/events"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> EventEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
