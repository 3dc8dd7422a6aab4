"""A definition's plan: what the flow would otherwise work out again from the definition on every command.

Built once per :class:`Definition` object, on first use, and kept on it (``Definition.plan``); the store caches
definitions per version, so a server builds a plan once per approval version. What it holds:

* each node's position (``Definition.nodes.index`` and ``Definition.node`` were linear scans per command);
* the widgets by id (``Definition.widget``, per form entry);
* each node's combining rule (AND/SEQUENTIAL: all lanes, OR: any lane);
* for a node whose approvers are all ``Personal``, its lanes: they depend on nobody's directory or choices, only
  on whether the submitter is among them (``starter_assignee`` then replaces or drops them, which the plan leaves
  to approvers.py);
* the nodes whose approvers the submitter must choose.

Nothing in it depends on an instance: everything an instance decides (conditions, Free approvers, leaders) is
still worked out per command by conditions.py and approvers.py. A definition is not changed once built (an edit
builds a new one), except ``status``, which the plan does not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from shenpi.engine import worktree
from shenpi.engine.model import Definition, Node, Widget

# How a node's lanes combine: every lane (AND; SEQUENTIAL has only one), or any one of them (OR).
_JOIN: dict[str, worktree.Rule] = {"AND": "all", "OR": "any", "SEQUENTIAL": "all"}


def join_of(node: Node) -> worktree.Rule:
    return _JOIN.get(node.node_type, "all")


@dataclass(slots=True)
class NodePlan:
    node: Node
    index: int  # in Definition.nodes
    join: worktree.Rule
    conditional: bool  # whether the node has branch conditions (else it always applies)
    # When every approver is Personal: the lanes approvers.approver_lanes gives for a submitter who is not one
    # of ``personal_users`` (deduplicated, in order); None when some approver depends on the instance.
    personal_lanes: tuple[tuple[str, ...], ...] | None
    personal_users: frozenset[str]


@dataclass(slots=True)
class Plan:
    nodes: list[NodePlan]
    by_key: dict[str, NodePlan]  # a node's key and its system node id, first node first (as Definition.node)
    widgets: dict[str, Widget]  # the first widget of each id (as Definition.widget)
    nodes_to_choose_for: tuple[Node, ...]  # nodes (not CC nodes) whose approvers the submitter must choose
    of_nodes: list[Node]  # the list it was built from, to notice a definition whose nodes were replaced

    def node(self, key: str) -> Node | None:
        found = self.by_key.get(key)
        return found.node if found is not None else None

    def index(self, node: Node) -> int:
        """The position of ``node`` (one of this definition's nodes) in ``Definition.nodes``."""
        found = self.by_key.get(node.key)
        if found is not None and found.node is node:
            return found.index
        return self.of_nodes.index(node)


def _personal_lanes(node: Node) -> tuple[tuple[str, ...], ...] | None:
    if not node.approvers or any(a.type != "Personal" for a in node.approvers):
        return None
    lanes: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for spec in node.approvers:  # one lane per spec, a user kept at their first place (approvers._finish)
        if spec.user_id and spec.user_id not in seen:
            seen.add(spec.user_id)
            lanes.append((spec.user_id,))
    if node.node_type == "SEQUENTIAL":
        return (tuple(u for lane in lanes for u in lane),) if lanes else ()
    return tuple(lanes)


def build_plan(definition: Definition) -> Plan:
    nodes: list[NodePlan] = []
    by_key: dict[str, NodePlan] = {}
    for i, n in enumerate(definition.nodes):
        lanes = _personal_lanes(n)
        np = NodePlan(n, i, join_of(n), bool(n.conditions), lanes,
                      frozenset(u for lane in lanes or () for u in lane))
        nodes.append(np)
        by_key.setdefault(n.key, np)
        by_key.setdefault(n.node_id, np)
    widgets: dict[str, Widget] = {}
    for w in definition.widgets:
        widgets.setdefault(w.id, w)
    chosen = tuple(n for n in definition.nodes if n.need_approver and n.node_type != "CC_NODE")
    return Plan(nodes, by_key, widgets, chosen, definition.nodes)


def plan_of(definition: Definition) -> Plan:
    """The definition's plan, built on first use."""
    plan = definition.plan
    if plan is None or plan.of_nodes is not definition.nodes:
        plan = definition.plan = build_plan(definition)
    return plan  # type: ignore[no-any-return]
