"""The application object: the store, the clock, the platform services, and the areas of the application layer.

Both wire dialects (approval v4 and aPaaS v1), the web inbox and the CLI call it; it speaks in tenant-scoped
user ids and engine objects, and never sees HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shenpi import ids
from shenpi.app.comments import Comments
from shenpi.app.context import Context
from shenpi.app.definitions import Definitions
from shenpi.app.deliveries import Deliveries
from shenpi.app.external import External
from shenpi.app.inbox import Inbox
from shenpi.app.instances import Instances
from shenpi.app.people import People, Registry
from shenpi.app.ratelimits import SharedRateLimiter
from shenpi.app.search import Search
from shenpi.app.snapshots import Snapshots
from shenpi.app.subscriptions import Subscriptions
from shenpi.app.tokens import Tokens
from shenpi.clock import Clock
from shenpi.engine import commands, errors
from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Directory
from shenpi.engine.model import Aggregate, Definition, Instance, TimelineEntry
from shenpi.engine.transition import Transition
from shenpi.platform.ratelimit import RateLimiter
from shenpi.store.base import ConcurrentUpdate, Store, Tx

_RETRIES = 3

Action = Callable[..., Transition]
# Every operation on an existing instance, by name. Commands that carry a ``task_id`` find their instance
# through the task; the others (cancel, revert, cc, cc_read) need the instance code.
ACTIONS: dict[str, Action] = {
    "approve": commands.approve,
    "reject": commands.reject,
    "resubmit": commands.resubmit,
    "transfer": commands.transfer,
    "specified_rollback": commands.specified_rollback,
    "add_sign": commands.add_sign,
    "cancel": commands.cancel,
    "revert": commands.revert,
    "cc": commands.cc,
    "cc_read": commands.mark_cc_read,
}


@dataclass(slots=True)
class InstanceView:
    """Everything ``GET /instances/:id`` shows."""

    definition: Definition
    instance: Instance
    tasks: list[Any]
    timeline: list[TimelineEntry]


class Shenpi:
    """The running server's state: the store, the clock, and the platform services around the engine."""

    def __init__(self, store: Store, clock: Clock | None = None, rate_limit_scale: float = 1.0, *,
                 shared_rate_limits: bool = False) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.registry = Registry(store)
        # One process keeps its counters in memory; several processes on one database count in the database.
        self.rate_limiter = (SharedRateLimiter(self.clock.now_s, store, rate_limit_scale) if shared_rate_limits
                             else RateLimiter(self.clock.now_s, rate_limit_scale))
        self.started = time.time()
        # The event delivery worker, when the server runs one (shenpi.events.delivery.DeliveryWorker).
        self.events: Any = None

        # The areas of the application layer: one typed method per operation.
        ctx = Context(store, self.clock, self.registry, self.committed)
        self.definitions = Definitions(ctx)
        self.instances = Instances(ctx)
        self.comments = Comments(ctx)
        self.search = Search(ctx)
        self.subscriptions = Subscriptions(ctx)
        self.external = External(ctx)

        self.people = People(ctx)
        self.inbox = Inbox(ctx)
        self.tokens = Tokens(ctx)
        self.deliveries = Deliveries(ctx)
        self.snapshots = Snapshots(ctx, self.tokens)

    def committed(self) -> None:
        """A change with outbox rows was committed: let the delivery worker look now, not at its next poll."""
        if self.events is not None:
            self.events.wake()

    async def open(self) -> None:
        await self.store.open()

    async def close(self) -> None:
        await self.store.close()

    # -- definitions ----------------------------------------------------------------------------
    async def create_definition(self, tenant_key: str, body: dict[str, Any]) -> Definition:
        """Create a definition, or overwrite it when ``approval_code`` names an existing one."""
        async with self.store.transaction() as tx:
            code = body.get("approval_code") or ""
            existing = await tx.get_definition(tenant_key, code) if code else None
            if code and existing is None:
                raise errors.ApprovalNotFound(f"approval_code {code} not found", field="approval_code")
            if existing is not None:
                definition = build_definition(body, tenant_key=tenant_key, approval_code=existing.code,
                                              approval_id=existing.approval_id, version=existing.version + 1)
            else:
                definition = build_definition(body, tenant_key=tenant_key, approval_code=ids.code(),
                                              approval_id=ids.snowflake())
            definition.body = {**body, "approval_code": definition.code}
            await tx.save_definition(definition)
            return definition

    async def get_definition(self, tenant_key: str, code: str) -> Definition:
        async with self.store.transaction() as tx:
            return await self._definition(tx, tenant_key, code)

    @staticmethod
    async def _definition(tx: Tx, tenant_key: str, code: str) -> Definition:
        if not code:
            raise errors.ParamInvalid("approval_code is required", field="approval_code")
        d = await tx.get_definition(tenant_key, code)
        if d is None:
            raise errors.ApprovalNotFound(f"approval_code {code} not found", field="approval_code")
        return d

    # -- instances ------------------------------------------------------------------------------
    async def create_instance(self, tenant_key: str, approval_code: str, cmd: commands.CreateInstance) -> Instance:
        directory = await self.registry.directory(tenant_key)
        async with self.store.transaction() as tx:
            definition = await self._definition(tx, tenant_key, approval_code)
            if cmd.uuid and await tx.find_instance(tenant_key, cmd.uuid) is not None:
                raise errors.UuidConflict(f"uuid {cmd.uuid} is already used by another instance", field="uuid")
            now = self.clock.now_ms()
            serial = await tx.next_serial(tenant_key)
            day = time.strftime("%Y%m%d", time.localtime(now / 1000))
            agg, tr = commands.create_instance(
                definition, directory, cmd, code=ids.code(), serial_number=f"{day}{serial:04d}", now=now,
                new_id=ids.task_id,
            )
            await tx.save_transition(tr, created=True)
        self.committed()
        return agg.instance

    async def get_instance(self, tenant_key: str, code_or_uuid: str) -> InstanceView:
        async with self.store.transaction() as tx:
            inst = await tx.find_instance(tenant_key, code_or_uuid)
            if inst is None:
                raise errors.InstanceNotFound(f"instance {code_or_uuid} not found", field="instance_id")
            agg = await tx.load_aggregate(tenant_key, inst.code)
            if agg is None:
                raise errors.InstanceNotFound(f"instance {code_or_uuid} not found", field="instance_id")
            timeline = await tx.timeline(tenant_key, inst.code)
            return InstanceView(agg.definition, agg.instance, agg.tasks, timeline)

    # -- task actions ---------------------------------------------------------------------------
    async def act(
        self,
        tenant_key: str,
        action: str,
        cmd: Any,
        *,
        approval_code: str | None = None,
        instance_code: str | None = None,
    ) -> Transition:
        """Run an operation (a key of ACTIONS) in one transaction, under the instance's lock.

        The v4 dialect names approval and instance; aPaaS names only the task (or only the instance)."""
        directory = await self.registry.directory(tenant_key)
        fn = ACTIONS[action]
        task_id: str = getattr(cmd, "task_id", "")
        for attempt in range(_RETRIES):
            try:
                async with self.store.transaction() as tx:
                    agg = await self._locate(tx, tenant_key, task_id, approval_code, instance_code)
                    extra: dict[str, Any] = {}
                    if action == "specified_rollback":
                        extra["timeline"] = await tx.timeline(tenant_key, agg.instance.code)
                    tr = fn(agg, directory, cmd, now=self.clock.now_ms(), new_id=ids.task_id, **extra)
                    await tx.save_transition(tr, created=False)
                self.committed()
                return tr
            except ConcurrentUpdate:  # a lost optimistic race: load again and re-validate
                if attempt == _RETRIES - 1:
                    raise errors.InternalError("the instance kept changing under this request") from None
        raise AssertionError("unreachable")

    async def _locate(self, tx: Tx, tenant_key: str, task_id: str, approval_code: str | None,
                      instance_code: str | None) -> Aggregate:
        if approval_code is not None and instance_code is not None:
            # The v4 task call names both. An aggregate that loads carries its definition, which proves that
            # approval_code exists: the definition is looked up on its own only to pick the error otherwise, so the
            # answer is the one the order below gives, with one query (a round trip on PostgreSQL) fewer.
            agg = await tx.load_aggregate(tenant_key, instance_code)
            if agg is not None and agg.instance.approval_code == approval_code:
                return agg
            await self._definition(tx, tenant_key, approval_code)
            raise errors.InstanceNotFound(f"instance_code {instance_code} not found", field="instance_code")
        if approval_code is not None:
            await self._definition(tx, tenant_key, approval_code)
        if instance_code is None:
            if not task_id:
                raise errors.ParamInvalid("instance_code is required", field="instance_code")
            task = await tx.find_task(tenant_key, task_id)
            if task is None:
                raise errors.TaskNotFound(f"task {task_id} not found", field="task_id")
            instance_code = task.instance_code
        agg = await tx.load_aggregate(tenant_key, instance_code)
        if agg is None or (approval_code is not None and agg.instance.approval_code != approval_code):
            raise errors.InstanceNotFound(f"instance_code {instance_code} not found", field="instance_code")
        return agg

    async def directory(self, tenant_key: str) -> Directory:
        return await self.registry.directory(tenant_key)
