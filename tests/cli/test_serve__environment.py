"""``shenpi serve`` takes every option from a SHENPI_<OPTION> variable too (``--help`` names each one), and the
command line wins over the environment; the other commands read SHENPI_DB as ``--db``."""

from __future__ import annotations

import re

import httpx

from shenpi.demo import DEMO_APP_ID, DEMO_APP_SECRET
from shenpi.testing.process import free_port
from tests.cli.serving import run, serve


def _demo_token(base_url: str) -> dict[str, object]:
    r = httpx.post(base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                   json={"app_id": DEMO_APP_ID, "app_secret": DEMO_APP_SECRET})
    return dict(r.json())


def test_the_database_demo_and_port_come_from_the_environment(tmp_path):
    port = free_port()
    srv = serve([], tmp_path, env={"SHENPI_DB": f"sqlite:///{tmp_path / 'from-env.db'}", "SHENPI_DEMO": "1",
                                   "SHENPI_PORT": str(port), "SHENPI_EVENTS": "0"})
    try:
        assert srv.base_url.endswith(f":{port}")
        assert _demo_token(srv.base_url)["code"] == 0  # the demo's app exists: SHENPI_DEMO was read
    finally:
        out, _ = srv.stop()
    assert (tmp_path / "from-env.db").exists() and not (tmp_path / "shenpi.db").exists()
    assert re.search(r"database=sqlite:///\S*from-env\.db workers=1 admin_api=on events=off demo=on", out), out
    # The operator's commands read SHENPI_DB too: run in the server's environment, they open its database.
    listed = run(["app", "list"], tmp_path, env={"SHENPI_DB": f"sqlite:///{tmp_path / 'from-env.db'}"})
    assert listed.returncode == 0 and DEMO_APP_ID in listed.stdout, listed


def test_the_command_line_wins_over_the_environment(tmp_path):
    srv = serve(["--db", f"sqlite:///{tmp_path / 'from-cli.db'}", "--no-events"], tmp_path,
                env={"SHENPI_DB": f"sqlite:///{tmp_path / 'from-env.db'}", "SHENPI_EVENTS": "1"})
    srv.stop()
    assert (tmp_path / "from-cli.db").exists() and not (tmp_path / "from-env.db").exists()
    assert "events=off" in srv.out.read_text(encoding="utf-8")


def test_a_false_flag_in_the_environment_is_off(tmp_path):
    srv = serve([], tmp_path, env={"SHENPI_DEMO": "0", "SHENPI_DB": f"sqlite:///{tmp_path / 'x.db'}"})
    try:
        assert _demo_token(srv.base_url)["code"] == 10014  # no demo app
    finally:
        out, _ = srv.stop()
    assert "demo=off" in out


def test_help_names_the_variable_of_every_option(tmp_path):
    result = run(["serve", "--help"], tmp_path)
    assert result.returncode == 0
    blocks: list[str] = []  # one per option: its line and the lines its help wraps onto
    for line in result.stdout.split("Options:")[1].splitlines():
        if line.startswith("  -"):
            blocks.append(line)
        elif blocks:
            blocks[-1] += line
    assert len(blocks) >= 20, result.stdout
    for block in blocks:
        option = block.split()[0].split("/")[0]
        if option != "--help":
            variable = "SHENPI_" + option[2:].replace("-", "_").upper()
            assert f"env var: {variable}" in " ".join(block.split()), block
