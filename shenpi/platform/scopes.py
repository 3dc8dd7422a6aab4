"""Which scopes each endpoint needs: an app with any one of them may call it, one with none is refused with
99991672.

The endpoint contract (``shenpi/contract/endpoints/*.json``, each page's permission row) is the table; the
entries below stand for the endpoints whose contract file has not been written yet. Keys are the SDK's method
names (``approval.v4.task.reject``). A request that asks for ``user_id_type=user_id`` also needs the field
scope the contract names for ``user_id`` (``USER_ID_FIELD_SCOPE`` where there is no file yet).
"""

from __future__ import annotations

from types import MappingProxyType

from shenpi.contract import load
from shenpi.platform.errors import HELP, ScopeDenied

A, R = "approval:approval", "approval:approval:readonly"
USER_ID_FIELD_SCOPE = "contact:user.employee_id:readonly"
APAAS_WRITE, APAAS_READ = "app_engine:approval:write", "app_engine:approval:read"

_WITHOUT_A_CONTRACT_FILE: dict[str, tuple[str, ...]] = {
    # definitions & subscriptions
    "approval.v4.approval.create": (A, "approval:definition"),
    "approval.v4.approval.get": (A, R, "approval:definition"),
    "approval.v4.approval.subscribe": (A, R, "approval:definition"),
    "approval.v4.approval.unsubscribe": (A, R, "approval:definition"),
    # instances
    "approval.v4.instance.create": (A, R, "approval:instance"),
    "approval.v4.instance.get": (A, R, "approval:instance"),
    "approval.v4.instance.list": (A, R, "approval:approval.list:readonly", "approval:instance"),
    "approval.v4.instance.cancel": (A, R, "approval:instance"),
    "approval.v4.instance.cc": (A, R, "approval:instance"),
    "approval.v4.instance.preview": (A, R, "approval:instance"),
    "approval.v4.instance.query": (A, R, "approval:approval.list:readonly"),
    "approval.v4.instance.search_cc": (A, R, "approval:approval.list:readonly"),
    "approval.v4.instance.specified_rollback": (A, R, "approval:task"),
    "approval.v4.instance.add_sign": (A, R, "approval:task"),
    "approval.v4.instance.add_cc": (A, R, "approval:instance"),
    "approval.v4.instance.detail": (A, R, "approval:instance"),
    "approval.v4.instance.initiated": (A, R, "approval:instance"),
    "approval.v4.instance.recall": (A, R, "approval:instance"),
    "approval.v4.instance.remind": (A, R, "approval:instance"),
    "approval.v4.instance.subscription": (A, R, "approval:instance"),
    "approval.v4.instance.unsubscription": (A, R, "approval:instance"),
    # comments
    "approval.v4.instance_comment.create": (A, R, "approval:instance.comment"),
    "approval.v4.instance_comment.delete": (A, R, "approval:instance.comment"),
    "approval.v4.instance_comment.list": (A, R, "approval:instance.comment"),
    "approval.v4.instance_comment.remove": (A, R, "approval:instance.comment"),
    # tasks
    "approval.v4.task.add_sign": (A, R, "approval:task"),
    "approval.v4.task.forward": (A, R, "approval:task"),
    "approval.v4.task.list": (A, R, "approval:task:list_by_user"),
    "approval.v4.task.pass_": (A, R, "approval:task"),
    "approval.v4.task.refuse": (A, R, "approval:task"),
    "approval.v4.task.rollback": (A, R, "approval:task"),
    "approval.v4.task.subscription": (A, R, "approval:task"),
    "approval.v4.task.unsubscription": (A, R, "approval:task"),
    # external approvals
    "approval.v4.external_approval.create": (A, "approval:external_approval"),
    "approval.v4.external_approval.get": (A, R, "approval:external_approval"),
    "approval.v4.external_instance.create": (A, "approval:external_instance"),
    "approval.v4.external_instance.check": (A, R, "approval:external_instance"),
    "approval.v4.external_task.list": (A, R, "approval:external_task"),
    "approval.v4.district.list": (A, R),
    "approval.v4.district.search": (A, R),
    # aPaaS
    "apaas.v1.approval_task.agree": (APAAS_WRITE,),
    "apaas.v1.approval_task.reject": (APAAS_WRITE,),
    "apaas.v1.approval_task.transfer": (APAAS_WRITE,),
    "apaas.v1.approval_task.add_assignee": (APAAS_WRITE,),
    "apaas.v1.approval_instance.cancel": (APAAS_WRITE,),
    "apaas.v1.user_task.query": (APAAS_READ, APAAS_WRITE),
    "apaas.v1.user_task.cc": (APAAS_WRITE,),
    "apaas.v1.user_task.expediting": (APAAS_WRITE,),
    "apaas.v1.user_task.rollback": (APAAS_WRITE,),
    "apaas.v1.user_task.rollback_points": (APAAS_READ, APAAS_WRITE),
    "apaas.v1.user_task.chat_group": (APAAS_WRITE,),
    # directory
    "contact.v3.user.get": ("contact:user.base:readonly", "contact:contact:readonly_as_app", "contact:contact",
                            "contact:contact:readonly"),
    "contact.v3.user.batch_get_id": ("contact:user.id:readonly", "contact:contact:readonly_as_app", "contact:contact"),
}


CONTRACT = load()
SCOPES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {**_WITHOUT_A_CONTRACT_FILE, **{name: ep.scopes for name, ep in CONTRACT.items()}})


def _user_id_field_scopes(endpoint: str) -> tuple[str, ...]:
    ep = CONTRACT.get(endpoint)
    return (USER_ID_FIELD_SCOPE,) if ep is None else ep.field_scopes.get("user_id", ())


def _denied(app_id: str, scopes: tuple[str, ...], violation_type: str) -> ScopeDenied:
    listed = ", ".join(scopes)
    return ScopeDenied(
        f"Access denied. One of the following scopes is required: [{listed}].应用尚未开通所需的应用身份权限：[{listed}]",
        permission_violations=[{"type": violation_type, "subject": s} for s in scopes],
        helps=[{
            "url": f"https://open.feishu.cn/app/{app_id}/auth?q={','.join(scopes)}&op_from=openapi",
            "description": f"Learn more about scopes and how to add them: [{listed}]",
        }],
    )


def check_scopes(endpoint: str, app_id: str, granted: frozenset[str], *, user_id_type: str = "") -> None:
    """Raise 99991672 unless the app holds one of the endpoint's scopes (and the user_id field scope)."""
    needed = SCOPES[endpoint]
    if not any(s in granted for s in needed):
        raise _denied(app_id, needed, "action_scope_required")
    if user_id_type == "user_id":
        field = _user_id_field_scopes(endpoint)
        if field and not any(s in granted for s in field):
            raise _denied(app_id, field, "field_scope_required")


def help_url(page: str) -> str:
    return HELP + page
