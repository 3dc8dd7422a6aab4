"""Users and departments of one tenant, as the engine needs them: who leads whom, and id mapping.

A Directory is an in-memory snapshot built by the platform layer from the store; the engine only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A user's employment state, as Feishu's contact v3 ``status`` tells it apart. Only an active user signs in, gets new
# tasks and answers authen's token pages; the others keep their id, name and history (timelines, past tasks).
ACTIVE = "active"  # joined and working
FROZEN = "frozen"  # suspended by an admin: still employed, cannot sign in
RESIGNED = "resigned"  # left the company (deactivated): kept so the past still names them
UNACTIVATED = "unactivated"  # invited or added but never activated their account
USER_STATUSES = (ACTIVE, FROZEN, RESIGNED, UNACTIVATED)


def feishu_status(status: str) -> dict[str, bool]:
    """The contact v3 ``status`` object of a user in this state. A frozen user was activated; a resigned one is no
    longer; an unactivated one has not joined (``is_unjoin``). shenpi has no self-exit, so ``is_exited`` is false."""
    return {"is_frozen": status == FROZEN, "is_resigned": status == RESIGNED,
            "is_activated": status in (ACTIVE, FROZEN), "is_exited": False, "is_unjoin": status == UNACTIVATED}


@dataclass(slots=True)
class User:
    user_id: str
    name: str
    open_id: str
    union_id: str
    apaas_user_id: str
    department_ids: list[str] = field(default_factory=list)
    leader_user_id: str = ""
    email: str = ""
    status: str = ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


@dataclass(slots=True)
class Department:
    department_id: str
    name: str
    leader_user_id: str = ""
    parent_department_id: str = ""


class Directory:
    def __init__(self, tenant_key: str, users: list[User], departments: list[Department]) -> None:
        self.tenant_key = tenant_key
        self.users = {u.user_id: u for u in users}
        self.departments = {d.department_id: d for d in departments}
        self._by_open = {u.open_id: u for u in users}
        self._by_union = {u.union_id: u for u in users}
        self._by_apaas = {u.apaas_user_id: u for u in users}

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def members(self, department_id: str) -> list[User]:
        """The users whose departments include this one, by user id."""
        return sorted((u for u in self.users.values() if department_id in u.department_ids), key=lambda u: u.user_id)

    def resolve(self, id_value: str, id_type: str) -> User | None:
        """Find a user by an id of the given type: user_id, open_id, union_id or apaas."""
        if id_type == "open_id":
            return self._by_open.get(id_value)
        if id_type == "union_id":
            return self._by_union.get(id_value)
        if id_type == "apaas":
            return self._by_apaas.get(id_value)
        return self.users.get(id_value)

    def external_id(self, user_id: str, id_type: str) -> str:
        """The id of ``user_id`` in the requested id type; unknown users keep their id."""
        u = self.users.get(user_id)
        if u is None or not user_id:
            return user_id
        if id_type == "open_id":
            return u.open_id
        if id_type == "union_id":
            return u.union_id
        if id_type == "apaas":
            return u.apaas_user_id
        return u.user_id

    def supervisor_chain(self, user_id: str) -> list[str]:
        """The submitter's leaders, nearest first (direct leader, their leader, ...)."""
        chain: list[str] = []
        seen = {user_id}
        u = self.users.get(user_id)
        while u is not None and u.leader_user_id and u.leader_user_id not in seen:
            chain.append(u.leader_user_id)
            seen.add(u.leader_user_id)
            u = self.users.get(u.leader_user_id)
        return chain

    def department_chain(self, department_id: str) -> list[Department]:
        """A department and its ancestors, nearest first."""
        chain: list[Department] = []
        seen: set[str] = set()
        d = self.departments.get(department_id)
        while d is not None and d.department_id not in seen:
            chain.append(d)
            seen.add(d.department_id)
            d = self.departments.get(d.parent_department_id) if d.parent_department_id else None
        return chain
