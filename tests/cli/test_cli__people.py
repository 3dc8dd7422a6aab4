"""``shenpi user`` and ``shenpi app enable|disable``: the HR admin's operations from the command line, a refused
change as one line and exit status 1, and a change a running server sees without a restart."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.api.test_authen__oauth import authorize
from tests.cli.test_cli__app_events import seeded
from tests.conftest import start_server


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shenpi", *args], capture_output=True, text=True)


def test_add_import_state_and_admin(tmp_path):
    db = f"sqlite:///{tmp_path / 'people.db'}"
    seeded(db)
    added = cli("user", "add", "gina", "--tenant", "acme", "--name", "Gina", "--department", "eng",
                "--supervisor", "erin", "--db", db)
    assert added.returncode == 0, added.stderr
    again = cli("user", "add", "gina", "--tenant", "acme", "--name", "Gina", "--db", db)
    assert again.returncode == 1 and "exists already" in again.stderr
    (tmp_path / "people.csv").write_text("user_id,name,leader_user_id\nhal,Hal,gina\n")
    imported = cli("user", "import", str(tmp_path / "people.csv"), "--tenant", "acme", "--db", db)
    assert imported.returncode == 0 and "added 1 user" in imported.stdout, imported.stderr
    assert cli("user", "status", "hal", "resigned", "--tenant", "acme", "--db", db).returncode == 0
    assert cli("user", "admin", "gina", "--tenant", "acme", "--db", db).returncode == 0
    listed = {u["user_id"]: u for u in json.loads(cli("user", "list", "--tenant", "acme", "--json", "--db", db).stdout)}
    assert (listed["hal"]["status"], listed["hal"]["leader_user_id"]) == ("resigned", "gina")
    assert listed["gina"]["department_ids"] == ["eng"]
    apps = json.loads(cli("app", "list", "--json", "--db", db).stdout)
    assert all("gina" in a["admin_user_ids"] for a in apps if a["tenant_key"] == "acme")


def test_a_running_server_sees_a_disabled_app_and_a_frozen_user(tmp_path):
    srv = start_server(tmp_path, "cli-people")
    try:
        client = srv.client("cli_acme")
        from tests.api.contract.test_authen__rules import oidc_token

        assert cli("user", "status", "bob", "frozen", "--tenant", "acme", "--db", srv.db_url).returncode == 0
        deadline = time.monotonic() + 5
        while (code := oidc_token(client, grant_type="authorization_code", code=authorize(srv, "bob")).code) == 0:
            assert time.monotonic() < deadline, "the server kept its stale directory"
            time.sleep(0.2)
        assert code == 20022
        assert cli("app", "disable", "cli_acme", "--db", srv.db_url).returncode == 0
        deadline = time.monotonic() + 5
        while (code := oidc_token(client, grant_type="authorization_code", code=authorize(srv, "alice")).code) == 0:
            assert time.monotonic() < deadline, "the server kept its stale app"
            time.sleep(0.2)
        assert code == 20042
        assert cli("app", "disable", "cli_nobody", "--db", srv.db_url).returncode == 1
    finally:
        srv.close()
