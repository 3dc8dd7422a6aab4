"""The seed the SDK-driven tests run against: two tenants, apps with different scopes, a small org."""

from __future__ import annotations

import json
from typing import Any

ALL = ["approval:approval", "approval:task", "contact:user.employee_id:readonly", "app_engine:approval:write",
       "app_engine:approval:read"]

FORM = [
    {"id": "reason", "type": "textarea", "name": "@i18n@reason", "required": True},
    {"id": "days", "type": "number", "name": "@i18n@days"},
    {"id": "amount", "type": "amount", "name": "@i18n@amount"},
    {"id": "kind", "type": "radioV2", "name": "@i18n@kind",
     "value": [{"key": "sick", "value": "sick"}, {"key": "annual", "value": "annual"}]},
    {"id": "tags", "type": "checkboxV2", "name": "@i18n@tags",
     "value": [{"key": "a", "value": "a"}, {"key": "b", "value": "b"}]},
    {"id": "start", "type": "date", "name": "@i18n@start"},
    {"id": "period", "type": "dateInterval", "name": "@i18n@period"},
    {"id": "note", "type": "input", "name": "@i18n@note"},
]

I18N = [{"locale": "zh-CN", "is_default": True, "texts": [
    {"key": "@i18n@leave", "value": "请假"}, {"key": "@i18n@reason", "value": "原因"},
    {"key": "@i18n@days", "value": "天数"}, {"key": "@i18n@amount", "value": "金额"},
    {"key": "@i18n@kind", "value": "类型"}, {"key": "@i18n@tags", "value": "标签"},
    {"key": "@i18n@start", "value": "开始"}, {"key": "@i18n@period", "value": "期间"},
    {"key": "@i18n@note", "value": "备注"}, {"key": "@i18n@mgr", "value": "主管审批"},
    {"key": "@i18n@fin", "value": "财务审批"}, {"key": "@i18n@sign", "value": "签字"},
]}, {"locale": "en-US", "texts": [{"key": "@i18n@leave", "value": "Leave"}, {"key": "@i18n@mgr", "value": "Manager"}]}]


def definition(code: str, nodes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"approval_code": code, "approval_name": "@i18n@leave", "viewers": [{"viewer_type": "TENANT"}],
            "form": {"form_content": json.dumps(FORM)}, "node_list": [{"id": "START"}, *nodes, {"id": "END"}],
            "i18n_resources": I18N, **extra}


def test_seed() -> dict[str, Any]:
    return {"tenants": [
        {
            "tenant_key": "acme",
            "name": "Acme",
            "rate_limit_scale": 1000,  # the suite runs many calls a minute; limits are tested on tenant 'slow'
            "apps": [
                {"app_id": "cli_acme", "app_secret": "s3cret", "scopes": ALL},
                {"app_id": "cli_acme_ro", "app_secret": "ro", "scopes": ["approval:approval:readonly"]},
                {"app_id": "cli_acme_task", "app_secret": "task", "scopes": ["approval:task"]},
                {"app_id": "cli_acme_none", "app_secret": "none", "scopes": ["contact:user.employee_id:readonly"]},
                {"app_id": "cli_acme_apaas", "app_secret": "apaas", "scopes": ["app_engine:approval:write"]},
                {"app_id": "cli_acme_apaas_ro", "app_secret": "apaas-ro", "scopes": ["app_engine:approval:read"]},
                # one approval scope each, to prove each page's permission row
                *({"app_id": f"cli_only_{name}", "app_secret": name, "scopes": [scope]} for name, scope in (
                    ("approval", "approval:approval"), ("definition", "approval:definition"),
                    ("instance", "approval:instance"), ("comment", "approval:instance.comment"),
                    ("list", "approval:approval.list:readonly"))),
                {"app_id": "cli_contact", "app_secret": "contact",
                 "scopes": ["contact:contact:readonly_as_app", "contact:user.id:readonly",
                            "contact:user.employee_id:readonly"]},
                {"app_id": "cli_contact_noid", "app_secret": "noid",
                 "scopes": ["contact:contact:readonly_as_app", "contact:user.id:readonly"]},
            ],
            "departments": [
                {"department_id": "fin", "name": "Finance", "leader_user_id": "dana"},
                {"department_id": "eng", "name": "Engineering", "leader_user_id": "erin"},
            ],
            "users": [
                {"user_id": "alice", "name": "Alice", "open_id": "ou_alice", "union_id": "on_alice",
                 "apaas_user_id": "1783981209205788", "department_ids": ["eng"], "leader_user_id": "bob"},
                {"user_id": "bob", "name": "Bob", "department_ids": ["eng"], "leader_user_id": "erin"},
                {"user_id": "carol", "name": "Carol", "department_ids": ["fin"], "leader_user_id": "dana"},
                {"user_id": "dana", "name": "Dana", "department_ids": ["fin"]},
                {"user_id": "erin", "name": "Erin", "department_ids": ["eng"]},
            ],
            "approvals": [
                definition("LEAVE", [
                    {"id": "mgr", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Supervisor", "level": "1"}]},
                    {"id": "fin", "name": "@i18n@fin", "node_type": "OR",
                     "approver": [{"type": "Personal", "user_id": "dana"}, {"type": "Personal", "user_id": "carol"}]},
                ]),
                definition("AND2", [
                    {"id": "both", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Personal", "user_id": "bob"}, {"type": "Personal", "user_id": "carol"}]},
                ]),
                definition("CCFLOW", [
                    {"id": "first", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Personal", "user_id": "bob"}],
                     "ccer": [{"type": "Personal", "user_id": "erin"}]},
                    {"id": "notify", "name": "@i18n@fin", "node_type": "CC_NODE",
                     "ccer": [{"type": "Personal", "user_id": "dana"}]},
                ]),
                definition("EXPENSE", [
                    {"id": "lead", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Supervisor", "level": "1"}]},
                    {"id": "director", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Supervisor", "level": "2"}],
                     "conditions": [{"widget": "amount", "op": ">=", "value": 1000}]},
                    {"id": "finance", "name": "@i18n@fin", "node_type": "AND",
                     "approver": [{"type": "Personal", "user_id": "dana"}, {"type": "Personal", "user_id": "carol"}]},
                    {"id": "notify", "name": "@i18n@fin", "node_type": "CC_NODE",
                     "ccer": [{"type": "Personal", "user_id": "alice"}]},
                ]),
                definition("SENDBACK", [
                    {"id": "check", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Personal", "user_id": "bob"}]},
                ], settings={"reject_option": 1}),
                definition("TWOSTEP", [
                    {"id": "one", "name": "@i18n@mgr", "node_type": "AND",
                     "approver": [{"type": "Personal", "user_id": "bob"}]},
                    {"id": "two", "name": "@i18n@fin", "node_type": "AND",
                     "approver": [{"type": "Personal", "user_id": "carol"}]},
                ], settings={"revert_interval": 3600}),
                definition("SIGNED", [
                    {"id": "sign", "name": "@i18n@sign", "node_type": "AND", "require_signature": True,
                     "approver": [{"type": "Personal", "user_id": "bob"}]},
                ]),
            ],
        },
        {
            "tenant_key": "other",
            "name": "Other Co",
            "rate_limit_scale": 1000,
            "apps": [{"app_id": "cli_other", "app_secret": "other", "scopes": ALL}],
            "users": [{"user_id": "sam", "name": "Sam"}, {"user_id": "sue", "name": "Sue"}],
        },
        {
            "tenant_key": "slow",
            "name": "Slow Co",
            "apps": [{"app_id": "cli_slow", "app_secret": "slow", "scopes": ALL}],
            "users": [{"user_id": "sam", "name": "Sam"}, {"user_id": "sue", "name": "Sue"}],
            "approvals": [definition("SLOW", [
                {"id": "one", "name": "@i18n@mgr", "node_type": "AND",
                 "approver": [{"type": "Personal", "user_id": "sue"}]}])],
        },
    ]}


test_seed.__test__ = False  # type: ignore[attr-defined]  # a builder, not a test, despite its name
