"""The people of a tenant as its HR admins keep them: add and edit users, change their employment state (a user who
leaves hands their open tasks to a named person in the same transaction), departments and their leaders, who
administers the tenant, a CSV import, and whether an app is enabled.

Every operation is one transaction; a refused one changes nothing and raises :class:`PeopleInvalid`, whose
message is a fixed English sentence (the web translates it) and whose ``field`` names what was wrong. Each change
counts in the store's directory version, so every server process sees it (shenpi/app/registry.py).
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field

from shenpi import ids
from shenpi.app.context import Context
from shenpi.engine import commands
from shenpi.engine.directory import ACTIVE, USER_STATUSES, Department, Directory, User
from shenpi.engine.errors import DomainError
from shenpi.engine.model import Task
from shenpi.platform.passwords import hash_password
from shenpi.store.base import ConcurrentUpdate, Tx
from shenpi.store.records import App

_RETRIES = 3
_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
CSV_COLUMNS = ("user_id", "name", "email", "department_ids", "leader_user_id")


class PeopleInvalid(ValueError):
    """A change the directory refuses; ``message`` is a fixed sentence, ``detail`` the value it is about."""

    def __init__(self, message: str, field: str = "", detail: str = "") -> None:
        super().__init__(f"{message} ({detail})" if detail else message)
        self.message = message
        self.field = field
        self.detail = detail


@dataclass(slots=True)
class UserDraft:
    """What an admin writes about a user; ids are tenant user ids."""

    user_id: str
    name: str
    email: str = ""
    department_ids: list[str] = field(default_factory=list)
    leader_user_id: str = ""


@dataclass(slots=True)
class StatusChange:
    """The answer of a status change: the user as saved and the tasks handed over (their ids)."""

    user: User
    transferred: list[str]


def _check_draft(directory: Directory, draft: UserDraft) -> None:
    if not _ID.match(draft.user_id):
        raise PeopleInvalid("A user id is 1 to 64 letters, digits or . _ @ -", "user_id", draft.user_id)
    if not draft.name.strip():
        raise PeopleInvalid("A name is required", "name")
    if draft.email and not _EMAIL.match(draft.email):
        raise PeopleInvalid("This is not an email address", "email", draft.email)
    for d in draft.department_ids:
        if d not in directory.departments:
            raise PeopleInvalid("No such department", "department_ids", d)
    if draft.leader_user_id:
        if draft.leader_user_id == draft.user_id:
            raise PeopleInvalid("A user cannot be their own supervisor", "leader_user_id")
        if draft.leader_user_id not in directory.users:
            raise PeopleInvalid("No such user", "leader_user_id", draft.leader_user_id)
        if draft.user_id in directory.supervisor_chain(draft.leader_user_id):
            raise PeopleInvalid("This supervisor reports to the user already", "leader_user_id", draft.leader_user_id)


class Personnel:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def _fresh_directory(self, tx: Tx, tenant_key: str) -> Directory:
        """The directory as stored now, inside the change's transaction (not the cached copy)."""
        return await tx.load_directory(tenant_key)

    def _changed(self) -> None:
        self._ctx.registry.invalidate()

    # -- users --------------------------------------------------------------------------------------
    async def add_user(self, tenant_key: str, draft: UserDraft, *, password: str = "") -> User:
        """Add an active user (with a web password when one is given)."""
        hashed = await asyncio.to_thread(hash_password, password) if password else None  # argon2: off the loop
        async with self._ctx.store.transaction() as tx:
            user = await self._add(tx, tenant_key, await self._fresh_directory(tx, tenant_key), draft, hashed)
        self._changed()
        return user

    async def _add(self, tx: Tx, tenant_key: str, directory: Directory, draft: UserDraft,
                   password_hash: str | None = None) -> User:
        _check_draft(directory, draft)
        if draft.user_id in directory.users:
            raise PeopleInvalid("A user with this id exists already", "user_id", draft.user_id)
        if draft.email and any(u.email.lower() == draft.email.lower() for u in directory.users.values()):
            raise PeopleInvalid("Another user has this email", "email", draft.email)
        user = User(user_id=draft.user_id, name=draft.name.strip(),
                    open_id=ids.derived_open_id(tenant_key, draft.user_id),
                    union_id=ids.derived_union_id(tenant_key, draft.user_id),
                    apaas_user_id=ids.derived_apaas_user_id(tenant_key, draft.user_id),
                    department_ids=list(draft.department_ids), leader_user_id=draft.leader_user_id,
                    email=draft.email.strip())
        await tx.upsert_user(tenant_key, user, password_hash)
        directory.users[user.user_id] = user  # the next row of an import sees it
        return user

    async def edit_user(self, tenant_key: str, draft: UserDraft) -> User:
        """Change a user's name, email, departments and supervisor; their ids and state stay."""
        async with self._ctx.store.transaction() as tx:
            directory = await self._fresh_directory(tx, tenant_key)
            current = directory.user(draft.user_id)
            if current is None:
                raise PeopleInvalid("No such user", "user_id", draft.user_id)
            _check_draft(directory, draft)
            if draft.email and any(u.email.lower() == draft.email.lower() and u.user_id != draft.user_id
                                   for u in directory.users.values()):
                raise PeopleInvalid("Another user has this email", "email", draft.email)
            user = dataclasses.replace(current, name=draft.name.strip(), email=draft.email.strip(),
                                       department_ids=list(draft.department_ids),
                                       leader_user_id=draft.leader_user_id)
            await tx.upsert_user(tenant_key, user)
        self._changed()
        return user

    async def open_tasks(self, tenant_key: str, user_id: str) -> list[Task]:
        """The user's pending tasks, oldest instance first."""
        async with self._ctx.store.transaction() as tx:
            return await tx.pending_tasks_of(tenant_key, user_id)

    async def set_status(self, tenant_key: str, user_id: str, status: str, *, transfer_to: str = "",
                         comment: str = "") -> StatusChange:
        """Put the user in ``status``. A user who stops being active while they have open tasks hands each to
        ``transfer_to`` (an active user), through the engine's transfer (its timeline entry and events are the
        ones the transfer API writes), in the same transaction as the change: all of it or nothing."""
        if status not in USER_STATUSES:
            raise PeopleInvalid("Unknown status", "status", status)
        for attempt in range(_RETRIES):
            try:
                async with self._ctx.store.transaction() as tx:
                    change = await self._set_status(tx, tenant_key, user_id, status, transfer_to, comment)
                break
            except ConcurrentUpdate:  # an instance changed under the transfer: read everything again
                if attempt == _RETRIES - 1:
                    raise PeopleInvalid("The user's tasks kept changing; try again", "transfer_to") from None
        self._changed()
        if change.transferred:
            self._ctx.committed()
        return change

    async def _set_status(self, tx: Tx, tenant_key: str, user_id: str, status: str, transfer_to: str,
                          comment: str) -> StatusChange:
        directory = await self._fresh_directory(tx, tenant_key)
        current = directory.user(user_id)
        if current is None:
            raise PeopleInvalid("No such user", "user_id", user_id)
        open_tasks = await tx.pending_tasks_of(tenant_key, user_id) if status != ACTIVE else []
        moved: list[str] = []
        if open_tasks:
            target = directory.user(transfer_to) if transfer_to else None
            if target is None:
                raise PeopleInvalid("The user has open tasks: name who takes them over", "transfer_to", transfer_to)
            if target.user_id == user_id or not target.is_active:
                raise PeopleInvalid("Open tasks go to another active user", "transfer_to", transfer_to)
            now = self._ctx.clock.now_ms()
            for task in open_tasks:
                agg = await tx.load_aggregate(tenant_key, task.instance_code)
                if agg is None:
                    continue
                try:
                    tr = commands.transfer(agg, directory, commands.Transfer(
                        task_id=task.id, user_id=user_id, transfer_user_id=target.user_id, comment=comment),
                        now=now, new_id=ids.task_id)
                except DomainError as e:
                    raise PeopleInvalid("A task cannot go to this person", "transfer_to",
                                        f"{task.instance_code}: {e.detail or e.msg}") from None
                await tx.save_transition(tr, created=False)
                moved.append(task.id)
        user = dataclasses.replace(current, status=status)
        await tx.upsert_user(tenant_key, user)
        if status != ACTIVE:
            await tx.delete_user_sessions(tenant_key, user_id)  # a departed user's web sessions end now
        return StatusChange(user, moved)

    # -- departments ------------------------------------------------------------------------------
    async def save_department(self, tenant_key: str, dept: Department, *, new: bool) -> Department:
        """Add (``new``) or change a department: its name, leader and parent."""
        async with self._ctx.store.transaction() as tx:
            directory = await self._fresh_directory(tx, tenant_key)
            if not _ID.match(dept.department_id):
                raise PeopleInvalid("A department id is 1 to 64 letters, digits or . _ @ -", "department_id",
                                    dept.department_id)
            exists = dept.department_id in directory.departments
            if new and exists:
                raise PeopleInvalid("A department with this id exists already", "department_id", dept.department_id)
            if not new and not exists:
                raise PeopleInvalid("No such department", "department_id", dept.department_id)
            if not dept.name.strip():
                raise PeopleInvalid("A name is required", "name")
            if dept.leader_user_id and dept.leader_user_id not in directory.users:
                raise PeopleInvalid("No such user", "leader_user_id", dept.leader_user_id)
            if dept.parent_department_id:
                if dept.parent_department_id not in directory.departments:
                    raise PeopleInvalid("No such department", "parent_department_id", dept.parent_department_id)
                if dept.department_id in [d.department_id for d in
                                          directory.department_chain(dept.parent_department_id)]:
                    raise PeopleInvalid("A department cannot sit under itself", "parent_department_id",
                                        dept.parent_department_id)
            saved = dataclasses.replace(dept, name=dept.name.strip())
            await tx.upsert_department(tenant_key, saved)
            leader = directory.user(dept.leader_user_id) if dept.leader_user_id else None
            if leader is not None and dept.department_id not in leader.department_ids:
                # A department's leader is one of its members, as in Feishu's contact book.
                await tx.upsert_user(tenant_key, dataclasses.replace(
                    leader, department_ids=[*leader.department_ids, dept.department_id]))
        self._changed()
        return saved

    # -- roles --------------------------------------------------------------------------------------
    async def set_admin(self, tenant_key: str, user_id: str, admin: bool) -> None:
        """Make the user an admin of the tenant (of every app of it, where shenpi keeps ``admin_user_ids``), or
        stop them being one. The last admin stays: a tenant without one has nobody to manage it."""
        async with self._ctx.store.transaction() as tx:
            if (await self._fresh_directory(tx, tenant_key)).user(user_id) is None:
                raise PeopleInvalid("No such user", "user_id", user_id)
            apps = await tx.list_apps(tenant_key)
            if not apps:
                raise PeopleInvalid("The tenant has no app to hold its admins", "user_id")
            if not admin:
                others = {u for a in apps for u in a.admin_user_ids if u != user_id}
                if not others:
                    raise PeopleInvalid("The last admin cannot be removed", "user_id", user_id)
            for a in apps:
                ids_now = [u for u in a.admin_user_ids if u != user_id] + ([user_id] if admin else [])
                if ids_now != a.admin_user_ids:
                    await tx.upsert_app(dataclasses.replace(a, admin_user_ids=ids_now))
        self._changed()

    # -- a CSV import -------------------------------------------------------------------------------
    async def import_csv(self, tenant_key: str, text: str) -> list[User]:
        """Add the users of a CSV (a header row naming ``user_id`` and ``name``, optionally ``email``,
        ``department_ids`` (separated by ``;``) and ``leader_user_id``): all of them, or none when a row is wrong
        (the error names its line). A leader may be a user of a later row."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip() for h in reader.fieldnames or []]
        if "user_id" not in header or "name" not in header:
            raise PeopleInvalid("The first row must name the columns user_id and name", "file")
        unknown = [h for h in header if h not in CSV_COLUMNS]
        if unknown:
            raise PeopleInvalid("Unknown column", "file", ", ".join(unknown))
        drafts = []
        for row in reader:
            cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
            drafts.append((reader.line_num, UserDraft(
                user_id=cells.get("user_id", ""), name=cells.get("name", ""), email=cells.get("email", ""),
                department_ids=[d.strip() for d in cells.get("department_ids", "").split(";") if d.strip()],
                leader_user_id=cells.get("leader_user_id", ""))))
        if not drafts:
            raise PeopleInvalid("The file has no users", "file")
        async with self._ctx.store.transaction() as tx:
            directory = await self._fresh_directory(tx, tenant_key)
            added = []
            for line, draft in drafts:  # leaders first as users without one, then every supervisor is known
                try:
                    added.append(await self._add(tx, tenant_key, directory, dataclasses.replace(draft,
                                                                                               leader_user_id="")))
                except PeopleInvalid as e:
                    raise PeopleInvalid(e.message, e.field, f"line {line}: {e.detail}".rstrip(": ")) from None
            for (line, draft), user in zip(drafts, added, strict=True):
                if draft.leader_user_id:
                    try:
                        _check_draft(directory, draft)
                    except PeopleInvalid as e:
                        raise PeopleInvalid(e.message, e.field, f"line {line}: {e.detail}") from None
                    user.leader_user_id = draft.leader_user_id
                    await tx.upsert_user(tenant_key, user)
        self._changed()
        return added

    # -- apps -------------------------------------------------------------------------------------
    async def set_app_enabled(self, app_id: str, enabled: bool) -> App | None:
        """Enable or disable an app (None: no such app). A disabled app's users cannot sign in through it."""
        async with self._ctx.store.transaction() as tx:
            current = await tx.get_app(app_id)
            if current is None:
                return None
            updated = dataclasses.replace(current, enabled=enabled)
            await tx.upsert_app(updated)
        self._changed()
        return updated

