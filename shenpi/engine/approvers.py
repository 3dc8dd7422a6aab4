"""Who approves a node, and who is CC'd: approver specs resolved against the directory and the submitter.

An approval node's approvers come out as *lanes*: each lane is a list of users who approve one after another, and
the node combines its lanes by its type (AND: every lane; OR: any lane). So:

* ``Personal``: one lane with the named user.
* ``Free``: the users the submitter chose for the node, one lane each.
* ``Supervisor`` level n: one lane with the submitter's n nearest leaders, the direct leader first (bottom-up).
* ``SupervisorTopDown`` level n: one lane with the n highest leaders of the submitter's chain, the highest first.
* ``DepartmentManager`` level n: one lane with the leaders of the submitter's department and its n-1 nearest
  ancestors, nearest first; a department without a leader adds nobody.
* ``DepartmentManagerTopDown`` level n: the leaders of the n highest departments of that chain, highest first.

A chain shorter than ``level`` gives the leaders there are. A SEQUENTIAL node has a single lane: all its
(Free) approvers in the order chosen.

``starter_assignee`` decides what happens where the submitter would approve their own request: ``STARTER`` (and
the default, empty) keeps them; ``AUTO_PASS`` drops them; ``SUPERVISOR`` / ``DEPARTMENT_MANAGER`` put the
submitter's direct leader / nearest department leader other than the submitter in their place (or drop them when
there is none). A user who would appear twice in a node approves once, at the first place (no REMOVE_REPEAT
entry: that is Feishu's dedup across nodes, which this engine does not do).

A user who is in the directory but not active (frozen, resigned, unactivated) approves nothing: they are left out
where they would stand, and a node left with nobody follows its ``empty_approver`` rule, as Feishu hands a departed
approver's place to its "approver is empty" setting (docs/compatibility.md).
"""

from __future__ import annotations

from shenpi.engine.directory import Directory
from shenpi.engine.model import ApproverSpec, Instance, Node


def _leaders(spec: ApproverSpec, instance: Instance, directory: Directory) -> list[str]:
    if spec.type in ("Supervisor", "SupervisorTopDown"):
        chain = directory.supervisor_chain(instance.user_id)
    else:
        user = directory.user(instance.user_id)
        department = instance.department_id or (user.department_ids[0] if user and user.department_ids else "")
        chain = [d.leader_user_id for d in directory.department_chain(department)]
    if spec.type.endswith("TopDown"):
        levels = list(reversed(chain))[: spec.level]
    else:
        levels = chain[: spec.level]
    return [u for u in levels if u]


def spec_lanes(spec: ApproverSpec, node: Node, instance: Instance, directory: Directory,
               chosen: dict[str, list[str]]) -> list[list[str]]:
    """The lanes one approver spec stands for (before starter_assignee and dedup); ``chosen`` holds the users the
    submitter chose per node, for a Free spec."""
    if spec.type == "Personal":
        return [[spec.user_id]] if spec.user_id else []
    if spec.type == "Free":
        return [[u] for u in chosen.get(node.key, []) if u]
    return [_leaders(spec, instance, directory)]


def _stand_in(node: Node, instance: Instance, directory: Directory) -> list[str]:
    """Who replaces the submitter as approver of their own request, per ``starter_assignee``."""
    submitter = instance.user_id
    if node.starter_assignee == "SUPERVISOR":
        return directory.supervisor_chain(submitter)[:1]
    if node.starter_assignee == "DEPARTMENT_MANAGER":
        user = directory.user(submitter)
        department = instance.department_id or (user.department_ids[0] if user and user.department_ids else "")
        leaders = [d.leader_user_id for d in directory.department_chain(department)]
        return [u for u in leaders if u and u != submitter][:1]
    return []  # AUTO_PASS: the submitter simply drops out


def may_approve(directory: Directory, user_id: str) -> bool:
    """Whether the user may be given a task: anyone but a directory user who is not active."""
    user = directory.user(user_id)
    return user is None or user.is_active


def _finish(lanes: list[list[str]], node: Node, instance: Instance, directory: Directory) -> list[list[str]]:
    submitter = instance.user_id
    seen: set[str] = set()
    out: list[list[str]] = []
    for lane in lanes:
        kept: list[str] = []
        for user_id in lane:
            candidates = [user_id]
            if user_id == submitter and node.starter_assignee not in ("", "STARTER"):
                candidates = _stand_in(node, instance, directory)
            for c in candidates:
                if c and c not in seen and may_approve(directory, c):
                    seen.add(c)
                    kept.append(c)
        if kept:
            out.append(kept)
    return out


def approver_lanes(node: Node, instance: Instance, directory: Directory) -> list[list[str]]:
    """The node's approvers as lanes (see the module doc); empty when nobody is left to approve."""
    lanes: list[list[str]] = []
    for spec in node.approvers:
        lanes.extend(spec_lanes(spec, node, instance, directory, instance.state.chosen_approvers))
    if node.node_type == "SEQUENTIAL":
        lanes = [[u for lane in lanes for u in lane]]
    return _finish(lanes, node, instance, directory)


def resolve_approvers(node: Node, instance: Instance, directory: Directory) -> list[str]:
    """The node's approvers as one list, in the order they were resolved."""
    return [u for lane in approver_lanes(node, instance, directory) for u in lane]


def resolve_ccers(node: Node, instance: Instance, directory: Directory) -> list[str]:
    """The users a node CCs: its ccer specs (chains flattened) and the CCs the submitter chose for it."""
    if not node.ccers and not instance.state.chosen_ccs:
        return []
    out: list[str] = []
    for spec in node.ccers:
        for lane in spec_lanes(spec, node, instance, directory, instance.state.chosen_ccs):
            out.extend(lane)
    out.extend(instance.state.chosen_ccs.get(node.key, []))
    seen: set[str] = set()
    return [u for u in out if u and not (u in seen or seen.add(u))]  # type: ignore[func-returns-value]
