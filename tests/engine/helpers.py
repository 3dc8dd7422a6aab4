"""A hand-built org, definitions from create bodies, and a small driver that keeps an instance's history.

The org (leaders in brackets):

    root [ceo]
    ├── eng [vp]
    │   └── team [lead]      alice, bob (leader lead), lead (leader vp)
    └── fin [cfo]            carol (leader cfo), cfo (leader ceo)
    vp (eng, leader ceo); ceo (root); dave (team and fin, leader lead); erin (team, leader lead)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from shenpi.engine import commands
from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import PENDING, Definition, DomainEvent, Task, TimelineEntry
from shenpi.engine.transition import Transition

FORM: list[dict[str, Any]] = [
    {"id": "reason", "type": "textarea", "name": "reason"},
    {"id": "days", "type": "number", "name": "days"},
    {"id": "amount", "type": "amount", "name": "amount"},
    {"id": "kind", "type": "radioV2", "name": "kind",
     "value": [{"key": "sick", "value": "sick"}, {"key": "annual", "value": "annual"}]},
    {"id": "tags", "type": "checkboxV2", "name": "tags",
     "value": [{"key": "a", "value": "a"}, {"key": "b", "value": "b"}]},
    {"id": "period", "type": "dateInterval", "name": "period"},
]


def org() -> Directory:
    def user(uid: str, deps: list[str], leader: str = "") -> User:
        return User(uid, uid.title(), f"ou_{uid}", f"on_{uid}", f"ap_{uid}", deps, leader)

    return Directory(
        "acme",
        [
            user("ceo", ["root"]),
            user("vp", ["eng"], "ceo"),
            user("lead", ["team"], "vp"),
            user("alice", ["team"], "lead"),
            user("bob", ["team"], "lead"),
            user("erin", ["team"], "lead"),
            user("cfo", ["fin"], "ceo"),
            user("carol", ["fin"], "cfo"),
            user("dave", ["team", "fin"], "lead"),
        ],
        [
            Department("root", "Root", "ceo"),
            Department("eng", "Eng", "vp", "root"),
            Department("team", "Team", "lead", "eng"),
            Department("fin", "Fin", "cfo", "root"),
        ],
    )


def node(key: str, node_type: str = "AND", approvers: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": key, "name": key, "node_type": node_type, "approver": approvers or [], **extra}


def personal(*users: str) -> list[dict[str, Any]]:
    return [{"type": "Personal", "user_id": u} for u in users]


def free() -> list[dict[str, Any]]:
    return [{"type": "Free"}]


def definition(nodes: list[dict[str, Any]], settings: dict[str, Any] | None = None,
               form: list[dict[str, Any]] | None = None) -> Definition:
    body: dict[str, Any] = {
        "approval_name": "Leave",
        "viewers": [{"viewer_type": "TENANT"}],
        "form": {"form_content": json.dumps(form or FORM)},
        "node_list": [{"id": "START"}, *nodes, {"id": "END"}],
    }
    if settings is not None:
        body["settings"] = settings
    return build_definition(body, tenant_key="acme", approval_code="LEAVE", approval_id=1)


def form_json(**values: Any) -> str:
    types = {w["id"]: w["type"] for w in FORM}
    return json.dumps([{"id": k, "type": types[k], "value": v} for k, v in values.items()])


class Run:
    """One instance and everything that happened to it: the timeline and events of every transition."""

    def __init__(self, definition: Definition, directory: Directory | None = None, *, user_id: str = "alice",
                 form: str | None = None, department_id: str = "", free_approvers: dict[str, list[str]] | None = None,
                 free_ccs: dict[str, list[str]] | None = None, now: int = 1_000_000) -> None:
        self.directory = directory or org()
        self.now = now
        self._ids = itertools.count(1)
        self.timeline: list[TimelineEntry] = []
        self.events: list[DomainEvent] = []
        self.last: Transition | None = None
        cmd = commands.CreateInstance(user_id=user_id, form=form, department_id=department_id,
                                      free_approvers=free_approvers or {}, free_ccs=free_ccs or {})
        self.agg, tr = commands.create_instance(definition, self.directory, cmd, code="INST", serial_number="1",
                                                now=self.now, new_id=self.new_id)
        self._record(tr)

    def new_id(self) -> str:
        return f"t{next(self._ids):05d}"

    def _record(self, tr: Transition) -> Transition:
        self.timeline.extend(tr.timeline)
        self.events.extend(tr.events)
        self.last = tr
        return tr

    def run(self, fn: Callable[..., Transition], cmd: Any, **kw: Any) -> Transition:
        self.now += 1000
        return self._record(fn(self.agg, self.directory, cmd, now=self.now, new_id=self.new_id, **kw))

    # -- shortcuts -------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.agg.instance.status

    def pending(self, node_key: str | None = None) -> list[Task]:
        return [t for t in self.agg.tasks if t.status == PENDING and (node_key is None or t.node_key == node_key)]

    def pending_users(self, node_key: str | None = None) -> list[str]:
        return [t.user_id for t in self.pending(node_key)]

    def task_of(self, user_id: str) -> Task:
        found = [t for t in self.pending() if t.user_id == user_id]
        assert len(found) == 1, (user_id, commands.describe(self.agg))
        return found[0]

    def approve(self, user_id: str, comment: str = "", form: str | None = None) -> Transition:
        return self.run(commands.approve, commands.TaskAction(self.task_of(user_id).id, user_id, comment, form))

    def reject(self, user_id: str, comment: str = "") -> Transition:
        return self.run(commands.reject, commands.TaskAction(self.task_of(user_id).id, user_id, comment))

    def types(self) -> list[str]:
        return [e.type for e in self.timeline]

    def event_list(self, tr: Transition | None = None) -> list[tuple[str, str, str]]:
        chosen = tr or self.last
        return [(e.kind, e.status, e.user_id) for e in (chosen.events if chosen else [])]
