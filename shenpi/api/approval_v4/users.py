"""Translating user ids between the wire's ``user_id_type`` and the engine's tenant-scoped user ids."""

from __future__ import annotations

from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError, NoOperationPermission, UserNotFound


def to_internal(directory: Directory, value: str, id_type: str, *, field: str,
                error: type[DomainError] = UserNotFound) -> str:
    user = directory.resolve(value, id_type)
    if user is None:
        raise error(f"no user has {id_type} '{value}' in this tenant (check user_id_type)", field=field)
    return user.user_id


def actor(directory: Directory, value: str, id_type: str) -> str:
    """The acting user of a task operation; an unknown id cannot be the task's approver (1390009)."""
    return to_internal(directory, value, id_type, field="user_id", error=NoOperationPermission)


def any_internal(directory: Directory, value: str, *, field: str,
                 error: type[DomainError] = UserNotFound) -> str:
    """For bodies without ``user_id_type`` (add_sign, aPaaS): accept a user_id, open_id or union_id."""
    for id_type in ("user_id", "open_id", "union_id"):
        user = directory.resolve(value, id_type)
        if user is not None:
            return user.user_id
    raise error(f"no user has the id '{value}' in this tenant", field=field)
