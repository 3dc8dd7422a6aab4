"""The store interface. Every backend implements it; SQL dialect never leaves the backend's module.

All state changes go through ``transaction()``: one database transaction, committed when the block exits
normally and rolled back on any exception, so a request never leaves a half-applied change.
``load_aggregate`` locks the instance (row lock or the database's write lock) until the transaction ends,
which is how concurrent actions on one instance are serialized.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import Aggregate, Definition, Instance, Task, TimelineEntry
from shenpi.engine.transition import Transition
from shenpi.store.queries import Comment, Page
from shenpi.store.records import App, Tenant, Token


class ConcurrentUpdate(Exception):
    """The instance changed after it was loaded (another process won the race); load again and retry."""


class Tx(Protocol):
    # tenants, apps, directory
    async def upsert_tenant(self, tenant: Tenant) -> None: ...
    async def get_tenant(self, tenant_key: str) -> Tenant | None: ...
    async def list_tenants(self) -> list[Tenant]: ...
    async def upsert_app(self, app: App) -> None: ...
    async def get_app(self, app_id: str) -> App | None: ...
    async def list_apps(self, tenant_key: str | None = None) -> list[App]: ...
    async def upsert_user(self, tenant_key: str, user: User, password_hash: str | None = None) -> None: ...
    async def upsert_department(self, tenant_key: str, dept: Department) -> None: ...
    async def load_directory(self, tenant_key: str) -> Directory: ...

    # tokens
    async def insert_token(self, token: Token) -> None: ...
    async def get_token(self, token: str) -> Token | None: ...
    async def latest_token(self, app_id: str, kind: str, user_id: str = "") -> Token | None: ...

    # definitions
    async def get_definition(self, tenant_key: str, code: str) -> Definition | None: ...
    async def save_definition(self, definition: Definition) -> None: ...
    async def list_definitions(self, tenant_key: str) -> list[Definition]: ...

    # instances
    async def find_instance(self, tenant_key: str, code_or_uuid: str) -> Instance | None: ...
    async def load_aggregate(self, tenant_key: str, instance_code: str) -> Aggregate | None: ...
    async def find_task(self, tenant_key: str, task_id: str) -> Task | None: ...
    async def timeline(self, tenant_key: str, instance_code: str) -> list[TimelineEntry]: ...
    async def next_serial(self, tenant_key: str) -> int: ...
    async def save_transition(self, tr: Transition, *, created: bool) -> None: ...
    async def outbox(self, tenant_key: str, instance_code: str | None = None) -> list[dict[str, Any]]: ...

    # searches, lists, comments, CC records, subscriptions, external approvals (shenpi/store/queries.py)
    async def delete_token(self, token: str) -> None: ...
    async def subscribe(self, tenant_key: str, app_id: str, approval_code: str, now: int) -> bool: ...
    async def unsubscribe(self, app_id: str, approval_code: str) -> bool: ...
    async def subscribers(self, approval_code: str) -> list[str]: ...
    async def list_instance_codes(
        self, tenant_key: str, approval_code: str, start: int, end: int, offset: int, limit: int
    ) -> Page: ...
    async def search_instances(
        self,
        tenant_key: str,
        *,
        user_id: str = "",
        approval_code: str = "",
        instance_code: str = "",
        statuses: Sequence[str] = (),
        title: str = "",
        start_from: int = 0,
        start_to: int = 0,
        reverted: bool | None = False,
        offset: int = 0,
        limit: int = 10,
    ) -> Page: ...
    async def search_tasks(
        self,
        tenant_key: str,
        *,
        user_id: str = "",
        approval_code: str = "",
        instance_code: str = "",
        statuses: Sequence[str] = (),
        title: str = "",
        start_from: int = 0,
        start_to: int = 0,
        order: int = 2,
        offset: int = 0,
        limit: int = 10,
        with_user_only: bool = True,
    ) -> Page: ...
    async def tasks_of(self, tenant_key: str, instance_codes: Sequence[str]) -> list[Task]: ...
    async def record_ccs(self, tr: Transition) -> None: ...
    async def search_ccs(
        self,
        tenant_key: str,
        *,
        user_id: str = "",
        approval_code: str = "",
        instance_code: str = "",
        read_status: str = "",
        title: str = "",
        create_from: int = 0,
        create_to: int = 0,
        offset: int = 0,
        limit: int = 10,
    ) -> Page: ...
    async def add_comment(
        self,
        tenant_key: str,
        instance_code: str,
        user_id: str,
        content: str,
        at_info_list: list[dict[str, Any]],
        parent_comment_id: int,
        extra: str,
        now: int,
    ) -> int: ...
    async def edit_comment(
        self,
        tenant_key: str,
        instance_code: str,
        comment_id: int,
        content: str,
        at_info_list: list[dict[str, Any]],
        extra: str,
        now: int,
    ) -> bool: ...
    async def get_comment(self, tenant_key: str, instance_code: str, comment_id: int) -> Comment | None: ...
    async def list_comments(self, tenant_key: str, instance_code: str) -> list[Comment]: ...
    async def delete_comment(self, tenant_key: str, instance_code: str, comment_id: int, now: int) -> bool: ...
    async def remove_comments(self, tenant_key: str, instance_code: str) -> int: ...
    async def put_external_approval(self, tenant_key: str, approval_code: str, body: dict[str, Any], now: int) -> None: ...
    async def get_external_approval(self, tenant_key: str, approval_code: str) -> dict[str, Any] | None: ...
    async def put_external_instance(
        self, tenant_key: str, approval_code: str, instance_id: str, status: str, body: dict[str, Any], update_time: int
    ) -> None: ...
    async def get_external_instance(
        self, tenant_key: str, approval_code: str, instance_id: str
    ) -> dict[str, Any] | None: ...
    async def list_external_instances(
        self,
        tenant_key: str,
        *,
        approval_codes: Sequence[str] = (),
        instance_ids: Sequence[str] = (),
        status: str = "",
        offset: int = 0,
        limit: int = 50,
    ) -> Page: ...


class Store(Protocol):
    url: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...
