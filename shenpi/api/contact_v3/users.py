"""Users as ``contact/v3`` answers them, so clients can map between id types as on Feishu."""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.contact_v3.errors import ContactParamInvalid, ContactUserIdInvalid, ContactUserNotFound, contact_error
from shenpi.api.wire import Call, Route
from shenpi.engine.directory import RESIGNED, Directory, User, feishu_status


def render_user(u: User, directory: Directory, id_type: str) -> dict[str, Any]:
    return {
        "user_id": u.user_id, "open_id": u.open_id, "union_id": u.union_id, "name": u.name, "en_name": u.name,
        "email": u.email, "department_ids": u.department_ids,
        "leader_user_id": directory.external_id(u.leader_user_id, id_type) if u.leader_user_id else "",
        "status": feishu_status(u.status),
    }


# Feishu's open and union ids carry these prefixes; an id without one cannot name anybody (a user_id is free-form).
_ID_PREFIX = {"open_id": "ou_", "union_id": "on_"}


async def get_user(call: Call) -> dict[str, Any]:
    directory = await call.directory()
    user = directory.resolve(call.path["user_id"], call.user_id_type)
    if user is None and not call.path["user_id"].startswith(_ID_PREFIX.get(call.user_id_type, "")):
        # A seed may give a user an open_id of any form, so an id is judged by its form only once nobody has it.
        raise ContactUserIdInvalid(f"{call.path['user_id']} is not a valid {call.user_id_type}", field="user_id")
    if user is None:
        raise ContactUserNotFound(f"no user has {call.user_id_type} {call.path['user_id']}", field="user_id")
    return {"user": render_user(user, directory, call.user_id_type)}


class BatchGetId(msgspec.Struct):
    emails: list[str] = []
    mobiles: list[str] = []
    include_resigned: bool = False


async def batch_get_id(call: Call) -> dict[str, Any]:
    b: BatchGetId = call.body(BatchGetId)
    if len(b.emails) > 50 or len(b.mobiles) > 50:
        raise ContactParamInvalid("at most 50 emails and 50 mobiles", field="emails")
    directory = await call.directory()
    by_email = {u.email.lower(): u for u in directory.users.values() if u.email}
    out = []
    for email in b.emails:
        u = by_email.get(email.lower())
        if u is not None and u.status == RESIGNED and not b.include_resigned:  # as Feishu: leavers only when asked
            u = None
        entry: dict[str, Any] = {"email": email}
        if u is not None:
            entry["user_id"] = directory.external_id(u.user_id, call.user_id_type)
        out.append(entry)
    out.extend({"mobile": m} for m in b.mobiles)  # the directory keeps no phone numbers
    return {"user_list": out}


ROUTES = [
    Route("GET", "/open-apis/contact/v3/users/:user_id", "contact.v3.user.get", get_user, errors=contact_error,
          tokens=("tenant", "user")),
    Route("POST", "/open-apis/contact/v3/users/batch_get_id", "contact.v3.user.batch_get_id", batch_get_id,
          errors=contact_error),
]
