"""The seed checker: every problem with the path of its entry; references resolved by the seed or the database."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from shenpi.app.snapshots import KnownIds
from shenpi.demo import demo_seed
from shenpi.seed import SeedSyntaxError, check_seed, format_problems, source_problems
from shenpi.seed.source import parse_json, parse_yaml


def _messages(seed: Any, known: KnownIds | None = None, *, references: bool = True) -> list[tuple[str, str]]:
    known = known or (KnownIds() if references else None)
    return [(p.where(), p.message) for p in check_seed(seed, known)]


def _demo(change: Any) -> dict[str, Any]:
    seed = demo_seed()
    change(seed["tenants"][0])
    return seed


def test_the_demo_seed_and_an_export_shape_have_no_problem():
    assert check_seed(demo_seed(), KnownIds()) == []
    assert check_seed({"tenants": [], "shenpi_snapshot": {"format": 1, "tables": {}}}, KnownIds()) == []


def test_a_reference_the_database_holds_is_no_problem():
    seed = {"tenants": [{"tenant_key": "acme", "users": [{"user_id": "al", "leader_user_id": "boss",
                                                          "department_ids": ["fin"]}]}]}
    assert _messages(seed) == [
        ("tenants[0].users[0].leader_user_id", "leader 'boss' is not a user of tenant 'acme'"),
        ("tenants[0].users[0].department_ids[0]", "department 'fin' is not a department of tenant 'acme'")]
    assert _messages(seed, KnownIds(users={"acme": {"boss"}}, departments={"acme": {"fin"}})) == []
    assert _messages(seed, KnownIds(users={"other": {"boss"}}, departments={"other": {"fin"}})) != []
    assert _messages(seed, references=False) == []  # the database not known yet: references wait until the seed is applied


def test_ids_given_twice():
    seed = {"tenants": [
        {"tenant_key": "a", "apps": [{"app_id": "cli_x", "app_secret": "s"}],
         "departments": [{"department_id": "d"}, {"department_id": "d"}]},
        {"tenant_key": "a", "apps": [{"app_id": "cli_x", "app_secret": "s"}]}]}
    assert _messages(seed) == [("tenants[1].tenant_key", "tenant 'a' is given twice"),
                               ("tenants[1].apps[0].app_id", "app 'cli_x' is given twice"),
                               ("tenants[0].departments[1].department_id", "department 'd' is given twice")]


def test_an_app_of_another_tenant_in_the_database():
    seed = {"tenants": [{"tenant_key": "a", "apps": [{"app_id": "cli_x", "app_secret": "s"}]}]}
    assert _messages(seed, KnownIds(apps={"cli_x": "b"})) == [
        ("tenants[0].apps[0].app_id", "app 'cli_x' belongs to tenant 'b' in the database")]
    assert _messages(seed, KnownIds(apps={"cli_x": "a"})) == []


def test_two_definitions_with_one_code():
    seed = _demo(lambda t: t["approvals"].append(copy.deepcopy(t["approvals"][0])))
    assert _messages(seed) == [("tenants[0].approvals[2]", "approval_code 'DEMO-LEAVE' is given twice")]


@pytest.mark.parametrize(("change", "where", "message"), [
    (lambda t: t["approvals"][0]["node_list"][1].update(approver=[{"type": "Personal"}]),
     "tenants[0].approvals[0].node_list[1].approver[0]", "a Personal approver needs a user_id"),
    (lambda t: t["approvals"][0].update(viewers=[{"viewer_type": "USER", "viewer_user_id": "zed"}]),
     "tenants[0].approvals[0].viewers[0].viewer_user_id", "viewer 'zed' is not a user of tenant 'demo'"),
    (lambda t: t["apps"][0].update(admin_user_ids=["zed"]),
     "tenants[0].apps[0].admin_user_ids[0]", "admin 'zed' is not a user of tenant 'demo'"),
    (lambda t: t["apps"][0].update(event_types=["approval_nope"]),
     "tenants[0].apps[0].event_types", "unknown event type(s) approval_nope"),
    (lambda t: t["approvals"][0]["node_list"][1].update(node_type="XOR"),
     "tenants[0].approvals[0].node_list[1].node_type", "node_list[1].node_type must be AND, OR or SEQUENTIAL"),
    (lambda t: t["approvals"][0]["node_list"][1].update(conditons=[]),
     "tenants[0].approvals[0].node_list[1].conditons", "unknown key 'conditons'; did you mean 'conditions'?"),
    (lambda t: t["users"][0].update(name={"en": "x"}), "tenants[0].users[0].name", "must be a single value, not a mapping"),
    (lambda t: t["users"][0].update(user_id=""), "tenants[0].users[0].user_id", "'user_id' is required"),
])
def test_one_problem_named_by_its_entry(change, where, message):
    [(got_where, got)] = _messages(_demo(change))
    assert got_where == where and got.startswith(message)


def test_yaml_lines_follow_keys_items_and_duplicate_keys():
    text = "tenants:\n  - tenant_key: a\n    users:\n      - user_id: x\n        nmae: X\n        nmae: Y\n"
    source = parse_yaml("s.yaml", text)
    assert source.line_of(("tenants", 0, "users", 0)) == 4
    assert source.line_of(("tenants", 0, "users", 0, "nope", 3)) == 4  # the nearest entry that has a line
    assert format_problems(source, source_problems(source)) == [  # the value kept is the last one: its line
        "s.yaml:6: tenants[0].users[0].nmae: key 'nmae' is given twice in this mapping",
        "s.yaml:6: tenants[0].users[0].nmae: unknown key 'nmae'; did you mean 'name'?"]


def test_json_lines_survive_escapes_and_nesting():
    data = {"tenants": [{"tenant_key": "a \"quoted\" \\ key {[", "users": [{"user_id": "x"}, {"user_id": "y",
                                                                                     "leader_user_id": "z"}]}]}
    text = json.dumps(data, indent=1)
    source = parse_json("s.json", text)
    lines = text.splitlines()
    assert '"leader_user_id"' in lines[source.line_of(("tenants", 0, "users", 1, "leader_user_id")) - 1]
    assert '"tenant_key"' in lines[source.line_of(("tenants", 0, "tenant_key")) - 1]
    compact = parse_json("c.json", '{"tenants": [\n{"tenant_key": "a"},\n {"tenant_key": "a"}]}')
    assert format_problems(compact, source_problems(compact)) == ["c.json:3: tenants[1].tenant_key: tenant 'a' is "
                                                                  "given twice"]


def test_syntax_errors_carry_their_line():
    with pytest.raises(SeedSyntaxError) as yaml_error:
        parse_yaml("s.yaml", "tenants:\n  - a: [\n")
    assert str(yaml_error.value).startswith("s.yaml:3: invalid YAML")
    with pytest.raises(SeedSyntaxError) as json_error:
        parse_json("s.json", '{"tenants": [\n\n  }')
    assert str(json_error.value).startswith("s.json:3: invalid JSON")


def test_the_documented_seed_has_no_problem():
    text = (Path(__file__).parents[2] / "docs" / "seed-format.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```yaml\n(.*?)```", text, re.S)
    source = parse_yaml("seed-format.md", block)
    assert source_problems(source, KnownIds()) == []
