"""Who hears of what: each notification kind, derived from the change and written in its transaction, to the right
person once, with the mail state the person's preferences give it (immediate, a digest at their time, or none)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from shenpi.app import Shenpi
from shenpi.app.notifications import MailPrefs
from shenpi.engine import commands
from shenpi.engine.errors import TaskNotFound
from shenpi.seed import apply_seed
from tests.app.helpers import with_app
from tests.seeds import test_seed

FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "offsite"}])


def emailed_seed() -> dict:
    seed = test_seed()
    for u in seed["tenants"][0]["users"]:
        u["email"] = f"{u['user_id']}@example.com"
    return seed


async def kinds(svc: Shenpi, user: str) -> list[str]:
    items, _, _ = await svc.notifications.list("acme", user, limit=100)
    return [n.kind for n in reversed(items)]


async def pending(svc: Shenpi, code: str, user: str) -> str:
    view = await svc.instances.get("acme", code)
    return next(t.id for t in view.tasks if t.status == "PENDING" and t.user_id == user)


def test_each_change_tells_the_people_it_concerns_once(db_url: str) -> None:
    async def body(svc: Shenpi) -> None:
        await apply_seed(svc, emailed_seed())
        inst = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        assert await kinds(svc, "bob") == ["assigned"] and await kinds(svc, "carol") == ["assigned"]
        assert await kinds(svc, "alice") == []  # the submitter is not told of her own request
        await svc.instances.transfer("acme", commands.Transfer(
            task_id=await pending(svc, inst.code, "bob"), user_id="bob", transfer_user_id="erin", comment="away"))
        assert await kinds(svc, "erin") == ["transferred"]
        await svc.instances.approve("acme", commands.TaskAction(task_id=await pending(svc, inst.code, "erin"),
                                                                user_id="erin"))
        assert await kinds(svc, "alice") == []
        await svc.instances.approve("acme", commands.TaskAction(task_id=await pending(svc, inst.code, "carol"),
                                                                user_id="carol"))
        assert await kinds(svc, "alice") == ["approved"]

        rejected = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        await svc.instances.reject("acme", commands.TaskAction(task_id=await pending(svc, rejected.code, "bob"),
                                                               user_id="bob", comment="no"))
        assert (await kinds(svc, "alice"))[-1] == "rejected"

        back = await svc.instances.create("acme", "SENDBACK", commands.CreateInstance(user_id="alice", form=FORM))
        await svc.instances.reject("acme", commands.TaskAction(task_id=await pending(svc, back.code, "bob"),
                                                               user_id="bob", comment="fix it"))
        assert (await kinds(svc, "alice"))[-1] == "sent_back"

        await svc.instances.cc("acme", commands.Cc(user_id="alice", cc_user_ids=["dana"]), instance_code=back.code)
        assert await kinds(svc, "dana") == ["cc"]

        await svc.comments.create("acme", back.code, "bob", "see @carol", at_info_list=[{"user_id": "carol"}])
        assert (await kinds(svc, "carol"))[-1] == "mentioned"
        assert (await kinds(svc, "alice"))[-1] == "commented"
        await svc.comments.create("acme", back.code, "alice", "done")  # her own comment tells nobody
        assert (await kinds(svc, "alice"))[-1] == "commented" and len(await kinds(svc, "alice")) == 4

        third = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        await svc.instances.remind("acme", "alice", third.code, [await pending(svc, third.code, "carol")])
        assert (await kinds(svc, "carol"))[-1] == "reminded"
        before = await kinds(svc, "carol")
        try:  # a refused remind writes nothing
            await svc.instances.remind("acme", "alice", third.code, ["no-such-task"])
        except TaskNotFound:
            pass
        assert await kinds(svc, "carol") == before

        items, total, unread = await svc.notifications.list("acme", "carol")
        assert unread == total == len(before)
        assert items[0].payload["title"]["zh"] == "请假" and items[0].payload["title"]["en"] == "Leave"
        # a label the definition has no English text for falls back to its default locale, as the pages do
        assert items[0].payload["summary"][0] == {"zh": "原因", "en": "原因", "value": "offsite"}
        opened = await svc.notifications.open("acme", "carol", items[0].id)
        assert opened is not None and opened.read_at
        assert await svc.notifications.unread("acme", "carol") == unread - 1
        assert await svc.notifications.open("acme", "bob", items[1].id) is None  # not bob's

    with_app(db_url, body, seeded=False)


def test_preferences_choose_immediate_digest_or_no_mail(db_url: str) -> None:
    async def body(svc: Shenpi) -> None:
        seed = emailed_seed()
        seed["tenants"][0]["users"][4].pop("email")  # erin has no address: nothing to mail her
        await apply_seed(svc, seed)
        quiet = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        items, _, _ = await svc.notifications.list("acme", "bob")  # a server without SMTP queues no mail
        assert [(n.instance_code, n.mail_state) for n in items] == [(quiet.code, "none")]
        svc.notifications.send_mail(True)
        await svc.notifications.save_prefs("acme", "", MailPrefs(time_zone="Europe/Berlin"))
        await svc.notifications.save_prefs("acme", "carol", MailPrefs(kinds={"assigned": "digest"}, digest_at="18:30"))
        await svc.notifications.save_prefs("acme", "bob", MailPrefs(kinds={"assigned": "off"}))
        inst = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        await svc.instances.transfer("acme", commands.Transfer(
            task_id=await pending(svc, inst.code, "bob"), user_id="bob", transfer_user_id="erin"))
        now = svc.clock.now_ms()
        states = {}
        for user in ("bob", "carol", "erin"):
            items, _, _ = await svc.notifications.list("acme", user)
            states[user] = (items[0].mail_state, items[0].mail_next_at)
        assert states["bob"][0] == "none" and states["erin"][0] == "none"
        state, due = states["carol"]
        local = datetime.fromtimestamp(due / 1000, ZoneInfo("Europe/Berlin"))  # the tenant's zone, her time
        assert state == "digest" and (local.hour, local.minute) == (18, 30) and 0 < due - now <= 86_400_000
        assert (await svc.notifications.prefs("acme", "carol")).time_zone == "Europe/Berlin"
        for bad in (MailPrefs(kinds={"assigned": "loud"}), MailPrefs(digest_at="25:00"),
                    MailPrefs(time_zone="Mars/Olympus")):
            try:
                await svc.notifications.save_prefs("acme", "carol", bad)
                raise AssertionError(f"{bad} was accepted")
            except ValueError:
                pass

    with_app(db_url, body, seeded=False)


def test_the_reminder_timer_runs_without_mail_and_reminds_once_per_task(db_url: str) -> None:
    from shenpi.events.mail import MailWorker

    async def body(svc: Shenpi) -> None:
        await apply_seed(svc, emailed_seed())
        await svc.notifications.set_reminder("acme", "AND2", 2)
        timer = MailWorker(svc.notifications, None, now_ms=svc.clock.now_ms)  # no SMTP server: the timer alone
        inst = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        await svc.instances.approve("acme", commands.TaskAction(task_id=await pending(svc, inst.code, "bob"),
                                                                user_id="bob"))
        svc.clock.advance(3600)
        assert await timer.run_once() == 0 and await kinds(svc, "carol") == ["assigned"]  # 1 h of 2
        svc.clock.advance(3601)
        await timer.run_once()
        await timer.run_once()  # a second pass (or another process's) finds it done
        assert await kinds(svc, "carol") == ["assigned", "reminded"]
        assert await kinds(svc, "bob") == ["assigned"]  # his task is done: nothing to remind him of
        items, _, _ = await svc.notifications.list("acme", "carol")
        assert items[0].actor_id == "" and items[0].mail_state == "none"
        await svc.notifications.set_reminder("acme", "AND2", 0)  # off again
        other = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form=FORM))
        svc.clock.advance(5 * 3600)
        await timer.run_once()
        assert [k for k, c in [(n.kind, n.instance_code) for n in (await svc.notifications.list("acme", "bob"))[0]]
                if c == other.code] == ["assigned"]

    with_app(db_url, body, seeded=False)
