"""The bell: a person's notifications (newest first, unread ones marked), opening one marks it read and goes to the
request; the unread count the bell in every page's header shows; and the mail preferences page."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse, Response

from shenpi.app.notifications import KINDS, MODES, MailPrefs
from shenpi.events.mail_render import headline
from shenpi.web.context import MAX_ID, Ctx, action, page, page_number

PAGE_SIZE = 20
# What each kind and mode is called on the preferences page.
KIND_LABELS = {"assigned": "A task is assigned to me", "transferred": "A task is transferred to me",
               "approved": "My request is approved", "rejected": "My request is rejected",
               "sent_back": "My request is sent back to me", "cc": "A request is CC'd to me",
               "mentioned": "I am @mentioned in a comment", "commented": "My request gets a comment",
               "reminded": "I am reminded of a pending task"}
MODE_LABELS = {"immediate": "Mail at once", "digest": "Daily digest", "off": "No mail"}
LANGUAGE_LABELS = {"zh": "中文", "en": "English"}


@dataclass(slots=True)
class Item:
    id: int
    text: str
    when: int
    unread: bool


@page()
async def notifications(ctx: Ctx) -> Response:
    me = ctx.me
    page_no = page_number(ctx.request.query_params.get("page", "1"))
    items, total, unread = await ctx.svc.notifications.list(me.tenant_key, me.user_id,
                                                           offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    rows = [Item(n.id, headline(n, ctx.lang), n.created_at, not n.read_at) for n in items]
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return ctx.render("notifications.html", items=rows, unread=unread, page_no=page_no, pages=pages,
                      notify_unread=unread)


@page()
async def open_one(ctx: Ctx) -> Response:
    """Opening a notification marks it read and shows its request."""
    raw = ctx.request.path_params.get("note_id", "")
    note_id = int(raw) if raw.isdigit() and int(raw) <= MAX_ID else 0
    note = await ctx.svc.notifications.open(ctx.me.tenant_key, ctx.me.user_id, note_id) if note_id else None
    if note is None:
        return ctx.problem(404, ctx.t("Page not found."))
    return ctx.redirect(f"/instances/{note.instance_code}")


@action()
async def mark_all_read(ctx: Ctx) -> Response:
    await ctx.svc.notifications.mark_read(ctx.me.tenant_key, ctx.me.user_id)
    return ctx.redirect("/notifications")


@page()
async def unread(ctx: Ctx) -> Response:
    """The bell's count, for the script every page runs (``/static/notifications.js``)."""
    n = await ctx.svc.notifications.unread(ctx.me.tenant_key, ctx.me.user_id)
    return JSONResponse({"unread": n}, headers={"Cache-Control": "no-store"})


@page()
async def preferences(ctx: Ctx) -> Response:
    prefs = await ctx.svc.notifications.prefs(ctx.me.tenant_key, ctx.me.user_id)
    return _prefs_page(ctx, prefs, saved=ctx.request.query_params.get("saved") == "1")


@action()
async def save_preferences(ctx: Ctx) -> Response:
    me = ctx.me
    prefs = MailPrefs(kinds={k: ctx.field(f"kind_{k}", "immediate") for k in KINDS},
                      digest_at=ctx.field("digest_at"), time_zone=ctx.field("time_zone"),
                      language=ctx.field("language"))
    try:
        await ctx.svc.notifications.save_prefs(me.tenant_key, me.user_id, prefs)
    except ValueError as e:
        return _prefs_page(ctx, prefs, error=str(e), status=400)
    return ctx.redirect("/notifications/preferences?saved=1")


def _prefs_page(ctx: Ctx, prefs: MailPrefs, *, saved: bool = False, error: str = "", status: int = 200) -> Response:
    kinds = [{"kind": k, "label": KIND_LABELS[k], "mode": prefs.kinds.get(k, "immediate")} for k in KINDS]
    return ctx.render("notifications_preferences.html", status=status, kinds=kinds,
                      modes=[(m, MODE_LABELS[m]) for m in MODES], prefs=prefs, saved=saved, error=error,
                      languages=LANGUAGE_LABELS)
