"""Preview (``POST /instances/preview``): the nodes a submission would go through, without creating anything.

The result is plain data in the order the flow would run: START, every node whose branch conditions hold for the
form, END. Each node carries its resolved approvers and CC users, as Feishu's ``preview_nodes`` shows them:
``node_type`` is the node's (AND / OR / SEQUENTIAL), AUTO_PASS or AUTO_REJECT for a node whose approvers resolve to
nobody (``is_empty_logic``), and "" for START, END and CC nodes. A Free node whose approvers the caller did not
choose is listed with no approvers and ``is_approver_type_free`` (Feishu asks the submitter to pick them). Nodes
after an AUTO_REJECT are not listed: the flow would end there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shenpi.engine import errors
from shenpi.engine.approvers import resolve_approvers, resolve_ccers
from shenpi.engine.commands.guards import existing_users, node_keyed
from shenpi.engine.conditions import node_applies
from shenpi.engine.directory import Directory
from shenpi.engine.form import parse_form
from shenpi.engine.model import PENDING, START_NODE, Aggregate, Definition, Instance
from shenpi.engine.state import FlowState

END_NODE = "END"


@dataclass(slots=True)
class PreviewRequest:
    user_id: str  # the submitter (tenant-scoped)
    department_id: str = ""
    form: str | None = None
    free_approvers: dict[str, list[str]] = field(default_factory=dict)  # node key or node id -> user ids
    free_ccs: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class PreviewNode:
    node_key: str  # the custom node id (the definition's node id), or START / END
    node_id: str  # Feishu's system node id; START / END for those
    node_name: str  # i18n key or text of the definition; "发起" / "结束" for START / END
    node_type: str  # AND | OR | SEQUENTIAL | AUTO_PASS | AUTO_REJECT | ""
    user_id_list: list[str] = field(default_factory=list)
    end_cc_id_list: list[str] = field(default_factory=list)
    is_empty_logic: bool = False
    is_approver_type_free: bool = False
    has_cc_type_free: bool = False


def _walk(definition: Definition, directory: Directory, inst: Instance) -> list[PreviewNode]:
    out = [PreviewNode(START_NODE, START_NODE, "发起", "")]
    free = inst.state.chosen_approvers
    for node in definition.nodes:
        if not node_applies(node, inst, directory):
            continue
        ccers = resolve_ccers(node, inst, directory)
        has_cc_free = bool(inst.state.chosen_ccs.get(node.key))
        if node.node_type == "CC_NODE":
            out.append(PreviewNode(node.key, node.node_id, node.name, "", end_cc_id_list=ccers,
                                   has_cc_type_free=has_cc_free))
            continue
        approvers = resolve_approvers(node, inst, directory)
        is_free = node.need_approver
        node_type = node.node_type
        empty = not approvers and not (is_free and not free.get(node.key))
        if empty:
            node_type = node.empty_approver
        out.append(PreviewNode(node.key, node.node_id, node.name, node_type, user_id_list=approvers,
                               end_cc_id_list=ccers, is_empty_logic=empty, is_approver_type_free=is_free,
                               has_cc_type_free=has_cc_free))
        if empty and node_type == "AUTO_REJECT":
            break
    out.append(PreviewNode(END_NODE, END_NODE, "结束", ""))
    return out


def preview(definition: Definition, directory: Directory, req: PreviewRequest) -> list[PreviewNode]:
    """Case 1 of the preview API: before submission. Errors: 1390004 unknown submitter or chosen user;
    1390001 a department that is not the submitter's, a submitter in several departments who names none
    (Feishu: "审批流程预览失败"), a bad form, a chosen-approver key that is not a node."""
    user = directory.user(req.user_id)
    if user is None:
        raise errors.UserNotFound(f"user {req.user_id} not found", field="user_id")
    if req.department_id and req.department_id not in user.department_ids:
        raise errors.ParamInvalid(f"department_id {req.department_id} is not a department of the submitter",
                                  field="department_id")
    if not req.department_id and len(user.department_ids) > 1:
        raise errors.ParamInvalid("department_id is required for a submitter in several departments",
                                  field="department_id")
    form = parse_form(definition, req.form)
    free = node_keyed(definition, req.free_approvers, "node_approver_user_id_list")
    free_cc = node_keyed(definition, req.free_ccs, "node_cc_user_id_list")
    for users in (*free.values(), *free_cc.values()):
        existing_users(directory, users, "node_approver_user_id_list")
    inst = Instance(
        tenant_key=definition.tenant_key, code="", approval_code=definition.code, user_id=req.user_id,
        department_id=req.department_id or (user.department_ids[0] if user.department_ids else ""),
        status=PENDING, form=form, start_time=0, state=FlowState(chosen_approvers=free, chosen_ccs=free_cc),
    )
    return _walk(definition, directory, inst)


def preview_instance(agg: Aggregate, directory: Directory) -> list[PreviewNode]:
    """Case 2 of the preview API: an existing instance, judged on its current form and chosen approvers."""
    return _walk(agg.definition, directory, agg.instance)
