"""``shenpi app events``: setting a URL sends the url_verification challenge (answered by lark-oapi's handler)
and saves only when it is echoed."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from shenpi.app import Shenpi
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.events.receiver import KEY, TOKEN, ReceiverThread
from tests.seeds import test_seed


def seeded(db: str) -> None:
    async def go() -> None:
        svc = Shenpi(open_store(db))
        await svc.open()
        await apply_seed(svc, test_seed())
        await svc.close()

    asyncio.run(go())


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shenpi", *args], capture_output=True, text=True)


def test_url_is_saved_only_after_the_challenge(tmp_path):
    db = f"sqlite:///{tmp_path / 'apps.db'}"
    seeded(db)
    rx = ReceiverThread()
    try:
        bad = cli("app", "events", "cli_acme", "--url", rx.receiver.url, "--verification-token", "wrong",
                  "--encrypt-key", KEY, "--db", db)
        assert bad.returncode != 0 and "Challenge" in bad.stderr
        good = cli("app", "events", "cli_acme", "--url", rx.receiver.url, "--verification-token", TOKEN,
                   "--encrypt-key", KEY, "--db", db)
        assert good.returncode == 0, good.stderr
        listed = cli("app", "list", "--json", "--db", db)
        apps = {a["app_id"]: a for a in __import__("json").loads(listed.stdout)}
        assert apps["cli_acme"]["event_url"] == rx.receiver.url and "app_secret" not in apps["cli_acme"]
    finally:
        rx.close()
    unreachable = cli("app", "events", "cli_acme_ro", "--url", "http://127.0.0.1:9/none", "--db", db)
    assert unreachable.returncode != 0
    skipped = cli("app", "events", "cli_acme_ro", "--url", "http://127.0.0.1:9/none", "--no-verify", "--db", db)
    assert skipped.returncode == 0
