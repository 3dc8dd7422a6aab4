"""Notification mail from a real ``shenpi serve`` to a real SMTP server on 127.0.0.1 (aiosmtpd): every kind arrives
once, in the inbox's list and by mail, in the recipient's language, multipart, with a link to the request; a kill -9
between the commit and the send loses and doubles nothing; digests go out at the recipient's time and the reminder
timer fires after its hours, both with the control plane's clock moved instead of waiting."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import CommentAtInfo, CommentRequest, CreateInstanceCommentRequest

from shenpi.app import Shenpi
from shenpi.app.notifications import MailPrefs
from shenpi.store import open_store
from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.contract.test_apaas__rules import expediting
from tests.api.helpers import approve, create_instance, kunlun, pending_task, reject
from tests.api.helpers_ops import cc, transfer
from tests.conftest import start_server
from tests.events.smtp import SmtpSink, StallingSmtp
from tests.pg import run_async
from tests.seeds import test_seed

PUBLIC = "https://approvals.example.com"


def emailed_seed() -> dict[str, Any]:
    seed = test_seed()
    for u in seed["tenants"][0]["users"]:
        u["email"] = f"{u['user_id']}@example.com"
    return seed


def mail_args(smtp_url: str, *extra: str) -> list[str]:
    return ["--smtp-url", smtp_url, "--mail-from", "shenpi@example.com", "--public-url", PUBLIC,
            "--event-retry-scale", "0.0002", *extra]


def on_store(db_url: str, body: Callable[[Shenpi], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``body`` with an application object of our own over the server's database (the test's side door)."""
    async def main() -> Any:
        svc = Shenpi(open_store(db_url))
        await svc.open()
        try:
            return await body(svc)
        finally:
            await svc.close()

    return run_async(main)


def in_app(db_url: str, user: str) -> list[tuple[str, str]]:
    async def body(svc: Shenpi) -> list[tuple[str, str]]:
        items, _, _ = await svc.notifications.list("acme", user, limit=200)
        return [(n.kind, n.instance_code) for n in items]

    return list(on_store(db_url, body))


def client_of(srv: ShenpiProcess) -> lark.Client:
    forget_sdk_tokens()
    return (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
            .log_level(lark.LogLevel.ERROR).build())


def comment(client: lark.Client, inst: str, user: str, text: str, at: list[str]) -> None:
    body = CommentRequest.builder().content(json.dumps({"text": text})).at_info_list(
        [CommentAtInfo.builder().user_id(u).name(u).offset("0").build() for u in at]).build()
    resp = client.approval.v4.instance_comment.create(CreateInstanceCommentRequest.builder().instance_id(inst)
                                                      .user_id_type("user_id").user_id(user).request_body(body).build())
    assert resp.code == 0, resp.msg


def every_kind(client: lark.Client) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """Drive one change of each kind; the (recipient address, kind, instance) each should bring, and the instances."""
    a = create_instance(client, "AND2")  # alice's: bob and carol approve
    assert transfer(client, "AND2", a, "bob", pending_task(client, a, "bob"), "erin", comment="on leave").code == 0
    comment(client, a, "erin", "@dana please check", ["dana"])
    assert cc(client, "AND2", a, "alice", ["dana"]).code == 0
    ok = expediting(client, pending_task(client, a, "carol"), operator_user_id=kunlun("alice"),
                    expediting_user_ids=[kunlun("carol")], opinion="soon please")
    assert ok.code == 0, ok.msg
    assert approve(client, "AND2", a, "erin", pending_task(client, a, "erin")).code == 0
    assert approve(client, "AND2", a, "carol", pending_task(client, a, "carol")).code == 0
    r = create_instance(client, "AND2")
    assert reject(client, "AND2", r, "bob", pending_task(client, r, "bob"), comment="no").code == 0
    s = create_instance(client, "SENDBACK")
    assert reject(client, "SENDBACK", s, "bob", pending_task(client, s, "bob"), comment="fix it").code == 0
    expected = [("bob", "assigned", a), ("carol", "assigned", a), ("erin", "transferred", a), ("dana", "mentioned", a),
                ("alice", "commented", a), ("dana", "cc", a), ("carol", "reminded", a), ("alice", "approved", a),
                ("bob", "assigned", r), ("carol", "assigned", r), ("alice", "rejected", r),
                ("bob", "assigned", s), ("alice", "sent_back", s)]
    return [(f"{u}@example.com", k, i) for u, k, i in expected], {"a": a, "r": r, "s": s}


def mailed(sink: SmtpSink) -> list[tuple[str, str, str]]:
    out = []
    for to, kind, msg in sink.received():
        text = msg.get_body(("plain",))
        assert text is not None
        code = text.get_content().split(PUBLIC + "/instances/")[1].split()[0]
        out.append((to, kind, code))
    return out


@pytest.fixture()
def sink() -> Iterator[SmtpSink]:
    s = SmtpSink()
    yield s
    s.close()


def test_each_kind_arrives_once_in_the_inbox_and_by_mail(backend: str, tmp_path: Path, sink: SmtpSink) -> None:
    srv = start_server(tmp_path, "mail", backend, emailed_seed(), args=mail_args(sink.url))
    try:
        on_store(srv.db_url, lambda svc: svc.notifications.save_prefs("acme", "carol", MailPrefs(language="en")))
        expected, codes = every_kind(client_of(srv))
        got = sink.wait(len(expected))
        time.sleep(1.0)  # a mail sent twice would arrive by now
        assert Counter(mailed(sink)) == Counter(expected)
        for user in ("alice", "bob", "carol", "dana", "erin"):  # the bell's list holds the same, once each
            assert Counter(in_app(srv.db_url, user)) == Counter(
                (k, i) for to, k, i in expected if to.startswith(user + "@"))

        to_alice = next(m for to, kind, m in got if to == "alice@example.com" and kind == "approved")
        assert to_alice["Subject"] == "你的申请已通过：请假" and to_alice["From"] == "shenpi@example.com"
        assert to_alice.get_content_type() == "multipart/alternative"
        html = to_alice.get_body(("html",))
        assert html is not None and f'href="{PUBLIC}/instances/{codes["a"]}"' in html.get_content()
        assert "原因" in html.get_content() and "family" in html.get_content()  # the request's summary
        to_carol = next(m for to, kind, m in got if to == "carol@example.com" and kind == "reminded")
        assert to_carol["Subject"] == "Reminder: a request waits for your approval: Leave"  # her language
        assert "soon please" in str(to_carol.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    finally:
        srv.close()


def test_a_kill_9_between_commit_and_send_loses_and_doubles_nothing(backend: str, tmp_path: Path,
                                                                     sink: SmtpSink) -> None:
    stall = StallingSmtp()
    # The first server claims the mail and hangs in the send (its SMTP server never answers): killed there, it has
    # committed the changes and their notifications but sent nothing.
    first = start_server(tmp_path, "kill", backend, emailed_seed(), args=mail_args(stall.url, "--event-lease", "1"))
    second = None
    try:
        inst = create_instance(client_of(first), "AND2")
        deadline = time.monotonic() + 20
        while stall.accepted == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stall.accepted, "the first server never tried to send"
        first.kill()
        assert Counter(in_app(first.db_url, "bob")) == Counter([("assigned", inst)])  # committed with the change
        assert sink.received() == []
        (tmp_path / "second").mkdir()
        second = ShenpiProcess(emailed_seed(), db=first.db_url, workdir=tmp_path / "second",
                               args=mail_args(sink.url, "--event-lease", "1"))
        second.start()
        # The killed server's claim (a 1 s lease) is over once the clock has moved a second, and the move wakes the
        # mail worker: it takes the mail over now, not at its next poll.
        second.advance_clock(1)
        sink.wait(2)
        time.sleep(1.5)  # past a lease: nothing more may come
        assert Counter(mailed(sink)) == Counter([("bob@example.com", "assigned", inst),
                                                 ("carol@example.com", "assigned", inst)])
    finally:
        first.close()
        if second is not None:
            second.close()
        stall.close()


def test_digests_and_the_reminder_timer_follow_the_moved_clock(backend: str, tmp_path: Path, sink: SmtpSink) -> None:
    srv = start_server(tmp_path, "digest", backend, emailed_seed(), args=mail_args(sink.url))
    try:
        async def prefs(svc: Shenpi) -> None:
            await svc.notifications.save_prefs("acme", "", MailPrefs(time_zone="Asia/Shanghai"))
            await svc.notifications.save_prefs("acme", "bob", MailPrefs(kinds={"assigned": "digest"}, digest_at="08:00"))
            await svc.notifications.save_prefs("acme", "carol", MailPrefs(kinds={"assigned": "off", "reminded": "off"}))
            await svc.notifications.set_reminder("acme", "AND2", 24)

        on_store(srv.db_url, prefs)
        client = client_of(srv)
        first, second = create_instance(client, "AND2"), create_instance(client, "AND2")
        time.sleep(1.5)
        assert sink.received() == []  # bob's wait for his digest, carol's are off (still in her bell)
        assert len(in_app(srv.db_url, "carol")) == 2
        srv.advance_clock(24 * 3600 + 60)  # past bob's 08:00 in Shanghai, and past the definition's 24 hours
        got = sink.wait(3)
        time.sleep(1.0)
        kinds = Counter((to, kind) for to, kind, _ in sink.received())
        # bob: one digest of both assignments, then his reminders (immediate); carol: nothing by mail
        assert kinds == Counter({("bob@example.com", "digest"): 1, ("bob@example.com", "reminded"): 2}), kinds
        digest = next(m for to, kind, m in got if kind == "digest")
        assert digest["Subject"] == "你的审批通知（2 条）"
        body = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert f"{PUBLIC}/instances/{first}" in body and f"{PUBLIC}/instances/{second}" in body
        assert Counter(k for k, _ in in_app(srv.db_url, "carol")) == Counter({"assigned": 2, "reminded": 2})
        srv.advance_clock(24 * 3600)  # the timer reminds once per task, however long it stays pending
        time.sleep(1.5)
        assert len(sink.received()) == 3
    finally:
        srv.close()
