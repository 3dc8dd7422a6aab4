"""The instance page (``/instances/<instance_code>``) and the actions posted from it.

Every action runs through the same ``svc.instances`` method as the Open API's, with the signed-in user as the actor:
the engine decides whether the task is theirs, and its errors are shown with the API's msg and code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

from starlette.responses import Response

from shenpi.app import InstanceView
from shenpi.engine import commands
from shenpi.engine.commands import list_ccs
from shenpi.engine.errors import DomainError, InstanceNotFound, NoOperationPermission, ParamInvalid
from shenpi.engine.model import Aggregate
from shenpi.web import i18n
from shenpi.web.context import Ctx, action, page
from shenpi.web.files import file_names, file_response, take_uploads
from shenpi.web.forms import Field, attach_error, build_fields, check_entries, read_fields, show_form
from shenpi.web.process import actions_for, can_view, is_participant, process_steps, timeline_events

# ?ok=<action> after a successful post (post/redirect/get): only these fixed messages, never reflected text.
FLASH = {"approve": "Approved.", "reject": "Rejected.", "transfer": "Transferred.", "add_sign": "Approvers added.",
         "rollback": "Rolled back.", "cc": "CC sent.", "comment": "Comment added.", "cancel": "Canceled.",
         "resubmit": "Resubmitted.", "created": "Submitted."}
# After these, with "then go to my next task" ticked, the person lands on their next pending task; the page says
# what was done (focused, so a screen reader reads it first) and links back to the request acted on.
GO_ON = ("approve", "reject", "transfer", "rollback")
NEXT_FLASH = {"approve": "Approved. This is your next task.", "reject": "Rejected. This is your next task.",
              "transfer": "Transferred. This is your next task.", "rollback": "Rolled back. This is your next task."}
LAST_FLASH = {"approve": "Approved. No more tasks are waiting for you.",
              "reject": "Rejected. No more tasks are waiting for you.",
              "transfer": "Transferred. No more tasks are waiting for you.",
              "rollback": "Rolled back. No more tasks are waiting for you."}
_CODE = re.compile(r"[A-Za-z0-9-]{1,64}")

# What an action needs chosen on the page before it goes to the engine: (form field, several values?, what to say
# when it is missing).
CHOOSE = {"transfer": ("transfer_user_id", False, "Choose who to transfer to."),
          "add_sign": ("add_sign_user_ids", True, "Choose who to add."),
          "rollback": ("rollback_node_keys", True, "Choose where to roll back to."),
          "cc": ("cc_user_ids", True, "Choose who to CC."),
          "comment": ("comment", False, "Write a comment first.")}


async def _load(ctx: Ctx, code: str | None = None) -> tuple[InstanceView, Aggregate] | Response:
    """The instance (the page's own by default) in the viewer's tenant, or the error page: another tenant's code is
    simply not found."""
    try:
        view = await ctx.svc.instances.get(ctx.me.tenant_key, code or ctx.request.path_params["code"])
    except InstanceNotFound:
        return ctx.problem(404, ctx.t("Request not found."))
    agg = Aggregate(view.definition, view.instance, view.tasks)
    if not can_view(agg, ctx.me):
        return ctx.problem(403, ctx.t("You are not part of this request."))
    return view, agg


async def _render(ctx: Ctx, code: str, *, status: int = 200, error: str = "", flash: str = "",
                  fields: list[Field] | None = None, prev_code: str = "", no_more: bool = False) -> Response:
    loaded = await _load(ctx, code)
    if isinstance(loaded, Response):
        return loaded
    view, agg = loaded
    me, d, inst = ctx.me, view.definition, view.instance
    comments = await ctx.svc.comments.list(me.tenant_key, inst.code)
    now = ctx.svc.clock.now_ms()
    acts = actions_for(agg, me, view.timeline, now, ctx.locale, ctx.t("Start"))
    if acts.resubmit_task is not None and fields is None:
        fields = build_fields(d, ctx.locale, inst.form, me)
    shown_status = "REVERTED" if inst.reverted else inst.status
    department = me.directory.departments.get(inst.department_id)
    people = sorted((u for u in me.directory.users.values() if u.user_id != me.user_id), key=lambda u: u.name)
    return ctx.render(
        "instance.html", status=status, error=error, flash=flash, inst=inst,
        title=inst.title or d.text(d.name, ctx.locale), approval_name=d.text(d.name, ctx.locale),
        status_code=shown_status, status_label=ctx.t(i18n.INSTANCE_STATUS.get(shown_status, shown_status)),
        submitter=me.name(inst.user_id), department=department.name if department else inst.department_id,
        form_values=show_form(d, inst.form, me, ctx.locale, lambda n: ctx.t("{days} days", days=n),
                              await file_names(ctx.svc, me.tenant_key, inst.form)),
        steps=process_steps(agg, me.directory, me, ctx.t, ctx.locale),
        events=timeline_events(agg, view.timeline, comments, me, ctx.t, ctx.locale),
        acts=acts, fields=fields or [], people=people, comment=ctx.field("comment"), prev_code=prev_code,
        no_more=no_more,
    )


@page()
async def show(ctx: Ctx) -> Response:
    loaded = await _load(ctx)
    if isinstance(loaded, Response):
        return loaded
    view, me = loaded[0], ctx.me
    # Opening the page is reading it: a CC'd user's unread CCs become read, as cc_read would mark them.
    if any(r.user_id == me.user_id and not r.read_time for r in list_ccs(view.instance)):
        try:
            await ctx.svc.instances.mark_cc_read(me.tenant_key, commands.CcRead(user_id=me.user_id),
                                                 instance_code=view.instance.code)
        except DomainError:
            pass  # read state is a courtesy; the page still shows
    query = ctx.request.query_params
    flash_key = query.get("ok", "")
    flash = ctx.t(FLASH[flash_key]) if flash_key in FLASH else ""
    prev = query.get("prev", "")
    prev = prev if _CODE.fullmatch(prev) and prev != view.instance.code else ""
    no_more = query.get("next") == "none"
    if flash_key in GO_ON and prev:
        flash = ctx.t(NEXT_FLASH[flash_key])
    elif flash_key in GO_ON and no_more:
        flash = ctx.t(LAST_FLASH[flash_key])
    return await _render(ctx, view.instance.code, flash=flash, prev_code=prev, no_more=no_more and bool(flash))


@page()
async def download(ctx: Ctx) -> Response:
    """A file of the request's form, for someone who may see the request (the page's own 403 or 404 otherwise)."""
    loaded = await _load(ctx)
    if isinstance(loaded, Response):
        return loaded
    found = await file_response(ctx.svc, loaded[0].instance.form, ctx.request.path_params["file_code"])
    return found if found is not None else ctx.problem(404, ctx.t("Page not found."))


@action()
async def act(ctx: Ctx) -> Response:
    loaded = await _load(ctx)
    if isinstance(loaded, Response):
        return loaded
    view, agg = loaded
    me, inst = ctx.me, view.instance
    what = ctx.field("action")
    task_id, comment = ctx.field("task_id"), ctx.field("comment")
    fields: list[Field] | None = None
    if what in CHOOSE:
        name, many, missing = CHOOSE[what]
        if not (ctx.fields(name) if many else ctx.field(name)):
            return await _render(ctx, inst.code, status=400, error=ctx.t(missing))
    try:
        if what in ("cc", "comment"):
            _participant_only(agg, me.user_id)
        planned = _operation(ctx, what, task_id, comment)
        if planned is not None:
            operation, cmd = planned
            await operation(me.tenant_key, cmd, instance_code=inst.code)
        elif what == "comment":
            content = json.dumps({"text": comment}, ensure_ascii=False)
            await ctx.svc.comments.create(me.tenant_key, inst.code, me.user_id, content)
        elif what == "resubmit":
            fields = build_fields(view.definition, ctx.locale, viewer=me)
            assert ctx.form is not None
            await take_uploads(ctx.svc, me, fields, ctx.form)
            entries = read_fields(fields, ctx.form, me)
            problem = check_entries(view.definition, fields, entries)
            if problem is not None or any(f.error for f in fields):
                message = ctx.error_text(problem) if problem is not None and sum(bool(f.error) for f in fields) <= 1 \
                    else ctx.t("Please correct the fields marked below.")
                return await _render(ctx, inst.code, status=400, fields=fields, error=message)
            try:
                await ctx.svc.instances.resubmit(me.tenant_key, commands.TaskAction(
                    task_id=task_id, user_id=me.user_id, comment=comment, form=json.dumps(entries)),
                    instance_code=inst.code)
            except ParamInvalid as e:
                if not attach_error(fields, entries, e):
                    raise
                return await _render(ctx, inst.code, status=400, fields=fields, error=ctx.error_text(e))
        else:
            return await _render(ctx, inst.code, status=400, error=ctx.t("Unknown action."))
    except DomainError as e:
        return await _render(ctx, inst.code, status=e.http_status, error=ctx.error_text(e), fields=fields)
    if what in GO_ON and ctx.field("then") == "next":
        following = await ctx.svc.inbox.next_task(me.tenant_key, me.user_id, skip=inst.code)
        if following:
            return ctx.redirect(f"/instances/{following}?ok={what}&prev={inst.code}")
        return ctx.redirect(f"/instances/{inst.code}?ok={what}&next=none")
    return ctx.redirect(f"/instances/{inst.code}?ok={what}")


def _operation(ctx: Ctx, what: str, task_id: str,
               comment: str) -> tuple[Callable[..., Awaitable[object]], object] | None:
    """The application operation and engine command an action form asks for, when the form alone says all of it
    (a comment and a resubmission need more)."""
    me, ops = ctx.me, ctx.svc.instances
    if what in ("approve", "reject"):
        decide = ops.approve if what == "approve" else ops.reject
        return decide, commands.TaskAction(task_id=task_id, user_id=me.user_id, comment=comment)
    if what == "transfer":
        return ops.transfer, commands.Transfer(task_id=task_id, user_id=me.user_id,
                                               transfer_user_id=ctx.field("transfer_user_id"), comment=comment)
    if what == "add_sign":
        return ops.add_sign, commands.AddSign(
            task_id=task_id, user_id=me.user_id, add_sign_user_ids=ctx.fields("add_sign_user_ids"),
            add_sign_type=_small_int(ctx.field("add_sign_type", "3")),
            approval_method=_small_int(ctx.field("approval_method", "0")), comment=comment)
    if what == "rollback":
        return ops.specified_rollback, commands.SpecifiedRollback(
            task_id=task_id, user_id=me.user_id, task_def_key_list=ctx.fields("rollback_node_keys"), reason=comment)
    if what == "cc":
        return ops.cc, commands.Cc(user_id=me.user_id, cc_user_ids=ctx.fields("cc_user_ids"), comment=comment)
    if what == "cancel":
        return ops.cancel, commands.Cancel(user_id=me.user_id, comment=comment)
    return None


def _participant_only(agg: Aggregate, user_id: str) -> None:
    if not is_participant(agg, user_id):
        raise NoOperationPermission(f"user {user_id} is neither the submitter nor an approver of this instance",
                                    field="user_id")


def _small_int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return 0

