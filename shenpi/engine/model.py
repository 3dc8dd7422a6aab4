"""The approval domain's data: definitions, instances, tasks, timeline entries and domain events.

Plain slotted dataclasses, and msgspec Structs for the records every step makes several of (tasks, timeline
entries, events: a Struct is built in C, in a third of a dataclass's time): the engine mutates them inside one
command, and the store persists what changed.
User references are always the tenant-scoped ``user_id``; mapping to open_id/union_id/aPaaS ids is the API's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from shenpi.engine.state import FlowState

# Instance statuses as the API shows them. DELETED is what an instance reads once an admin deleted its definition.
PENDING, APPROVED, REJECTED, CANCELED, DELETED = "PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED"
INSTANCE_ENDED = frozenset({APPROVED, REJECTED, CANCELED, DELETED})

# Task statuses besides PENDING / APPROVED / REJECTED: a transferred task reads TRANSFERRED, and a task closed
# without its approver deciding (an OR decided by someone else, a cancel, a rollback) reads DONE.
TRANSFERRED, DONE = "TRANSFERRED", "DONE"
# Statuses that only events carry: a rolled-back task reads DONE in the API, ROLLBACK in its event;
# a reverted instance reads CANCELED in the API, REVERTED in its event.
ROLLBACK, REVERTED = "ROLLBACK", "REVERTED"

# The pseudo node of the submitter: the key of the START timeline entry, of the task a rejection
# (``reject_option=1``) or a rollback to START hands back to the submitter, and of the PASS entry of a resubmit.
START_NODE = "START"

APPROVER_TYPES = frozenset(
    {"Supervisor", "SupervisorTopDown", "DepartmentManager", "DepartmentManagerTopDown", "Personal", "Free"}
)


@dataclass(slots=True)
class Widget:
    id: str
    type: str
    name: str = ""
    required: bool = False
    custom_id: str = ""
    options: list[str] = field(default_factory=list)  # allowed values of radio/checkbox widgets
    raw: dict[str, Any] = field(default_factory=dict)  # the widget as the definition was given


@dataclass(slots=True)
class ApproverSpec:
    type: str
    user_id: str = ""
    level: int = 1


@dataclass(slots=True)
class Condition:
    """A branch condition on a node: the node runs only when this holds for the instance's form.

    ``widget`` is a widget id, or ``"__submitter__"`` for the submitter's user id / department.
    """

    widget: str
    op: str  # one of > >= < <= == != in not_in contains
    value: Any


@dataclass(slots=True)
class Node:
    key: str  # the node's id in the definition body: custom node id and timeline node_key
    node_id: str  # Feishu's system node id (32 hex chars)
    name: str
    node_type: str
    approvers: list[ApproverSpec] = field(default_factory=list)
    ccers: list[ApproverSpec] = field(default_factory=list)
    require_signature: bool = False
    starter_assignee: str = ""
    approver_chosen_multi: bool = True
    conditions: list[Condition] = field(default_factory=list)  # all must hold (AND); empty = always
    # What a node whose approvers resolve to nobody does: AUTO_PASS (Feishu's default) or AUTO_REJECT (a seed flag).
    empty_approver: str = "AUTO_PASS"
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def need_approver(self) -> bool:
        return any(a.type == "Free" for a in self.approvers)


@dataclass(slots=True)
class Settings:
    revert_interval: int = 31 * 24 * 3600
    revert_option: int = 1
    reject_option: int = 0
    quick_approval_option: int = 1
    cancel_enabled: bool = True  # "允许撤销审批中的申请"


@dataclass(slots=True)
class Definition:
    tenant_key: str
    code: str
    approval_id: int
    name: str  # i18n key or plain text
    status: str
    widgets: list[Widget]
    nodes: list[Node]  # approval and CC nodes, START and END excluded
    settings: Settings
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)  # locale -> key -> text
    default_locale: str = "zh-CN"
    body: dict[str, Any] = field(default_factory=dict)  # the create body, for get and re-export
    version: int = 1
    # the plan the engine compiles from this definition on first use (plan.py's Plan)
    plan: Any = field(default=None, repr=False, compare=False)

    def widget(self, widget_id: str) -> Widget | None:
        for w in self.widgets:
            if w.id == widget_id:
                return w
        return None

    def node(self, key: str) -> Node | None:
        for n in self.nodes:
            if n.key == key or n.node_id == key:
                return n
        return None

    def text(self, key: str, locale: str = "") -> str:
        """Resolve an ``@i18n@`` key for a locale, falling back to the default locale, then to the key."""
        for loc in (locale, self.default_locale, *self.i18n):
            texts = self.i18n.get(loc)
            if texts and key in texts:
                return texts[key]
        return key


class Task(msgspec.Struct, gc=False):  # no cycles: plain values, fresh lists and dicts
    id: str
    instance_code: str
    node_key: str
    user_id: str  # "" for AUTO_PASS / AUTO_REJECT tasks
    status: str
    type: str  # AND | OR | SEQUENTIAL | AUTO_PASS | AUTO_REJECT
    start_time: int
    end_time: int = 0
    seq: int = 0  # position among the node's tasks (SEQUENTIAL order)
    round: int = 0  # which visit of the node this task belongs to (rollbacks revisit nodes)


class TimelineEntry(msgspec.Struct, gc=False):  # no cycles: plain values, fresh lists and dicts
    type: str
    create_time: int
    user_id: str = ""
    task_id: str = ""
    comment: str = ""
    node_key: str = ""
    user_id_list: list[str] = []  # (a Struct copies an empty list or dict default per instance)
    cc_user_ids: list[str] = []
    ext: dict[str, Any] = {}


class DomainEvent(msgspec.Struct, gc=False):  # no cycles: plain values, fresh lists and dicts
    """A state change worth telling subscribers about. Each command emits its events in the order Feishu sends
    them, which the command's doc spells out (an approval: the acting task, the tasks it closed or opened, then
    the instance if it ended)."""

    kind: Literal["instance", "task", "cc"]
    status: str
    operate_time: int
    task_id: str = ""
    user_id: str = ""
    node_key: str = ""
    extra: dict[str, Any] = {}


@dataclass(slots=True)
class Instance:
    tenant_key: str
    code: str
    approval_code: str
    user_id: str
    department_id: str
    status: str
    form: list[dict[str, Any]]
    start_time: int
    uuid: str = ""
    serial_number: str = ""
    end_time: int = 0
    node_index: int = -1  # index into Definition.nodes of the node in progress; len(nodes) when done
    round: int = 0
    title: str = ""
    reverted: bool = False
    # Flow state the engine keeps between commands: approvers chosen at submission, open work, CC records, ...
    state: FlowState = field(default_factory=FlowState)
    version: int = 0
    # The form's JSON as the store last read or wrote it, beside the list it encodes: the store writes the form at
    # every step and it rarely changes, so it reuses the JSON while ``form`` is still that list. Sound because no
    # code edits a form in place: a command that changes it assigns a new list (form.py's merge_form, parse_form).
    form_json: tuple[list[dict[str, Any]], str] | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Aggregate:
    """One instance with its tasks: the unit the engine works on and the store locks."""

    definition: Definition
    instance: Instance
    tasks: list[Task]

    def task(self, task_id: str) -> Task | None:
        for t in self.tasks:
            if t.id == task_id:
                return t
        return None
