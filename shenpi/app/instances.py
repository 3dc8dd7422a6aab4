"""Approval instances: create, get, and every operation on a running instance (approve, reject, transfer, ...).

Each operation is one transaction under the instance's lock: the instance is located (by its code, or through
the task the command names), the pure engine command runs on the loaded aggregate, and the transition with its
outbox rows is saved. A lost optimistic race (another process saved the instance after it was loaded) loads
again and re-validates, a few times.

The approval v4 dialect names the approval and the instance; aPaaS names only the task (or only the instance).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from shenpi import ids
from shenpi.app.context import Context
from shenpi.app.definitions import definition_of
from shenpi.app.files import Files
from shenpi.app.notifications import for_transition, write_reminders
from shenpi.engine import commands, errors
from shenpi.engine.directory import Directory
from shenpi.engine.model import CANCELED, PENDING, Aggregate, Definition, Instance, Task, TimelineEntry
from shenpi.engine.transition import Transition
from shenpi.store.base import ConcurrentUpdate, DuplicateUuid, Tx

_RETRIES = 3

# One step of an operation, run inside its transaction on the located aggregate: (tx, aggregate, directory, now).
Step = Callable[[Tx, Aggregate, Directory, int], Awaitable[Transition]]
_C = TypeVar("_C", contravariant=True)


class EngineCommand(Protocol[_C]):
    """A pure engine command (shenpi/engine/commands): the aggregate, the directory and the request in, a transition
    out."""

    def __call__(self, agg: Aggregate, directory: Directory, cmd: _C, /, *, now: int,
                 new_id: Callable[[], str]) -> Transition: ...


@dataclass(slots=True)
class InstanceView:
    """Everything ``GET /instances/:id`` shows."""

    definition: Definition
    instance: Instance
    tasks: list[Task]
    timeline: list[TimelineEntry]


class Instances:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # -- create and read ------------------------------------------------------------------------
    async def create(self, tenant_key: str, approval_code: str, cmd: commands.CreateInstance) -> Instance:
        directory = await self._ctx.registry.directory(tenant_key)
        async with self._ctx.store.transaction() as tx:
            definition = await definition_of(tx, tenant_key, approval_code)
            if cmd.uuid and await tx.find_instance(tenant_key, cmd.uuid) is not None:
                raise errors.UuidConflict(f"uuid {cmd.uuid} is already used by another instance", field="uuid")
            now = self._ctx.clock.now_ms()
            serial = await tx.next_serial(tenant_key)
            day = time.strftime("%Y%m%d", time.localtime(now / 1000))
            agg, tr = commands.create_instance(
                definition, directory, cmd, code=ids.code(), serial_number=f"{day}{serial:04d}", now=now,
                new_id=ids.task_id,
            )
            await Files.check_form(tx, tenant_key, definition, agg.instance.form)
            notes = await for_transition(tx, agg, tr, directory, mail=self._ctx.mail)
            try:
                await tx.save_transition(tr, created=True, notifications=notes)
            except DuplicateUuid:  # taken by a create that committed after the check above
                raise errors.UuidConflict(f"uuid {cmd.uuid} is already used by another instance", field="uuid") from None
        self._ctx.committed()
        return agg.instance

    async def get(self, tenant_key: str, code_or_uuid: str) -> InstanceView:
        """The instance by its code or by the uuid it was created with."""
        async with self._ctx.store.transaction() as tx:
            return await _view(tx, tenant_key, code_or_uuid)

    async def code_of(self, tenant_key: str, code_or_uuid: str) -> str:
        """The instance code for a code or a creation uuid; 1390003 when neither names an instance."""
        async with self._ctx.store.transaction() as tx:
            inst = await tx.find_instance(tenant_key, code_or_uuid)
        if inst is None:
            raise errors.InstanceNotFound(f"instance {code_or_uuid} not found", field="instance_id")
        return inst.code

    async def get_with_task(self, tenant_key: str, task_id: str) -> tuple[Task, InstanceView]:
        """A task and the instance it belongs to."""
        async with self._ctx.store.transaction() as tx:
            task = await tx.find_task(tenant_key, task_id)
            if task is None:
                raise errors.TaskNotFound(f"task {task_id} not found", field="task_id")
            return task, await _view(tx, tenant_key, task.instance_code)

    async def remind(self, tenant_key: str, user_id: str, instance_code: str, task_ids: list[str],
                     comment: str = "") -> None:
        """催办: the submitter nudges the approvers of pending tasks, checked as Feishu would (the caller started the
        instance and every task named is pending); each approver gets a reminder notification (in-app and mail)."""
        directory = await self._ctx.registry.directory(tenant_key)
        async with self._ctx.store.transaction() as tx:
            view = await _view(tx, tenant_key, instance_code)
            if view.instance.user_id != user_id:
                raise errors.ParamInvalid("only the submitter may remind approvers", field="instance_code")
            pending = {t.id: t.user_id for t in view.tasks if t.status == PENDING}
            for t in task_ids:
                if t not in pending:
                    raise errors.TaskNotFound(f"task {t} is not a pending task of this instance", field="task_ids")
            await write_reminders(tx, directory, view.definition, view.instance, user_id,
                                  [pending[t] for t in task_ids], self._ctx.clock.now_ms(), comment, mail=self._ctx.mail)
        self._ctx.committed()

    # -- operations on a running instance -------------------------------------------------------
    async def approve(self, tenant_key: str, cmd: commands.TaskAction, *, approval_code: str | None = None,
                      instance_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.approve, cmd, cmd.task_id, approval_code, instance_code)

    async def reject(self, tenant_key: str, cmd: commands.TaskAction, *, approval_code: str | None = None,
                     instance_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.reject, cmd, cmd.task_id, approval_code, instance_code)

    async def resubmit(self, tenant_key: str, cmd: commands.TaskAction, *, approval_code: str | None = None,
                       instance_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.resubmit, cmd, cmd.task_id, approval_code, instance_code)

    async def transfer(self, tenant_key: str, cmd: commands.Transfer, *, approval_code: str | None = None,
                       instance_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.transfer, cmd, cmd.task_id, approval_code, instance_code)

    async def specified_rollback(self, tenant_key: str, cmd: commands.SpecifiedRollback, *,
                                 approval_code: str | None = None, instance_code: str | None = None) -> Transition:
        async def step(tx: Tx, agg: Aggregate, directory: Directory, now: int) -> Transition:
            # The nodes a rollback may go back to are the ones the timeline shows as passed.
            timeline = await tx.timeline(tenant_key, agg.instance.code)
            return commands.specified_rollback(agg, directory, cmd, now=now, new_id=ids.task_id, timeline=timeline)

        return await self._operate(tenant_key, step, cmd.task_id, approval_code, instance_code)

    async def add_sign(self, tenant_key: str, cmd: commands.AddSign, *, approval_code: str | None = None,
                       instance_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.add_sign, cmd, cmd.task_id, approval_code, instance_code)

    async def check_may_act(self, tenant_key: str, task_id: str, user_id: str) -> None:
        """Raise what acting on the task would (an unknown task, not the user's, not pending), changing nothing:
        for a call that asks for no change, such as adding no assignee."""
        async with self._ctx.store.transaction() as tx:
            agg = await _locate(tx, tenant_key, task_id, None, None)
        refusal = commands.task_refusal(agg, task_id, user_id)
        if refusal is not None:
            raise refusal

    async def cancel(self, tenant_key: str, cmd: commands.Cancel, *, instance_code: str,
                     approval_code: str | None = None) -> Transition:
        """Cancel (撤回) a PENDING instance; the engine reverts (撤销) an APPROVED one."""
        return await self._command(tenant_key, commands.cancel, cmd, "", approval_code, instance_code)

    async def recall(self, tenant_key: str, cmd: commands.Cancel, *, instance_code: str) -> Transition:
        """The signed-in submitter's cancel: as :meth:`cancel`, but a recalled instance answers 1395210 first,
        whoever asks ("the document has already been recalled and cannot be operated on again")."""
        async def step(tx: Tx, agg: Aggregate, directory: Directory, now: int) -> Transition:
            if agg.instance.status == CANCELED:
                raise errors.InstanceReverted("the instance has already been recalled")
            return commands.cancel(agg, directory, cmd, now=now, new_id=ids.task_id)

        return await self._operate(tenant_key, step, "", None, instance_code)

    async def revert(self, tenant_key: str, cmd: commands.Cancel, *, instance_code: str,
                     approval_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.revert, cmd, "", approval_code, instance_code)

    async def cc(self, tenant_key: str, cmd: commands.Cc, *, instance_code: str,
                 approval_code: str | None = None) -> Transition:
        return await self._command(tenant_key, commands.cc, cmd, "", approval_code, instance_code)

    async def mark_cc_read(self, tenant_key: str, cmd: commands.CcRead, *, instance_code: str) -> Transition:
        return await self._command(tenant_key, commands.mark_cc_read, cmd, "", None, instance_code)

    # -- the machinery every operation shares ---------------------------------------------------
    async def _command(self, tenant_key: str, command: EngineCommand[_C], cmd: _C, task_id: str,
                       approval_code: str | None, instance_code: str | None) -> Transition:
        """An operation that is one engine command on the located instance and nothing more."""
        async def step(tx: Tx, agg: Aggregate, directory: Directory, now: int) -> Transition:
            return command(agg, directory, cmd, now=now, new_id=ids.task_id)

        return await self._operate(tenant_key, step, task_id, approval_code, instance_code)

    async def _operate(self, tenant_key: str, step: Step, task_id: str, approval_code: str | None,
                       instance_code: str | None) -> Transition:
        """Run ``step`` in one transaction on the located instance, retrying a lost optimistic race."""
        directory = await self._ctx.registry.directory(tenant_key)
        for attempt in range(_RETRIES):
            try:
                async with self._ctx.store.transaction() as tx:
                    agg = await _locate(tx, tenant_key, task_id, approval_code, instance_code)
                    tr = await step(tx, agg, directory, self._ctx.clock.now_ms())
                    notes = await for_transition(tx, agg, tr, directory, mail=self._ctx.mail)  # who hears of it
                    await tx.save_transition(tr, created=False, notifications=notes)
                self._ctx.committed()
                return tr
            except ConcurrentUpdate:  # another process saved the instance first: load again and re-validate
                if attempt == _RETRIES - 1:
                    raise errors.InternalError("the instance kept changing under this request") from None
        raise AssertionError("unreachable")


async def _view(tx: Tx, tenant_key: str, code_or_uuid: str) -> InstanceView:
    inst = await tx.find_instance(tenant_key, code_or_uuid)
    agg = await tx.load_aggregate(tenant_key, inst.code) if inst is not None else None
    if agg is None:
        raise errors.InstanceNotFound(f"instance {code_or_uuid} not found", field="instance_id")
    timeline = await tx.timeline(tenant_key, agg.instance.code)
    return InstanceView(agg.definition, agg.instance, agg.tasks, timeline)


async def _locate(tx: Tx, tenant_key: str, task_id: str, approval_code: str | None,
                  instance_code: str | None) -> Aggregate:
    """The aggregate an operation acts on, loaded (and so locked) in ``tx``, with the error Feishu gives when the
    approval, the instance or the task is unknown, checked in that order."""
    if approval_code is not None and instance_code is not None:
        # The v4 task call names both. An aggregate that loads carries its definition, which proves that
        # approval_code exists: the definition is looked up on its own only to pick the error otherwise, so the
        # answer is the one the order below gives, with one query (a round trip on PostgreSQL) fewer.
        agg = await tx.load_aggregate(tenant_key, instance_code)
        if agg is not None and agg.instance.approval_code == approval_code:
            return agg
        await definition_of(tx, tenant_key, approval_code)
        raise errors.InstanceNotFound(f"instance_code {instance_code} not found", field="instance_code")
    if approval_code is not None:
        await definition_of(tx, tenant_key, approval_code)
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
