"""A Transition records what one command changed, so the store writes exactly that and nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shenpi.engine.model import PENDING, Aggregate, DomainEvent, Task, TimelineEntry


class Transition:
    def __init__(self, agg: Aggregate, now: int, new_id: Callable[[], str]) -> None:
        self.agg = agg
        self.now = now
        self._new_id = new_id
        self.new_tasks: list[Task] = []
        self.changed_tasks: dict[str, Task] = {}
        self.timeline: list[TimelineEntry] = []
        self.events: list[DomainEvent] = []
        self.form_changed = False  # values given with an approve or reject were merged into the form

    # -- tasks ---------------------------------------------------------------------------------
    def add_task(self, node_key: str, user_id: str, task_type: str, *, status: str = PENDING, seq: int = 0) -> Task:
        inst = self.agg.instance
        # positional: (id, instance_code, node_key, user_id, status, type, start_time, end_time, seq, round)
        task = Task(self._new_id(), inst.code, node_key, user_id, status, task_type, self.now,
                    0 if status == PENDING else self.now, seq, inst.round)
        self.agg.tasks.append(task)
        self.new_tasks.append(task)
        if status == PENDING:
            self.task_event(task)
        return task

    def set_task_status(self, task: Task, status: str, *, event_status: str = "", **extra: Any) -> None:
        """Close a task. ``event_status`` is what the task event says when it differs from the stored status
        (a rolled-back task is DONE in the API and ROLLBACK in its event); ``extra`` goes into the event."""
        task.status = status
        task.end_time = self.now
        for t in self.new_tasks:
            if t is task:
                break
        else:
            self.changed_tasks[task.id] = task
        self.task_event(task, event_status, **extra)

    def task_event(self, task: Task, status: str = "", **extra: Any) -> None:
        # positional: (kind, status, operate_time, task_id, user_id, node_key, extra)
        self.events.append(
            DomainEvent("task", status or task.status, self.now, task.id, task.user_id, task.node_key, extra)
        )

    # -- instance ------------------------------------------------------------------------------
    def instance_event(self, status: str) -> None:
        self.events.append(DomainEvent("instance", status, self.now))  # (kind, status, operate_time)

    def end_instance(self, status: str) -> None:
        inst = self.agg.instance
        inst.status = status
        inst.end_time = self.now
        for t in self.agg.tasks:
            if t.status == PENDING:
                self.set_task_status(t, "DONE")
        self.instance_event(status)

    # -- timeline ------------------------------------------------------------------------------
    def log(self, entry_type: str, *, user_id: str = "", task_id: str = "", comment: str = "", node_key: str = "",
            **lists: Any) -> TimelineEntry:
        """A timeline entry; ``lists`` are its user_id_list, cc_user_ids and ext, which most entries leave empty."""
        # positional: (type, create_time, user_id, task_id, comment, node_key, user_id_list, cc_user_ids, ext), a
        # third of the keyword construction's cost
        entry = (TimelineEntry(entry_type, self.now, user_id, task_id, comment, node_key, **lists) if lists else
                 TimelineEntry(entry_type, self.now, user_id, task_id, comment, node_key, [], [], {}))
        self.timeline.append(entry)
        return entry

    def cc_event(self, user_id: str, from_user_id: str, cc_id: str, operate: str = "CREATE") -> None:
        # positional: (kind, status, operate_time, task_id, user_id, node_key, extra)
        self.events.append(DomainEvent("cc", operate, self.now, "", user_id, "", {"from": from_user_id, "id": cc_id}))
