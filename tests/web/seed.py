"""The seed the web tests run against: a tenant with passwords, admins and a form of every fillable widget type,
and a second tenant to prove nobody crosses over."""

from __future__ import annotations

import json
from typing import Any

SCOPES = ["approval:approval", "approval:task", "approval:instance", "approval:definition",
          "contact:user.employee_id:readonly", "app_engine:approval:write"]

# One widget of each type the web form fills in.
FORM = [
    {"id": "reason", "type": "textarea", "name": "@i18n@reason", "required": True},
    {"id": "days", "type": "number", "name": "@i18n@days", "required": True},
    {"id": "amount", "type": "amount", "name": "@i18n@amount"},
    {"id": "kind", "type": "radioV2", "name": "@i18n@kind",
     "value": [{"key": "sick", "value": "sick", "text": "@i18n@sick"}, {"key": "annual", "value": "annual",
                                                                        "text": "@i18n@annual"}]},
    {"id": "tags", "type": "checkboxV2", "name": "@i18n@tags",
     "value": [{"key": "a", "value": "a", "text": "Alpha"}, {"key": "b", "value": "b", "text": "Beta"}]},
    {"id": "start", "type": "date", "name": "@i18n@start"},
    {"id": "period", "type": "dateInterval", "name": "@i18n@period"},
    {"id": "note", "type": "input", "name": "@i18n@note"},
    {"id": "backup", "type": "contact", "name": "@i18n@backup"},
]

TEXTS = {"@i18n@leave": ("请假", "Leave"), "@i18n@reason": ("原因", "Reason"), "@i18n@days": ("天数", "Days"),
         "@i18n@amount": ("金额", "Amount"), "@i18n@kind": ("类型", "Kind"), "@i18n@sick": ("病假", "Sick"),
         "@i18n@annual": ("年假", "Annual"), "@i18n@tags": ("标签", "Tags"), "@i18n@start": ("开始", "Start date"),
         "@i18n@period": ("期间", "Period"), "@i18n@note": ("备注", "Note"), "@i18n@backup": ("代理人", "Backup"),
         "@i18n@mgr": ("主管审批", "Manager"), "@i18n@fin": ("财务审批", "Finance"),
         "@i18n@back": ("退回流程", "Send-back flow"), "@i18n@private": ("私密审批", "Private approval")}


def _i18n() -> list[dict[str, Any]]:
    return [{"locale": loc, "is_default": loc == "zh-CN",
             "texts": [{"key": k, "value": v[i]} for k, v in TEXTS.items()]}
            for i, loc in enumerate(("zh-CN", "en-US"))]


def definition(code: str, name: str, nodes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"approval_code": code, "approval_name": name, "viewers": [{"viewer_type": "TENANT"}],
            "form": {"form_content": json.dumps(FORM)}, "node_list": [{"id": "START"}, *nodes, {"id": "END"}],
            "i18n_resources": _i18n(), **extra}


MGR = {"id": "mgr", "name": "@i18n@mgr", "node_type": "AND", "approver": [{"type": "Supervisor", "level": "1"}]}
FIN = {"id": "fin", "name": "@i18n@fin", "node_type": "OR", "approver": [{"type": "Personal", "user_id": "carol"}]}


def web_seed() -> dict[str, Any]:
    return {"tenants": [
        {
            "tenant_key": "acme",
            "name": "Acme",
            "rate_limit_scale": 1000,
            "apps": [{"app_id": "cli_web", "app_secret": "web-secret", "scopes": SCOPES,
                      "admin_user_ids": ["dana"], "event_url": "http://127.0.0.1:9/events",
                      "verification_token": "vt-1234567890"}],
            "departments": [{"department_id": "eng", "name": "Engineering", "leader_user_id": "erin"},
                            {"department_id": "fin", "name": "Finance", "leader_user_id": "dana"}],
            "users": [
                {"user_id": "alice", "name": "Alice", "department_ids": ["eng"], "leader_user_id": "bob",
                 "password": "alice-pw"},
                {"user_id": "bob", "name": "Bob", "department_ids": ["eng"], "leader_user_id": "erin",
                 "password": "bob-pw"},
                {"user_id": "carol", "name": "Carol", "department_ids": ["fin"], "password": "carol-pw"},
                {"user_id": "dana", "name": "Dana", "department_ids": ["fin"], "password": "dana-pw"},
                {"user_id": "erin", "name": "Erin", "department_ids": ["eng"], "password": "erin-pw"},
                {"user_id": "frank", "name": "Frank", "department_ids": ["eng"]},  # no password: cannot sign in
            ],
            "approvals": [
                definition("LEAVE", "@i18n@leave", [MGR, FIN]),
                definition("BACK", "@i18n@back", [MGR], settings={"reject_option": 1}),
                definition("PRIVATE", "@i18n@private", [MGR],
                           viewers=[{"viewer_type": "USER", "viewer_user_id": "erin"}]),
            ],
        },
        {
            "tenant_key": "globex",
            "name": "Globex",
            "apps": [{"app_id": "cli_globex", "app_secret": "globex-secret", "scopes": SCOPES}],
            "users": [{"user_id": "gus", "name": "Gus", "password": "gus-pw"},
                      {"user_id": "alice", "name": "Alice of Globex", "password": "globex-alice-pw"}],
            "approvals": [definition("G-LEAVE", "@i18n@leave", [
                {"id": "one", "name": "@i18n@mgr", "node_type": "AND",
                 "approver": [{"type": "Personal", "user_id": "gus"}]}])],
        },
    ]}


web_seed.__test__ = False  # type: ignore[attr-defined]
