"""Shared fixtures-as-functions for the event tests: apps, a directory, outbox rows, a movable clock."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import lark_oapi as lark

from shenpi.engine.directory import Directory, User
from shenpi.events.payloads import OutboxEvent
from shenpi.store.records import App

T = TypeVar("T")

TENANT = "tenant_acme"
APPROVAL = "7C468A54-8745-2245-9675-08B7C63E7A85"
T0 = 1_700_000_000_000  # ms


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def app(encrypt_key: str = "test_encrypt_key_123", *, url: str = "", app_id: str = "cli_events") -> App:
    return App(app_id=app_id, tenant_key=TENANT, app_secret="secret", event_url=url,
               verification_token="vtoken_" + app_id, encrypt_key=encrypt_key)


def directory() -> Directory:
    users = [User(user_id=u, name=u, open_id="ou_" + u, union_id="on_" + u, apaas_user_id="17" + u)
             for u in ("alice", "bob", "carol")]
    return Directory(TENANT, users, [])


class FakeClock:
    def __init__(self, ms: int = T0) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


_next_id = [0]


def outbox(kind: str, status: str, *, instance: str = "IC-1", task_id: str = "", user_id: str = "",
           node_key: str = "", extra: dict[str, Any] | None = None, at: int = T0, oid: int | None = None) -> OutboxEvent:
    if oid is None:
        _next_id[0] += 1
        oid = _next_id[0]
    return OutboxEvent(id=oid, tenant_key=TENANT, approval_code=APPROVAL, instance_code=instance, kind=kind,
                       status=status, operate_time=at, task_id=task_id, user_id=user_id, node_key=node_key,
                       extra=extra or {}, created_at=at)


def lark_handler(a: App, sink: list[tuple[str, Any]]) -> lark.EventDispatcherHandler:
    """The official SDK's handler for ``a``'s credentials, with every approval event type registered into ``sink``."""
    b = lark.EventDispatcherHandler.builder(a.encrypt_key, a.verification_token, lark.LogLevel.CRITICAL)
    for t in ("approval_instance", "approval_task", "approval_cc"):
        b = b.register_p1_customized_event(t, lambda data, t=t: sink.append((t, data)))
    return (
        b.register_p2_approval_instance_status_changed_v4(lambda d: sink.append(("approval.instance.status_changed_v4", d)))
        .register_p2_approval_task_status_changed_v4(lambda d: sink.append(("approval.task.status_changed_v4", d)))
        .register_p2_approval_approval_updated_v4(lambda d: sink.append(("approval.approval.updated_v4", d)))
        .build()
    )
