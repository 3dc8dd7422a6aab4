"""Which scopes each endpoint needs: an app with any one of them may call it, one with none is refused with
99991672.

The table is the endpoint contract's (``shenpi/contract/endpoints/*.json``): each file's ``scopes`` is its page's
permission row, keyed by the SDK's method name (``approval.v4.task.reject``). An empty row (the sign-in pages: "无")
needs no scope. A request that asks for ``user_id_type=user_id`` also needs one of the field scopes the file names
for ``user_id``. Every route has a contract file (tests/contract checks it), so every route is in the table.
"""

from __future__ import annotations

from types import MappingProxyType

from shenpi.contract import load
from shenpi.platform.errors import HELP, ScopeDenied

CONTRACT = load()
SCOPES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({n: ep.scopes for n, ep in CONTRACT.items()})
USER_ID_FIELD_SCOPES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {n: ep.field_scopes.get("user_id", ()) for n, ep in CONTRACT.items()})


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
    """Raise 99991672 unless the app holds one of the endpoint's scopes (and, for ``user_id_type=user_id``, one of
    its user_id field scopes)."""
    needed = SCOPES[endpoint]
    if needed and not any(s in granted for s in needed):
        raise _denied(app_id, needed, "action_scope_required")
    field = USER_ID_FIELD_SCOPES[endpoint] if user_id_type == "user_id" else ()
    if field and not any(s in granted for s in field):
        raise _denied(app_id, field, "field_scope_required")


def help_url(page: str) -> str:
    return HELP + page
