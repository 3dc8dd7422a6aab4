"""Built-in demo data for ``shenpi serve --demo``: one tenant, two apps, a small org and two processes."""

from __future__ import annotations

import json
from typing import Any

DEMO_APP_ID = "cli_demo_app"
DEMO_APP_SECRET = "demo_secret"
ALL_SCOPES = [
    "approval:approval", "approval:approval:readonly", "approval:task", "approval:instance", "approval:definition",
    "approval:approval.list:readonly", "approval:instance.comment", "approval:task:list_by_user",
    "contact:user.employee_id:readonly", "app_engine:approval:write", "app_engine:approval:read",
]

_LEAVE_FORM = [
    {"id": "reason", "type": "textarea", "name": "@i18n@reason", "required": True},
    {"id": "days", "type": "number", "name": "@i18n@days", "required": True},
]
_EXPENSE_FORM = [
    {"id": "item", "type": "input", "name": "@i18n@item", "required": True},
    {"id": "amount", "type": "amount", "name": "@i18n@amount", "required": True},
]


def _i18n(pairs: dict[str, str]) -> list[dict[str, Any]]:
    return [{"locale": "zh-CN", "is_default": True, "texts": [{"key": k, "value": v} for k, v in pairs.items()]}]


def demo_seed() -> dict[str, Any]:
    return {
        "tenants": [{
            "tenant_key": "demo",
            "name": "Demo Co.",
            "apps": [{"app_id": DEMO_APP_ID, "app_secret": DEMO_APP_SECRET, "scopes": ALL_SCOPES,
                      "admin_user_ids": ["admin"]}],
            "departments": [
                {"department_id": "eng", "name": "Engineering", "leader_user_id": "carol"},
                {"department_id": "fin", "name": "Finance", "leader_user_id": "dana"},
            ],
            "users": [
                {"user_id": "alice", "name": "Alice", "department_ids": ["eng"], "leader_user_id": "bob",
                 "password": "alice"},
                {"user_id": "bob", "name": "Bob", "department_ids": ["eng"], "leader_user_id": "carol",
                 "password": "bob"},
                {"user_id": "carol", "name": "Carol", "department_ids": ["eng"], "password": "carol"},
                {"user_id": "dana", "name": "Dana", "department_ids": ["fin"], "password": "dana"},
                {"user_id": "admin", "name": "Admin", "department_ids": ["eng"], "password": "admin"},
            ],
            "approvals": [
                {
                    "approval_code": "DEMO-LEAVE",
                    "approval_name": "@i18n@leave",
                    "viewers": [{"viewer_type": "TENANT"}],
                    "form": {"form_content": json.dumps(_LEAVE_FORM)},
                    "node_list": [
                        {"id": "START"},
                        {"id": "manager", "name": "@i18n@manager", "node_type": "AND",
                         "approver": [{"type": "Supervisor", "level": "1"}]},
                        {"id": "END"},
                    ],
                    "i18n_resources": _i18n({"@i18n@leave": "Leave request", "@i18n@reason": "Reason",
                                             "@i18n@days": "Days", "@i18n@manager": "Manager"}),
                },
                {
                    "approval_code": "DEMO-EXPENSE",
                    "approval_name": "@i18n@expense",
                    "viewers": [{"viewer_type": "TENANT"}],
                    "form": {"form_content": json.dumps(_EXPENSE_FORM)},
                    "node_list": [
                        {"id": "START"},
                        {"id": "lead", "name": "@i18n@lead", "node_type": "OR",
                         "approver": [{"type": "Supervisor", "level": "1"}]},
                        {"id": "finance", "name": "@i18n@finance", "node_type": "AND",
                         "approver": [{"type": "Personal", "user_id": "dana"}]},
                        {"id": "END"},
                    ],
                    "i18n_resources": _i18n({"@i18n@expense": "Expense claim", "@i18n@item": "Item",
                                             "@i18n@amount": "Amount", "@i18n@lead": "Team lead",
                                             "@i18n@finance": "Finance"}),
                },
            ],
        }]
    }
