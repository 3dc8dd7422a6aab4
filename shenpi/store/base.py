"""The store interface. Every backend implements it; SQL dialect never leaves the store package.

All state changes go through ``transaction()``: one database transaction, committed when the block exits
normally and rolled back on any exception, so a request never leaves a half-applied change. What a transaction
offers is split by purpose into the protocols below; ``Tx`` is all of them, so a caller holding a ``Tx`` reaches
every method without a cast. How concurrent actions on one instance are kept apart is shenpi/store/lock.py.

The store raises only its own exceptions (``ConcurrentUpdate``, ``DuplicateUuid``, ``ValueError`` for a snapshot
that does not fit, ``LookupError`` for a missing tenant); the application layer turns them into domain errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import Aggregate, Definition, Instance, Task, TimelineEntry
from shenpi.engine.transition import Transition
from shenpi.store.records import App, Comment, Page, Tenant, Token


class ConcurrentUpdate(Exception):
    """The instance changed after it was loaded (another process won the race); load again and retry."""


class DuplicateUuid(Exception):
    """A created instance carries a uuid another instance of its tenant already has (uuids compare ignoring case).

    Raised by ``save_transition(created=True)``, which then writes nothing; a concurrent create that committed
    first is how it happens, since callers look the uuid up before they create."""

    def __init__(self, uuid: str) -> None:
        super().__init__(f"uuid {uuid} is already used by another instance")
        self.uuid = uuid


class PlatformTx(Protocol):
    """The Open API's platform records: tenants, apps, the directory, tokens, and the rate counters that meter
    each app's calls."""

    async def upsert_tenant(self, tenant: Tenant) -> None: ...
    async def get_tenant(self, tenant_key: str) -> Tenant | None: ...
    async def list_tenants(self) -> list[Tenant]: ...  # by tenant_key
    async def upsert_app(self, app: App) -> None: ...
    async def get_app(self, app_id: str) -> App | None: ...
    async def list_apps(self, tenant_key: str | None = None) -> list[App]: ...  # by app_id
    async def upsert_user(self, tenant_key: str, user: User, password_hash: str | None = None) -> None: ...
    async def upsert_department(self, tenant_key: str, dept: Department) -> None: ...
    async def load_directory(self, tenant_key: str) -> Directory: ...
    async def password_hash(self, tenant_key: str, user_id: str) -> str: ...  # "" when the user has none

    async def insert_token(self, token: Token) -> None: ...
    async def get_token(self, token: str) -> Token | None: ...
    async def latest_token(self, app_id: str, kind: str, user_id: str = "") -> Token | None: ...
    async def delete_token(self, token: str) -> None: ...

    async def rate_take(self, windows: Sequence[tuple[str, int, int]]) -> tuple[int, int] | None: ...
    async def rate_give_back(self, counted: Sequence[tuple[str, int]]) -> None: ...
    async def rate_sweep(self, before: int) -> None: ...
    async def rate_reset(self) -> None: ...


class AggregateTx(Protocol):
    """Definitions and the instance aggregate: the reads and the one write an action is made of."""

    async def get_definition(self, tenant_key: str, code: str) -> Definition | None: ...
    async def save_definition(self, definition: Definition) -> None: ...
    async def list_definitions(self, tenant_key: str) -> list[Definition]: ...

    async def find_instance(self, tenant_key: str, code_or_uuid: str) -> Instance | None: ...
    async def load_aggregate(self, tenant_key: str, instance_code: str) -> Aggregate | None: ...  # locks it
    async def find_task(self, tenant_key: str, task_id: str) -> Task | None: ...
    async def timeline(self, tenant_key: str, instance_code: str) -> list[TimelineEntry]: ...
    async def next_serial(self, tenant_key: str) -> int: ...
    async def save_transition(self, tr: Transition, *, created: bool) -> None: ...


class QueryTx(Protocol):
    """Reads and writes beyond the aggregate: searches, lists, comments, CC records, subscriptions, external
    approvals, and the web's paged lists (a person's inbox, the admin's outbox page) (shenpi/store/queries.py)."""

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

    async def inbox_counts(self, tenant_key: str, user_id: str) -> dict[str, int]: ...
    async def inbox_tasks(
        self,
        tenant_key: str,
        user_id: str,
        statuses: Sequence[str],
        *,
        text: str = "",
        approval_codes: Sequence[str] = (),
        newest_end_first: bool = False,
        offset: int = 0,
        limit: int = 20,
    ) -> Page: ...
    async def inbox_instances(
        self,
        tenant_key: str,
        user_id: str,
        *,
        text: str = "",
        approval_codes: Sequence[str] = (),
        offset: int = 0,
        limit: int = 20,
    ) -> Page: ...
    async def inbox_ccs(
        self,
        tenant_key: str,
        user_id: str,
        *,
        read_status: str = "",
        text: str = "",
        approval_codes: Sequence[str] = (),
        offset: int = 0,
        limit: int = 20,
    ) -> Page: ...
    async def outbox_page(self, tenant_key: str, *, instance_code: str = "", offset: int = 0, limit: int = 50) -> Page: ...


class DeliveryTx(Protocol):
    """The outbox and the event deliveries made from it (shenpi/store/deliveries.py)."""

    async def outbox(self, tenant_key: str, instance_code: str | None = None) -> list[dict[str, Any]]: ...
    async def skip_unsubscribed_outbox(self) -> int: ...
    async def unrouted_outbox(self, limit: int) -> list[dict[str, Any]]: ...
    async def mark_routed(self, outbox_id: int) -> bool: ...
    async def subscribed_app_ids(self, tenant_key: str, approval_code: str) -> list[str]: ...
    async def insert_deliveries(self, rows: Sequence[tuple[Any, ...]]) -> None: ...
    async def claim_due(self, now_ms: int, limit: int, lease_ms: int, per_app: int = 0,
                        busy: Mapping[str, int] | None = None) -> list[Sequence[Any]]: ...
    async def renew_lease(self, delivery_id: int, lease: int, until_ms: int) -> int: ...
    async def delivery_delivered(self, delivery_id: int, lease: int, now_ms: int) -> bool: ...
    async def delivery_reschedule(
        self, delivery_id: int, lease: int, next_at_ms: int, attempts: int, last_error: str) -> bool: ...
    async def delivery_dead(self, delivery_id: int, lease: int, attempts: int, error: str) -> bool: ...
    async def list_deliveries(
        self, *, state: str = "", app_id: str = "", outbox_id: int = 0, limit: int = 1000
    ) -> list[Sequence[Any]]: ...
    async def delivery_replay(self, delivery_id: int, now_ms: int) -> bool: ...
    async def redeliver_outbox_row(self, outbox_id: int, now_ms: int) -> int: ...
    async def take_redelivery_requests(self, now_ms: int) -> int: ...


class OperatorTx(Protocol):
    """What an operator does to the whole state (the CLI, the admin API, the web admin pages, shenpi.testing):
    export and import, token pruning, outbox inspection and redelivery requests (shenpi/store/operator.py)."""

    async def schema_version(self) -> int: ...
    async def dump_tables(self, only: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]: ...
    async def restore_tables(self, tables: dict[str, dict[str, Any]], *, keep: tuple[str, ...] = ()) -> dict[str, int]: ...
    async def prune_tokens(self, now_ms: int) -> list[str]: ...
    async def list_outbox(
        self, *, tenant_key: str | None = None, instance_code: str | None = None, after_id: int = 0, limit: int = 100
    ) -> list[dict[str, Any]]: ...
    async def request_redelivery(self, outbox_ids: list[int], now_ms: int, tenant_key: str | None = None) -> list[int]: ...


class Tx(PlatformTx, AggregateTx, QueryTx, DeliveryTx, OperatorTx, Protocol):
    """One store transaction: everything the store offers."""


class Store(Protocol):
    url: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...
