"""People signing in through an identity provider: found in the directory by one field, or added to it.

The web inbox's single sign-on (shenpi/web/sso.py) asks here; matching is exact (an email compared without case).
"""

from __future__ import annotations

from shenpi import ids
from shenpi.app.context import Context
from shenpi.engine.directory import Directory, User

MATCH_FIELDS = ("user_id", "open_id", "union_id", "email")


class UserTaken(Exception):
    """The user id a new person would get belongs to someone else already."""


class SsoUsers:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def find(self, tenant_key: str, field: str, value: str) -> User | None:
        """The directory user whose ``field`` is ``value``; None when there is none (or the value is empty).

        A miss in this process's cached directory is read again from the store: another worker process may have
        added the person (provisioning) since this one cached it, and then this one's cache is renewed."""
        if field not in MATCH_FIELDS:
            raise ValueError(f"cannot match users by {field!r}")
        if not value:
            return None
        user = _match(await self._ctx.registry.directory(tenant_key), field, value)
        if user is None:
            async with self._ctx.store.transaction() as tx:
                user = _match(await tx.load_directory(tenant_key), field, value)
            if user is not None:
                self._ctx.registry.invalidate()
        return user

    async def provision(self, tenant_key: str, *, user_id: str, name: str, email: str = "", open_id: str = "",
                        union_id: str = "") -> User:
        """Add a person to the directory (no department, no manager, no password: they sign in through the
        provider). UserTaken when the user id is someone else's."""
        if (await self._ctx.registry.directory(tenant_key)).user(user_id) is not None:
            raise UserTaken(user_id)
        user = User(user_id=user_id, name=name or user_id, open_id=open_id or ids.derived_open_id(tenant_key, user_id),
                    union_id=union_id or ids.derived_union_id(tenant_key, user_id),
                    apaas_user_id=ids.derived_apaas_user_id(tenant_key, user_id), email=email)
        async with self._ctx.store.transaction() as tx:
            if any(u.user_id == user_id for u in (await tx.load_directory(tenant_key)).users.values()):
                raise UserTaken(user_id)  # added a moment ago by another request
            await tx.upsert_user(tenant_key, user)
        self._ctx.registry.invalidate()
        return user


def _match(directory: Directory, field: str, value: str) -> User | None:
    if field == "user_id":
        return directory.user(value)
    wanted = value.casefold() if field == "email" else value
    for user in directory.users.values():
        have: str = getattr(user, field)
        if have and (have.casefold() if field == "email" else have) == wanted:
            return user
    return None
