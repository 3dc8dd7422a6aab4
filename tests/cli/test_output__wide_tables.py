"""The CLI's tables line up as a terminal shows them: a Chinese character takes two columns, so columns are padded
by display width (wcwidth), not by len(); every table has a header."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from lark_oapi.api.approval.v4 import CreateInstanceRequest, InstanceCreate
from wcwidth import wcswidth

from shenpi.cli import main
from shenpi.cli.output import table
from shenpi.demo import demo_seed
from shenpi.testing import run
from tests.testing.helpers import approve, pending_task

_CELL = re.compile(r"\S+(?: \S+)*")  # cells are apart by two spaces or more; a cell holds single spaces at most


def column_starts(line: str) -> list[int]:
    """Where each cell of a table line starts, in terminal columns."""
    return [wcswidth(line[:m.start()]) for m in _CELL.finditer(line)]


def assert_aligned(text: str) -> None:
    lines = text.splitlines()
    header = column_starts(lines[0])
    for line in lines[1:]:
        assert column_starts(line) == header, f"{line!r} does not line up under {lines[0]!r}"


def test_wide_characters_are_padded_by_display_width():
    text = table(["NAME", "NODE", "STATUS"], [["张三", "部门经理审批", "PENDING"], ["bob", "lead", "APPROVED"],
                                              ["Zoë", "财务", "-"]])
    assert_aligned(text)
    assert max(wcswidth(line) for line in text.splitlines()) == wcswidth("部门经理审批") + 2 * 2 + 4 + 8


def test_line_breaks_in_a_cell_do_not_tear_the_table():
    text = table(["USER", "COMMENT", "AFTER"], [["张三", "第一行\n第二行\t完", "x"], ["bob", "ok", "y"]])
    assert len(text.splitlines()) == 3
    assert_aligned(text)


def test_an_empty_table_says_so():
    assert table(["A"], []) == "(none)"


@pytest.fixture(scope="module")
def chinese_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The demo with Chinese names: an expense claim the team lead approved, waiting for finance."""
    seed = demo_seed()
    expense = seed["tenants"][0]["approvals"][1]
    expense["i18n_resources"][0]["texts"] = [
        {"key": "@i18n@expense", "value": "报销"}, {"key": "@i18n@item", "value": "项目"},
        {"key": "@i18n@amount", "value": "金额"}, {"key": "@i18n@lead", "value": "组长审批"},
        {"key": "@i18n@finance", "value": "财务"}]
    workdir = tmp_path_factory.mktemp("wide")
    with run(seed, workdir=str(workdir)) as srv:
        client = srv.client()
        form = json.dumps([{"id": "item", "type": "input", "value": "出差"},
                           {"id": "amount", "type": "amount", "value": "100"}])
        created = client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(
            InstanceCreate.builder().approval_code("DEMO-EXPENSE").user_id("alice").form(form).build()).build())
        assert created.code == 0, created.msg
        code = created.data.instance_code
        assert approve(client, code, "bob", pending_task(client, code, "bob"), "DEMO-EXPENSE").code == 0
    return f"sqlite:///{workdir / 'shenpi.db'}", code


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_instance_show_lines_up_chinese_node_names(chinese_db):
    db, code = chinese_db
    out = cli("instances", "show", code, "--db", db)
    tasks = out.split("\ntasks\n", 1)[1].split("\n\ntimeline\n", 1)[0]
    assert "组长审批" in tasks and "财务" in tasks
    assert_aligned(tasks)


def test_app_list_has_a_header(chinese_db):
    db, _ = chinese_db
    lines = cli("app", "list", "--db", db).splitlines()
    assert lines[0].split() == ["APP", "TENANT", "EVENTS", "SCOPES"]
    assert lines[1].split()[:2] == ["cli_demo_app", "demo"] and "long connection, 0 connected" in lines[1]
    assert_aligned("\n".join(lines))
