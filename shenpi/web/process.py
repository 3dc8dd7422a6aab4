"""The instance page's model: the process as a picture, the timeline with comments, and what the viewer may do.

Who may see an instance: its submitter, anyone who has or had a task on it, anyone CC'd on it, and the tenant's
admins (read-only). Who may act is the engine's business: every action goes through the application layer to the
engine's command, which refuses what its rule forbids. The page offers only what would pass, by asking the same
rules (the engine's ``*_refusal`` predicates), so nobody is shown a button that can only fail. Commenting and
CC'ing are this page's own policy: only the submitter and the approvers may (CC'd readers only read).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from shenpi.engine.commands import (
    list_ccs,
    resubmit_refusal,
    rollback_target_keys,
    task_refusal,
    withdraw_refusal,
)
from shenpi.engine.directory import Directory
from shenpi.engine.errors import HandwrittenSignatureRequired
from shenpi.engine.model import (
    APPROVED,
    CANCELED,
    INSTANCE_ENDED,
    PENDING,
    REJECTED,
    START_NODE,
    Aggregate,
    Definition,
    Node,
    Task,
    TimelineEntry,
)
from shenpi.engine.preview import preview_instance
from shenpi.store.records import Comment
from shenpi.web import i18n
from shenpi.web.forms import option_text
from shenpi.web.session import Viewer


@dataclass(slots=True)
class Person:
    name: str
    status: str  # task status (PENDING, APPROVED, ...) or "" for a predicted approver
    status_label: str


@dataclass(slots=True)
class Step:
    key: str
    name: str
    kind: str  # start | approval | cc | end
    state: str  # done | current | future | rejected | skipped
    state_label: str
    rule: str = ""  # AND/OR/SEQUENTIAL as words
    people: list[Person] = field(default_factory=list)
    note: str = ""


@dataclass(slots=True)
class Event:
    time: int
    who: str
    what: str
    node: str = ""
    comment: str = ""
    kind: str = ""  # css hint: pass | reject | comment | cc | neutral


@dataclass(slots=True)
class Actions:
    task: Task | None = None  # the viewer's pending task to decide on
    decide: bool = False  # approve / reject / transfer / add approver (not on a signature node)
    signature_blocked: bool = False
    rollback_targets: list[tuple[str, str]] = field(default_factory=list)  # (node key, name)
    resubmit_task: Task | None = None
    cancel: bool = False
    cancel_is_revert: bool = False
    participate: bool = False  # comment and CC

    @property
    def any(self) -> bool:
        return bool(self.task or self.resubmit_task or self.cancel or self.participate)


def can_view(agg: Aggregate, viewer: Viewer) -> bool:
    me = viewer.user_id
    inst = agg.instance
    return (me == inst.user_id or viewer.is_admin or any(t.user_id == me for t in agg.tasks)
            or any(r.user_id == me for r in list_ccs(inst)))


def is_participant(agg: Aggregate, user_id: str) -> bool:
    """The submitter and everyone who has or had a task: who may comment and CC (CC'd readers only read)."""
    return user_id == agg.instance.user_id or any(t.user_id == user_id for t in agg.tasks)


def cancel_allowed(agg: Aggregate, user_id: str, now: int) -> tuple[bool, bool]:
    """(may cancel, it would be a revert): what the engine's cancel command would say to ``user_id`` at ``now``."""
    return withdraw_refusal(agg, user_id, now) is None, agg.instance.status == APPROVED


def actions_for(agg: Aggregate, viewer: Viewer, timeline: list[TimelineEntry], now: int, locale: str,
                start_label: str) -> Actions:
    me, d = viewer.user_id, agg.definition
    out = Actions()
    mine = [t for t in agg.tasks if t.status == PENDING and t.user_id == me]
    out.resubmit_task = next((t for t in mine if resubmit_refusal(agg, t.id, me) is None), None)
    # The viewer's task to act on: one the engine lets them roll back from (every check but the signature's).
    out.task = next((t for t in mine if task_refusal(agg, t.id, me, check_signature=False) is None), None)
    if out.task is not None:
        node = d.node(out.task.node_key)
        assert node is not None
        refusal = task_refusal(agg, out.task.id, me)
        out.signature_blocked = isinstance(refusal, HandwrittenSignatureRequired)
        out.decide = refusal is None
        for key in rollback_target_keys(agg, node, timeline):
            target = d.node(key)
            if key == START_NODE:
                out.rollback_targets.append((START_NODE, start_label))
            elif target is not None:
                out.rollback_targets.append((target.key, d.text(target.name, locale)))
    out.cancel, out.cancel_is_revert = cancel_allowed(agg, me, now)
    out.participate = is_participant(agg, me)
    return out


def _rule(node_type: str, t: Any) -> str:
    label = i18n.NODE_TYPE.get(node_type, "")
    return t(label) if label else ""


def process_steps(agg: Aggregate, directory: Directory, viewer: Viewer, t: Any, locale: str) -> list[Step]:
    """START, every node the flow runs (branches judged on the form) or ran, END — each with who is on it."""
    d, inst = agg.definition, agg.instance
    by_node: dict[str, list[Task]] = {}
    for task in agg.tasks:
        by_node.setdefault(task.node_key, []).append(task)
    try:
        predicted = {p.node_key: p for p in preview_instance(agg, directory)}
    except Exception:  # a definition changed under an old instance: show what happened, predict nothing
        predicted = {}
    ended = inst.status in INSTANCE_ENDED
    steps: list[Step] = []

    start_tasks = by_node.get(START_NODE, [])
    handed_back = any(x.status == PENDING for x in start_tasks)
    steps.append(Step(
        START_NODE, t("Start"), "start", "current" if handed_back else "done",
        t("Waiting for the submitter to resubmit") if handed_back else "",
        people=[Person(viewer.name(inst.user_id), "PENDING" if handed_back else APPROVED, "")]))

    for index, node in enumerate(d.nodes):
        tasks = by_node.get(node.key, [])
        preview = predicted.get(node.key)
        name = d.text(node.name, locale)
        if not tasks and preview is None and node.conditions and not ended:
            # a branch this instance does not take: drawn, greyed, with the case it belongs to
            steps.append(Step(node.key, name, "cc" if node.node_type == "CC_NODE" else "approval", "skipped",
                              t("branch not taken"), _rule(node.node_type, t), note=case_label(node.raw, t, locale)))
            continue
        if not tasks and preview is None and node.node_type != "CC_NODE":
            continue
        if node.node_type == "CC_NODE":
            users = preview.end_cc_id_list if preview else []
            reached = (ended and inst.status == APPROVED) or index < inst.node_index
            if preview is None and not reached:
                continue
            steps.append(Step(node.key, name, "cc", "done" if reached else "future", "", _rule("CC_NODE", t),
                              [Person(viewer.name(u), "", "") for u in users]))
            continue
        latest = max((x.round for x in tasks), default=-1)
        current = [x for x in tasks if x.round == latest]
        pending = any(x.status == PENDING for x in current)
        rerun = (not ended and not pending and tasks and latest < inst.round and index > inst.node_index)
        if pending:
            state = "current"
        elif current and not rerun:
            state = "rejected" if any(x.status == REJECTED for x in current) else "done"
        else:
            state = "skipped" if ended else "future"
        step = Step(node.key, name, "approval", state, "", _rule(node.node_type, t))
        if current and not rerun:
            for x in current:
                if not x.user_id:
                    label = i18n.TASK_STATUS.get(x.type, "")
                    step.note = t(label) if label else ""
                    continue
                step.people.append(Person(viewer.name(x.user_id), x.status, t(i18n.TASK_STATUS.get(x.status, ""))))
        elif preview is not None:
            step.people = [Person(viewer.name(u), "", "") for u in preview.user_id_list]
            if preview.is_approver_type_free and not preview.user_id_list:
                step.note = t("Approvers are chosen at submission")
            elif preview.is_empty_logic:
                step.note = t("Nobody to approve")
        step.state_label = {"current": t("now"), "skipped": t("not reached")}.get(state, "")
        steps.append(step)

    end_label = t(i18n.INSTANCE_STATUS["REVERTED" if inst.reverted else inst.status]) if ended else ""
    steps.append(Step("END", t("End"), "end", ("rejected" if inst.status in (REJECTED, CANCELED) else "done")
                      if ended else "future", end_label))
    return steps


def _names(viewer: Viewer, ids: list[str]) -> str:
    return ", ".join(viewer.name(u) for u in ids)


def timeline_events(agg: Aggregate, timeline: list[TimelineEntry], comments: list[Comment], viewer: Viewer,
                    t: Any, locale: str) -> list[Event]:
    """The timeline entries and the comments, oldest first, in words."""
    d, inst = agg.definition, agg.instance
    out: list[Event] = []
    for e in timeline:
        node = d.node(e.node_key) if e.node_key and e.node_key != START_NODE else None
        node_name = d.text(node.name, locale) if node is not None else ""
        users = _names(viewer, e.user_id_list or e.cc_user_ids)
        what, kind = {
            "START": (t("submitted"), "neutral"),
            "PASS": (t("resubmitted") if e.node_key == START_NODE else t("approved"), "pass"),
            "REJECT": (t("rejected"), "reject"),
            "AUTO_PASS": (t("passed automatically (no approver)"), "pass"),
            "AUTO_REJECT": (t("rejected automatically (no approver)"), "reject"),
            "TRANSFER": (t("transferred to {users}", users=users), "neutral"),
            "ADD_APPROVER_BEFORE": (t("added approvers before themself: {users}", users=users), "neutral"),
            "ADD_APPROVER_AFTER": (t("approved and added approvers after: {users}", users=users), "pass"),
            "ADD_APPROVER": (t("added approvers alongside: {users}", users=users), "neutral"),
            "ROLLBACK_SELECTED": (t("rolled back"), "reject"),
            "CANCEL": (t("reverted") if inst.reverted else t("canceled"), "reject"),
            "CC": (t("CC'd {users}", users=users), "cc"),
        }.get(e.type, (e.type, "neutral"))
        who = viewer.name(e.user_id) if e.user_id else t("The process")
        out.append(Event(e.create_time, who, what, node_name, e.comment, kind))
    for c in comments:
        text = t("(comment deleted)") if c.is_delete else _comment_text(c.content)
        out.append(Event(c.create_time, viewer.name(c.user_id), t("commented"), "", text, "comment"))
    out.sort(key=lambda ev: ev.time)  # stable: timeline order kept within a millisecond
    return out


def _comment_text(content: str) -> str:
    """Comments are stored as the API takes them: a JSON string like {"text": "..."}."""
    try:
        parsed = json.loads(content)
    except ValueError:
        return content
    if isinstance(parsed, dict) and isinstance(parsed.get("text"), str):
        return str(parsed["text"])
    return content


# -- a definition as a diagram (the designer and the version pages) ----------------------------------------------

BRANCH_KEY = "shenpi_branch"  # see shenpi/web/designer_body.py: a node's place in a branch the designer drew
OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "is", "!=": "is not", "in": "is one of",
            "not_in": "is none of", "contains": "contains"}


@dataclass(slots=True)
class DiagramStep:
    key: str
    name: str
    kind: str  # approval | cc
    rule: str
    who: str
    note: str = ""


@dataclass(slots=True)
class DiagramCase:
    label: str
    when: str
    default: bool
    steps: list[DiagramStep] = field(default_factory=list)


@dataclass(slots=True)
class DiagramItem:
    """One step of the process, or a branch: its cases side by side, each with its own steps."""

    step: DiagramStep | None = None
    cases: list[DiagramCase] = field(default_factory=list)


def case_label(raw: dict[str, Any], t: Any, locale: str) -> str:
    meta = raw.get(BRANCH_KEY)
    if not isinstance(meta, dict):
        return ""
    cases: list[Any] = meta["cases"] if isinstance(meta.get("cases"), list) else []
    index: int = meta["case"] if isinstance(meta.get("case"), int) else -1
    case: dict[str, Any] = cases[index] if 0 <= index < len(cases) and isinstance(cases[index], dict) else {}
    name = str(case.get("name_zh" if locale == "zh-CN" else "name_en") or case.get("name_zh") or "")
    return str(t("Branch: {case}", case=name)) if name else ""


def condition_words(cond: dict[str, Any], d: Definition, t: Any, locale: str) -> str:
    widget = d.widget(str(cond.get("widget"))) if cond.get("widget") != "__submitter__" else None
    subject = d.text(widget.name, locale) if widget is not None else t("Submitter")
    value = cond.get("value")
    if widget is not None and isinstance(value, str) and widget.options:
        value = option_text(d, widget, value, locale)
    op = str(cond.get("op"))
    return f"{subject} {t(OP_WORDS.get(op, op))} {value}"


def approver_words(node: Node, d: Definition, t: Any, name_of: Any) -> str:
    specs = node.ccers if node.node_type == "CC_NODE" else node.approvers
    if not specs:
        return str(t("Chosen by the submitter"))
    parts = []
    for a in specs:
        if a.type == "Personal":
            parts.append(name_of(a.user_id))
        elif a.type == "Free":
            parts.append(t("Chosen by the submitter"))
        elif a.type in ("Supervisor", "SupervisorTopDown"):
            parts.append(t("Supervisor, {n} level(s)", n=a.level) if a.type == "Supervisor"
                         else t("Supervisor from the top, {n} level(s)", n=a.level))
        else:
            parts.append(t("Department manager, {n} level(s)", n=a.level) if a.type == "DepartmentManager"
                         else t("Department manager from the top, {n} level(s)", n=a.level))
    return ", ".join(parts)


def definition_diagram(d: Definition, t: Any, locale: str, name_of: Any) -> list[DiagramItem]:
    """The definition's nodes in order; the nodes of one designer branch grouped into its cases."""
    items: list[DiagramItem] = []
    branches: dict[str, DiagramItem] = {}
    for node in d.nodes:
        empty = t(EMPTY_WORDS.get(node.empty_approver, "")) if node.node_type != "CC_NODE" else ""
        step = DiagramStep(node.key, d.text(node.name, locale), "cc" if node.node_type == "CC_NODE" else "approval",
                           _rule(node.node_type, t), approver_words(node, d, t, name_of), empty)
        meta = node.raw.get(BRANCH_KEY)
        if not isinstance(meta, dict):
            if node.conditions:
                step.note = t("Only when {condition}", condition=" · ".join(
                    condition_words({"widget": c.widget, "op": c.op, "value": c.value}, d, t, locale)
                    for c in node.conditions))
            items.append(DiagramItem(step))
            continue
        key = str(meta.get("branch"))
        if key not in branches:
            branches[key] = DiagramItem()
            raw_cases: list[Any] = meta["cases"] if isinstance(meta.get("cases"), list) else []
            for c in raw_cases:
                c = c if isinstance(c, dict) else {}
                when: dict[str, Any] = c["when"] if isinstance(c.get("when"), dict) else {}
                label = str(c.get("name_zh" if locale == "zh-CN" else "name_en") or c.get("name_zh") or "")
                branches[key].cases.append(DiagramCase(
                    label, t("Otherwise") if c.get("default") else condition_words(when, d, t, locale),
                    bool(c.get("default"))))
            items.append(branches[key])
        index = meta.get("case")
        if isinstance(index, int) and 0 <= index < len(branches[key].cases):
            branches[key].cases[index].steps.append(step)
    return items


EMPTY_WORDS = {"AUTO_PASS": "Nobody to approve: passes", "AUTO_REJECT": "Nobody to approve: rejected"}
