"""Start a request from any definition the user may see: the form built from the definition's widgets."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.responses import Response

from shenpi.engine import commands
from shenpi.engine.errors import ApprovalNotFound, DomainError, ParamInvalid
from shenpi.engine.model import Definition, Node
from shenpi.web.context import Ctx, action, page
from shenpi.web.files import take_uploads
from shenpi.web.forms import Field, attach_error, build_fields, check_entries, read_fields
from shenpi.web.session import Viewer


def may_start(d: Definition, viewer: Viewer) -> bool:
    """The definition's ``viewers`` (TENANT / DEPARTMENT / USER / NONE; none given = the tenant) decide who
    sees it in the start list; the tenant's admins see every active definition, to try them out."""
    if d.status != "ACTIVE":
        return False
    if viewer.is_admin:
        return True
    entries = d.body.get("viewers")
    if not isinstance(entries, list) or not entries:
        return True
    mine = {dep.department_id for dep_id in viewer.user.department_ids
            for dep in viewer.directory.department_chain(dep_id)}
    for v in entries:
        if not isinstance(v, dict):
            continue
        kind = v.get("viewer_type", "TENANT")
        if kind == "TENANT":
            return True
        if kind == "USER" and v.get("viewer_user_id") == viewer.user_id:
            return True
        if kind == "DEPARTMENT" and v.get("viewer_department_id") in mine:
            return True
    return False


@dataclass(slots=True)
class FreeNode:
    """A node whose approvers the submitter picks (approver type Free)."""

    node: Node
    label: str
    chosen: list[str]
    error: str = ""

    @property
    def name(self) -> str:
        return "free." + self.node.key


async def _definition(ctx: Ctx) -> Definition | Response:
    code = ctx.request.path_params["code"]
    d = await ctx.svc.definitions.find(ctx.me.tenant_key, code)
    if d is None or not may_start(d, ctx.me):
        return ctx.problem(404, ctx.t("Approval not found."))
    return d


@page()
async def choose(ctx: Ctx) -> Response:
    definitions = [d for d in await ctx.svc.definitions.list(ctx.me.tenant_key) if may_start(d, ctx.me)]
    items = sorted(({"code": d.code, "name": d.text(d.name, ctx.locale), "nodes": len(d.nodes)} for d in definitions),
                   key=lambda x: str(x["name"]))
    return ctx.render("start_list.html", items=items)


def _free_nodes(ctx: Ctx, d: Definition) -> list[FreeNode]:
    return [FreeNode(n, d.text(n.name, ctx.locale), ctx.fields("free." + n.key)) for n in d.nodes
            if n.need_approver and n.node_type != "CC_NODE"]


def _render(ctx: Ctx, d: Definition, fields: list[Field], free: list[FreeNode], *, status: int = 200,
            error: str = "") -> Response:
    me = ctx.me
    departments = [me.directory.departments[x] for x in me.user.department_ids if x in me.directory.departments]
    people = sorted(me.directory.users.values(), key=lambda u: u.name)
    return ctx.render("start_form.html", status=status, error=error, code=d.code, name=d.text(d.name, ctx.locale),
                      fields=fields, free=free, departments=departments, people=people,
                      title=ctx.field("title"), department_id=ctx.field("department_id"))


@page()
async def form(ctx: Ctx) -> Response:
    d = await _definition(ctx)
    if isinstance(d, Response):
        return d
    return _render(ctx, d, build_fields(d, ctx.locale, viewer=ctx.me), _free_nodes(ctx, d))


@action()
async def submit(ctx: Ctx) -> Response:
    d = await _definition(ctx)
    if isinstance(d, Response):
        return d
    me = ctx.me
    assert ctx.form is not None
    fields = build_fields(d, ctx.locale, viewer=me)
    await take_uploads(ctx.svc, me, fields, ctx.form)
    entries = read_fields(fields, ctx.form, me)
    free = _free_nodes(ctx, d)
    problem = check_entries(d, fields, entries)
    if problem is not None or any(f.error for f in fields):
        message = ctx.error_text(problem) if problem is not None and sum(bool(f.error) for f in fields) <= 1 \
            else ctx.t("Please correct the fields marked below.")
        return _render(ctx, d, fields, free, status=400, error=message)
    cmd = commands.CreateInstance(user_id=me.user_id, form=json.dumps(entries), title=ctx.field("title")[:200],
                                  department_id=ctx.field("department_id"),
                                  free_approvers={f.node.key: f.chosen for f in free if f.chosen})
    try:
        inst = await ctx.svc.instances.create(me.tenant_key, d.code, cmd)
    except ApprovalNotFound:
        return ctx.problem(404, ctx.t("Approval not found."))
    except ParamInvalid as e:
        attach_error(fields, entries, e)
        for f in free:
            if e.field == "node_approver_user_id_list" and not f.chosen:
                f.error = e.detail
        return _render(ctx, d, fields, free, status=400, error=ctx.error_text(e))
    except DomainError as e:
        return _render(ctx, d, fields, free, status=e.http_status, error=ctx.error_text(e))
    return ctx.redirect(f"/instances/{inst.code}?ok=created")
