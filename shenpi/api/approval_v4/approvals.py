"""Approval definitions: create (a new version when the code exists), get, and an app's subscription to one."""

from __future__ import annotations

import copy
from typing import Any

import msgspec

from shenpi.api.approval_v4.users import to_internal
from shenpi.api.jsontypes import int64
from shenpi.api.wire import Call, Route
from shenpi.engine.definitions import option_value
from shenpi.engine.errors import ApprovalDeleted, ApprovalNotActive, NoOperationPermission
from shenpi.engine.model import Definition
from shenpi.engine.open_api_definition import check_open_api_definition

_enc = msgspec.json.Encoder()


async def _canonical_body(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """Rewrite the user ids in a definition body from the request's id type to tenant user ids."""
    directory = await call.directory()
    out = copy.deepcopy(body)
    id_type = call.user_id_type
    # Only well-shaped parts are rewritten; the definition builder names whatever is shaped wrong (1390001).
    for i, node in enumerate(_list(out.get("node_list"))):
        if not isinstance(node, dict):
            continue
        for role in ("approver", "ccer"):
            for j, a in enumerate(_list(node.get(role))):
                if isinstance(a, dict) and a.get("type") == "Personal" and a.get("user_id"):
                    a["user_id"] = to_internal(directory, str(a["user_id"]), id_type,
                                               field=f"node_list[{i}].{role}[{j}].user_id")
    for i, v in enumerate(_list(out.get("viewers"))):
        if isinstance(v, dict) and v.get("viewer_user_id"):
            v["viewer_user_id"] = to_internal(directory, str(v["viewer_user_id"]), id_type,
                                              field=f"viewers[{i}].viewer_user_id")
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# Keys of a stored definition no client writes: its status (the console stops or deletes a definition) and the app
# that created it through the Open API, which alone may update it (1390009 for another app). A definition without a
# creator (a seed's: made in the console) may be updated by any app of the tenant.
_NOT_FROM_CLIENTS = ("status", "creator_app_id")


async def create(call: Call) -> dict[str, Any]:
    body = {k: v for k, v in call.json_object().items() if k not in _NOT_FROM_CLIENTS}
    code = body.get("approval_code")
    existing = await call.svc.definitions.find(call.tenant_key, code) if isinstance(code, str) and code else None
    if existing is not None and existing.status != "ACTIVE":
        raise ApprovalNotActive(f"approval {existing.code} is {existing.status.lower()}", field="approval_code")
    creator = existing.body.get("creator_app_id") if existing is not None else call.app.app_id
    if creator and creator != call.app.app_id:
        raise NoOperationPermission(f"approval {code} was created by another app, which alone may update it",
                                    field="approval_code")
    if creator:
        body["creator_app_id"] = creator
    definition = await call.svc.definitions.create(call.tenant_key, await _canonical_body(call, body),
                                                   check=check_open_api_definition, source="api",
                                                   author=call.app.app_id)
    return {"approval_code": definition.code, "approval_id": int64(definition.approval_id)}


def render_definition(d: Definition, *, locale: str, id_of: Any, with_admin_id: bool) -> dict[str, Any]:
    widgets = []
    for w in d.widgets:
        raw = dict(w.raw)
        if w.name:
            raw["name"] = d.text(w.name, locale)
        raw["required"] = w.required  # a common widget field: always there, false unless the definition says
        # Every widget of the page's form says whether it has a default value, and which: none unless given.
        raw["enable_default_value"] = bool(raw.get("enable_default_value", False))
        raw["widget_default_value"] = str(raw.get("widget_default_value") or "")
        raw["default_value_type"] = str(raw.get("default_value_type") or "")
        if w.options and isinstance(raw.get("value"), list):
            # An option's value is what an instance form gives to choose it (see option_value).
            raw["option"] = [{"value": option_value(o), "text": d.text(str(o.get("text", option_value(o))), locale)}
                             for o in raw["value"] if isinstance(o, dict) and ("value" in o or "key" in o)]
        widgets.append(raw)
    nodes = [
        {
            "name": d.text(n.name, locale),
            "need_approver": n.need_approver,
            "node_id": n.node_id,
            "custom_node_id": n.key,
            "node_type": n.node_type,
            "approver_chosen_multi": n.approver_chosen_multi,
            "approver_chosen_range": [],
            "require_signature": n.require_signature,
        }
        for n in d.nodes
    ]
    viewers = []
    for v in d.body.get("viewers") or []:
        if isinstance(v, dict):
            vt = v.get("viewer_type", "TENANT")
            uid = id_of(v.get("viewer_user_id", "")) if v.get("viewer_user_id") else ""
            viewers.append({"type": vt, "id": v.get("viewer_department_id") or uid, "user_id": uid})
    data: dict[str, Any] = {
        "approval_name": d.text(d.name, locale),
        "status": d.status,
        "form": _enc.encode(widgets).decode(),
        "node_list": nodes,
        "viewers": viewers,
    }
    if with_admin_id:
        data["approval_admin_ids"] = [id_of(u) for u in d.body.get("process_manager_ids") or []]
    return data


async def get(call: Call) -> dict[str, Any]:
    d = await call.svc.definitions.get(call.tenant_key, call.path["approval_code"])
    if d.status == "DELETED":
        raise ApprovalDeleted(f"approval {d.code} was deleted", field="approval_code")
    directory = await call.directory()
    id_type = call.user_id_type
    return render_definition(
        d,
        locale=call.query.get("locale", ""),
        id_of=lambda u: directory.external_id(u, id_type),
        with_admin_id=call.query.get("with_admin_id", "").lower() == "true",
    )


async def subscribe(call: Call) -> dict[str, Any]:
    await call.svc.subscriptions.subscribe(call.tenant_key, call.app.app_id, call.path["approval_code"])
    return {}


async def unsubscribe(call: Call) -> dict[str, Any]:
    await call.svc.subscriptions.unsubscribe(call.tenant_key, call.app.app_id, call.path["approval_code"])
    return {}


ROUTES = [
    Route("POST", "/open-apis/approval/v4/approvals", "approval.v4.approval.create", create),
    Route("GET", "/open-apis/approval/v4/approvals/:approval_code", "approval.v4.approval.get", get),
    Route("POST", "/open-apis/approval/v4/approvals/:approval_code/subscribe", "approval.v4.approval.subscribe",
          subscribe, user_id_type=False),
    Route("POST", "/open-apis/approval/v4/approvals/:approval_code/unsubscribe", "approval.v4.approval.unsubscribe",
          unsubscribe, user_id_type=False),
]
