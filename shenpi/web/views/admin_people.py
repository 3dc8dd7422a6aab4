"""The people admin pages, for a tenant's HR admins: users (list, add, edit, state with the hand-over of a leaver's
open tasks, password reset, admin role), a CSV import, and departments (the tree, leaders, members).

Every change goes through ``svc.personnel`` (one transaction each); a refused change shows the form again with the
reason, translated, and nothing saved.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from shenpi.app.personnel import CSV_COLUMNS, PeopleInvalid, UserDraft
from shenpi.engine.directory import ACTIVE, USER_STATUSES, Department, Directory, User
from shenpi.web.context import Ctx, Endpoint, action, page

STATUS_LABEL = {"active": "Active", "frozen": "Frozen", "resigned": "Resigned", "unactivated": "Not activated"}
STATUS_HELP = {"active": "Works here: signs in and is given tasks.",
               "frozen": "Suspended: cannot sign in and is given no new tasks.",
               "resigned": "Has left: cannot sign in; their name stays on past requests.",
               "unactivated": "Added but has not activated the account yet."}
FLASH = {"added": "User added.", "saved": "Changes saved.", "password": "Password reset.",
         "admin": "Admin role granted.", "not-admin": "Admin role removed.", "status": "Status changed.",
         "dept": "Department saved."}
MIN_PASSWORD = 8


def _refusal(ctx: Ctx, e: PeopleInvalid) -> str:
    return ctx.t(e.message) + (f" ({e.detail})" if e.detail else "")


def _flash(ctx: Ctx) -> str:
    key = ctx.request.query_params.get("ok", "")
    if key == "moved":
        return ctx.t("Status changed; {n} open tasks handed over.", n=ctx.request.query_params.get("n", "0"))
    return ctx.t(FLASH[key]) if key in FLASH else ""


async def _directory(ctx: Ctx) -> Directory:
    return await ctx.svc.directory(ctx.me.tenant_key)


def _people(directory: Directory, *, active_only: bool = False) -> list[User]:
    users = [u for u in directory.users.values() if u.is_active or not active_only]
    return sorted(users, key=lambda u: (u.name.lower(), u.user_id))


def _user_row(ctx: Ctx, u: User, directory: Directory, admins: set[str]) -> dict[str, Any]:
    return {"user": u, "status": ctx.t(STATUS_LABEL.get(u.status, u.status)), "admin": u.user_id in admins,
            "departments": [directory.departments[d].name if d in directory.departments else d
                            for d in u.department_ids],
            "supervisor": ctx.me.name(u.leader_user_id) if u.leader_user_id else ""}


async def _admins(ctx: Ctx) -> set[str]:
    return {u for a in await ctx.svc.people.apps(ctx.me.tenant_key) for u in a.admin_user_ids}


# -- users --------------------------------------------------------------------------------------------------------
@page(admin=True)
async def people(ctx: Ctx) -> Response:
    directory = await _directory(ctx)
    q = ctx.request.query_params.get("q", "").strip()[:100]
    status = ctx.request.query_params.get("status", "")
    admins = await _admins(ctx)
    rows = [_user_row(ctx, u, directory, admins) for u in _people(directory)
            if (not status or u.status == status)
            and (not q or q.lower() in f"{u.user_id} {u.name} {u.email}".lower())]
    return ctx.render("admin_people.html", section="people", tab="users", rows=rows, q=q, status_filter=status,
                      statuses=[(s, ctx.t(STATUS_LABEL[s])) for s in USER_STATUSES], ok=_flash(ctx))


def _draft(ctx: Ctx, user_id: str) -> UserDraft:
    return UserDraft(user_id=user_id, name=ctx.field("name"), email=ctx.field("email"),
                     department_ids=ctx.fields("department_ids"), leader_user_id=ctx.field("leader_user_id"))


async def _user_form(ctx: Ctx, draft: UserDraft, *, new: bool, status: int = 200, error: str = "",
                     error_field: str = "", user: User | None = None) -> Response:
    directory = await _directory(ctx)
    admins = await _admins(ctx)
    tasks = await ctx.svc.personnel.open_tasks(ctx.me.tenant_key, user.user_id) if user else []
    return ctx.render(
        "admin_people_user.html", status=status, section="people", tab="users", new=new, draft=draft, user=user,
        departments=sorted(directory.departments.values(), key=lambda d: d.name.lower()),
        supervisors=[u for u in _people(directory, active_only=True) if u.user_id != draft.user_id],
        status_label=ctx.t(STATUS_LABEL.get(user.status, user.status)) if user else "",
        is_admin=bool(user and user.user_id in admins), open_tasks=len(tasks), error=error, error_field=error_field,
        ok=_flash(ctx), min_password=MIN_PASSWORD)


@page(admin=True)
async def new_user(ctx: Ctx) -> Response:
    return await _user_form(ctx, UserDraft("", ""), new=True)


@action(admin=True)
async def add_user(ctx: Ctx) -> Response:
    draft = _draft(ctx, ctx.field("user_id"))
    password = ctx.field("password")
    if password and len(password) < MIN_PASSWORD:
        return await _user_form(ctx, draft, new=True, status=400, error_field="password",
                                error=ctx.t("A password has at least {n} characters.", n=MIN_PASSWORD))
    try:
        added = await ctx.svc.personnel.add_user(ctx.me.tenant_key, draft, password=password)
    except PeopleInvalid as e:
        return await _user_form(ctx, draft, new=True, status=400, error=_refusal(ctx, e), error_field=e.field)
    return ctx.redirect(f"/admin/people/users/{added.user_id}?ok=added")


async def _found(ctx: Ctx) -> User | Response:
    user = (await _directory(ctx)).user(ctx.request.path_params["user_id"])
    return user if user is not None else ctx.problem(404, ctx.t("No such user"))


@page(admin=True)
async def user(ctx: Ctx) -> Response:
    found = await _found(ctx)
    if isinstance(found, Response):
        return found
    return await _user_form(ctx, UserDraft(found.user_id, found.name, found.email, list(found.department_ids),
                                           found.leader_user_id), new=False, user=found)


@action(admin=True)
async def save_user(ctx: Ctx) -> Response:
    found = await _found(ctx)
    if isinstance(found, Response):
        return found
    draft = _draft(ctx, found.user_id)
    try:
        await ctx.svc.personnel.edit_user(ctx.me.tenant_key, draft)
    except PeopleInvalid as e:
        return await _user_form(ctx, draft, new=False, user=found, status=400, error=_refusal(ctx, e),
                                error_field=e.field)
    return ctx.redirect(f"/admin/people/users/{found.user_id}?ok=saved")


@action(admin=True)
async def reset_password(ctx: Ctx) -> Response:
    found = await _found(ctx)
    if isinstance(found, Response):
        return found
    password, again = ctx.field("password"), ctx.field("password_again")
    error = ""
    if len(password) < MIN_PASSWORD:
        error = ctx.t("A password has at least {n} characters.", n=MIN_PASSWORD)
    elif password != again:
        error = ctx.t("The two passwords differ.")
    if error:
        draft = UserDraft(found.user_id, found.name, found.email, list(found.department_ids), found.leader_user_id)
        return await _user_form(ctx, draft, new=False, user=found, status=400, error=error, error_field="password")
    await ctx.svc.people.set_password(ctx.me.tenant_key, found.user_id, password)
    return ctx.redirect(f"/admin/people/users/{found.user_id}?ok=password")


@action(admin=True)
async def set_admin(ctx: Ctx) -> Response:
    found = await _found(ctx)
    if isinstance(found, Response):
        return found
    grant = ctx.field("admin") == "1"
    try:
        await ctx.svc.personnel.set_admin(ctx.me.tenant_key, found.user_id, grant)
    except PeopleInvalid as e:
        draft = UserDraft(found.user_id, found.name, found.email, list(found.department_ids), found.leader_user_id)
        return await _user_form(ctx, draft, new=False, user=found, status=400, error=_refusal(ctx, e))
    return ctx.redirect(f"/admin/people/users/{found.user_id}?ok={'admin' if grant else 'not-admin'}")


# -- a user's state, and who takes over their open tasks ------------------------------------------------------------
async def _status_form(ctx: Ctx, found: User, *, chosen: str, transfer_to: str, status: int = 200,
                       error: str = "") -> Response:
    directory = await _directory(ctx)
    tasks = await ctx.svc.personnel.open_tasks(ctx.me.tenant_key, found.user_id)
    views = []
    for t in tasks:
        view = await ctx.svc.instances.get(ctx.me.tenant_key, t.instance_code)
        views.append({"code": t.instance_code, "title": view.definition.text(view.definition.name, ctx.locale),
                      "submitter": ctx.me.name(view.instance.user_id)})
    default_to = transfer_to or (found.leader_user_id if found.leader_user_id in directory.users else "")
    return ctx.render(
        "admin_people_status.html", status=status, section="people", tab="users", user=found, chosen=chosen,
        current=ctx.t(STATUS_LABEL.get(found.status, found.status)),
        options=[(s, ctx.t(STATUS_LABEL[s]), ctx.t(STATUS_HELP[s])) for s in USER_STATUSES], tasks=views,
        takers=[u for u in _people(directory, active_only=True) if u.user_id != found.user_id],
        transfer_to=default_to, error=error)


@page(admin=True)
async def user_status(ctx: Ctx) -> Response:
    found = await _found(ctx)
    if isinstance(found, Response):
        return found
    wanted = ctx.request.query_params.get("to", "")
    chosen = wanted if wanted in USER_STATUSES else ("resigned" if found.status == ACTIVE else ACTIVE)
    return await _status_form(ctx, found, chosen=chosen, transfer_to="")


@action(admin=True)
async def set_status(ctx: Ctx) -> Response:
    found = await _found(ctx)
    if isinstance(found, Response):
        return found
    chosen, transfer_to = ctx.field("status"), ctx.field("transfer_to")
    try:
        change = await ctx.svc.personnel.set_status(
            ctx.me.tenant_key, found.user_id, chosen, transfer_to=transfer_to,
            comment=ctx.t("Handed over: {name} is no longer active.", name=found.name))
    except PeopleInvalid as e:
        return await _status_form(ctx, found, chosen=chosen, transfer_to=transfer_to, status=400,
                                  error=_refusal(ctx, e))
    if change.transferred:
        return ctx.redirect(f"/admin/people/users/{found.user_id}?ok=moved&n={len(change.transferred)}")
    return ctx.redirect(f"/admin/people/users/{found.user_id}?ok=status")


# -- a CSV import -----------------------------------------------------------------------------------------------------
def _import_page(ctx: Ctx, *, status: int = 200, text: str = "", error: str = "", ok: str = "",
                 added: list[User] | None = None) -> Response:
    return ctx.render("admin_people_import.html", status=status, section="people", tab="import", columns=CSV_COLUMNS,
                      text=text, error=error, ok=ok, added=added or [])


@page(admin=True)
async def import_form(ctx: Ctx) -> Response:
    return _import_page(ctx)


@action(admin=True)
async def import_users(ctx: Ctx) -> Response:
    text = ctx.field("csv")
    upload = ctx.form.get("file") if ctx.form is not None else None
    if upload is not None and not isinstance(upload, str):
        raw = await upload.read()
        if raw:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                return _import_page(ctx, status=400, error=ctx.t("The file is not UTF-8 text."))
    try:
        added = await ctx.svc.personnel.import_csv(ctx.me.tenant_key, text)
    except PeopleInvalid as e:
        return _import_page(ctx, status=400, text=text, error=_refusal(ctx, e))
    return _import_page(ctx, ok=ctx.t("{n} users added.", n=len(added)), added=added)


# -- departments -----------------------------------------------------------------------------------------------------
def _tree(directory: Directory) -> list[dict[str, Any]]:
    """Departments as nested nodes, roots first, each level by name; a department whose parent is unknown is a root."""
    children: dict[str, list[Department]] = {}
    for d in directory.departments.values():
        parent = d.parent_department_id if d.parent_department_id in directory.departments else ""
        children.setdefault(parent, []).append(d)

    def build(parent: str, seen: frozenset[str]) -> list[dict[str, Any]]:
        out = []
        for d in sorted(children.get(parent, []), key=lambda d: d.name.lower()):
            if d.department_id in seen:
                continue
            out.append({"dept": d, "members": len(directory.members(d.department_id)),
                        "leader": directory.users[d.leader_user_id].name if d.leader_user_id in directory.users
                        else "", "children": build(d.department_id, seen | {d.department_id})})
        return out

    return build("", frozenset())


@page(admin=True)
async def departments(ctx: Ctx) -> Response:
    return ctx.render("admin_departments.html", section="people", tab="departments",
                      tree=_tree(await _directory(ctx)), ok=_flash(ctx))


async def _department_form(ctx: Ctx, dept: Department, *, new: bool, status: int = 200, error: str = "",
                           error_field: str = "") -> Response:
    directory = await _directory(ctx)
    admins = await _admins(ctx)
    return ctx.render(
        "admin_departments_edit.html", status=status, section="people", tab="departments", new=new, dept=dept,
        parents=sorted((d for d in directory.departments.values() if d.department_id != dept.department_id),
                       key=lambda d: d.name.lower()),
        leaders=_people(directory, active_only=True), error=error, error_field=error_field, ok=_flash(ctx),
        members=[] if new else [_user_row(ctx, u, directory, admins) for u in directory.members(dept.department_id)])


def _posted_department(ctx: Ctx, department_id: str) -> Department:
    return Department(department_id=department_id, name=ctx.field("name"), leader_user_id=ctx.field("leader_user_id"),
                      parent_department_id=ctx.field("parent_department_id"))


@page(admin=True)
async def new_department(ctx: Ctx) -> Response:
    return await _department_form(ctx, Department("", ""), new=True)


@page(admin=True)
async def department(ctx: Ctx) -> Response:
    found = (await _directory(ctx)).departments.get(ctx.request.path_params["department_id"])
    if found is None:
        return ctx.problem(404, ctx.t("No such department"))
    return await _department_form(ctx, found, new=False)


async def _save_department(ctx: Ctx, dept: Department, *, new: bool) -> Response:
    try:
        saved = await ctx.svc.personnel.save_department(ctx.me.tenant_key, dept, new=new)
    except PeopleInvalid as e:
        return await _department_form(ctx, dept, new=new, status=400, error=_refusal(ctx, e), error_field=e.field)
    return ctx.redirect(f"/admin/people/departments/{saved.department_id}?ok=dept")


@action(admin=True)
async def add_department(ctx: Ctx) -> Response:
    return await _save_department(ctx, _posted_department(ctx, ctx.field("department_id")), new=True)


@action(admin=True)
async def save_department(ctx: Ctx) -> Response:
    department_id = ctx.request.path_params["department_id"]
    if department_id not in (await _directory(ctx)).departments:
        return ctx.problem(404, ctx.t("No such department"))
    return await _save_department(ctx, _posted_department(ctx, department_id), new=False)


# Each page: what a GET shows and what a POST to it does; fixed paths before the ones with a parameter.
PAGES: list[tuple[str, Endpoint | None, Endpoint | None]] = [
    ("/admin/people", people, None),
    ("/admin/people/new", new_user, add_user),
    ("/admin/people/import", import_form, import_users),
    ("/admin/people/users/{user_id}", user, save_user),
    ("/admin/people/users/{user_id}/status", user_status, set_status),
    ("/admin/people/users/{user_id}/password", None, reset_password),
    ("/admin/people/users/{user_id}/admin", None, set_admin),
    ("/admin/people/departments", departments, None),
    ("/admin/people/departments/new", new_department, add_department),
    ("/admin/people/departments/{department_id}", department, save_department),
]
