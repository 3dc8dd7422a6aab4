"""The operator's CLI on a store: instances, tasks, events, export and import; tables or --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shenpi.cli import main
from shenpi.testing import run
from tests.testing.helpers import approve, pending_task, submit_leave


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A database with two demo leave requests, one approved by bob, one pending; the server is gone."""
    workdir = tmp_path_factory.mktemp("cli")
    with run(workdir=str(workdir)) as srv:
        client = srv.client()
        approved = submit_leave(client)
        approve(client, approved, "bob", pending_task(client, approved, "bob"))
        pending = submit_leave(client)
        task = pending_task(client, pending, "bob")
    return {"db": f"sqlite:///{workdir / 'shenpi.db'}", "approved": approved, "pending": pending, "task": task,
            "dir": workdir}


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_instances_list_is_a_table_newest_first(store):
    lines = cli("instances", "list", "--db", store["db"]).splitlines()
    assert lines[0].split() == ["TENANT", "INSTANCE", "APPROVAL", "STATUS", "SUBMITTER", "SERIAL", "STARTED", "ENDED"]
    assert [line.split()[1] for line in lines[1:]] == [store["pending"], store["approved"]]
    assert lines[2].split()[3] == "APPROVED"


def test_instances_list_filters_and_speaks_json(store):
    found = json.loads(cli("instances", "list", "--db", store["db"], "--status", "pending", "--json"))
    assert [i["code"] for i in found] == [store["pending"]]
    assert found[0]["tenant_key"] == "demo" and found[0]["user_id"] == "alice"
    assert "form_json" not in found[0]  # the store's copy of the form's JSON is no field of the instance


def test_instances_show_has_tasks_and_timeline(store):
    out = cli("instances", "show", store["approved"], "--db", store["db"])
    assert "status     APPROVED" in out and "Leave request" in out
    assert "Manager" in out and "PASS" in out and "START" in out
    shown = json.loads(cli("instances", "show", store["approved"], "--db", store["db"], "--json"))
    assert shown["instance"]["status"] == "APPROVED" and [e["type"] for e in shown["timeline"]][0] == "START"
    assert "form_json" not in shown["instance"] and isinstance(shown["instance"]["form"], list)


def test_tasks_list_for_a_user(store):
    out = cli("tasks", "list", "--user", "bob", "--db", store["db"], "--status", "PENDING")
    assert store["task"] in out and store["approved"] not in out
    tasks = json.loads(cli("tasks", "list", "--user", "bob", "--db", store["db"], "--json"))
    assert {t["status"] for t in tasks} == {"PENDING", "APPROVED"}


def test_events_list_and_redeliver(store, tmp_path):
    db = f"sqlite:///{tmp_path / 'copy.db'}"
    cli("import", str(_export(store, tmp_path, "--include-secrets")), "--db", db)
    events = json.loads(cli("events", "list", "--db", db, "--json"))
    assert events and events[0]["tenant_key"] == "demo"
    assert "REDELIVER" in cli("events", "list", "--db", db).splitlines()[0]
    assert "marked for redelivery: 1" in cli("events", "redeliver", "1", "--db", db)
    assert json.loads(cli("events", "list", "--db", db, "--json"))[0]["redeliver_requested_at"] > 0
    result = CliRunner().invoke(main, ["events", "redeliver", "424242", "--db", db])
    assert result.exit_code == 1 and "no such event: 424242" in result.output


def _export(store: dict, tmp_path: Path, *options: str) -> Path:
    path = tmp_path / "state.json"
    cli("export", "--db", store["db"], "-o", str(path), *options)
    return path


def test_export_then_import_into_an_empty_database_is_the_same_state(store, tmp_path):
    path = _export(store, tmp_path, "--include-secrets")
    snapshot = json.loads(path.read_text())
    assert snapshot["tenants"][0]["tenant_key"] == "demo"
    db = f"sqlite:///{tmp_path / 'restored.db'}"
    assert "imported" in cli("import", str(path), "--db", db)
    again = json.loads(cli("export", "--db", db, "--include-secrets"))
    assert again["shenpi_snapshot"]["tables"] == snapshot["shenpi_snapshot"]["tables"]
    assert cli("instances", "list", "--db", db) == cli("instances", "list", "--db", store["db"])


def test_check_seed_accepts_an_export_with_its_secrets(store, tmp_path):
    assert cli("check-seed", str(_export(store, tmp_path, "--include-secrets"))).strip() == "ok"


def test_a_redacted_export_is_no_seed_and_brings_no_new_app(store, tmp_path):
    path = _export(store, tmp_path)
    assert "demo_secret" not in path.read_text()
    result = CliRunner().invoke(main, ["check-seed", str(path)])
    assert result.exit_code == 1 and "apps[0].app_secret: was redacted" in result.output
    result = CliRunner().invoke(main, ["import", str(path), "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert result.exit_code == 1 and "app_id cli_demo_app: app_secret was redacted" in result.output


def test_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    result = CliRunner().invoke(main, ["instances", "list", "--db", f"sqlite:///{tmp_path / 'nope.db'}"])
    assert result.exit_code == 1 and "no database" in result.output
    assert not (tmp_path / "nope.db").exists()


def test_import_refuses_a_file_that_is_not_a_snapshot(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"tenants": []}))
    result = CliRunner().invoke(main, ["import", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1 and "not a snapshot" in result.output
