"""``shenpi check-seed`` and ``shenpi serve --seed`` answer a broken seed with one ``file:line: message`` line per
problem and exit 1, before anything is written; a valid seed is ``ok``."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# A valid seed; each case below breaks one line of it and expects that line number in the answer.
SEED = """\
tenants:
  - tenant_key: acme
    name: Acme
    apps:
      - {app_id: cli_acme, app_secret: s3cret}
    departments:
      - {department_id: fin, name: Finance, leader_user_id: dana}
    users:
      - {user_id: alice, name: Alice, department_ids: [fin], leader_user_id: dana}
      - {user_id: dana, name: Dana, department_ids: [fin]}
    approvals:
      - approval_code: EXPENSE
        approval_name: "@i18n@expense"
        viewers: [{viewer_type: TENANT}]
        form:
          form_content: '[{"id":"amount","type":"amount","name":"@i18n@expense","required":true}]'
        node_list:
          - {id: START}
          - id: lead
            node_type: AND
            approver: [{type: Personal, user_id: dana}]
            ccer: [{type: Supervisor, level: "1"}]
          - {id: END}
        i18n_resources: [{locale: zh-CN, is_default: true, texts: [{key: "@i18n@expense", value: x}]}]
"""


def _line(n: int) -> str:
    return SEED.splitlines()[n - 1]


CASES = {
    "misspelled key": (3, "    nmae: Acme", "tenants[0].nmae: unknown key 'nmae'; did you mean 'name'?"),
    "unknown widget type": (16, _line(16).replace('"type":"amount"', '"type":"amont"'),
                            "unknown widget type 'amont'"),
    "unknown approver type": (21, "            approver: [{type: Boss}]",
                              "node_list[1].approver[0].type: unknown approver type 'Boss'"),
    "unknown ccer type": (22, "            ccer: [{type: Free}]", "node_list[1].ccer[0].type: unknown ccer type 'Free'"),
    "Personal approver nobody": (21, "            approver: [{type: Personal, user_id: nobody}]",
                                 "approver[0].user_id: Personal approver 'nobody' is not a user of tenant 'acme'"),
    "unknown leader": (10, "      - {user_id: dana, name: Dana, leader_user_id: zed}",
                       "users[1].leader_user_id: leader 'zed' is not a user of tenant 'acme'"),
    "unknown department": (9, "      - {user_id: alice, department_ids: [fin, ops]}",
                           "users[0].department_ids[1]: department 'ops' is not a department of tenant 'acme'"),
    "department leader unknown": (7, "      - {department_id: fin, leader_user_id: nobody}",
                                  "departments[0].leader_user_id: leader 'nobody' is not a user"),
    "duplicate user": (10, "      - {user_id: alice}", "users[1].user_id: user 'alice' is given twice"),
    "duplicate node id": (23, "          - {id: lead, approver: [{type: Personal, user_id: dana}]}\n          - {id: END}",
                          "node_list[2].id: node id 'lead' is given twice"),
    "duplicate widget id": (16, _line(16).replace("}]'", '},{"id":"amount","type":"input"}]\''),
                            "widget id 'amount' is given twice"),
    "not a number": (3, "    name: Acme\n    rate_limit_scale: fast", "tenants[0].rate_limit_scale: must be a number"),
    "not a list": (9, "      - {user_id: alice, department_ids: fin}",
                   "tenants[0].users[0].department_ids: must be a list"),
    "key given twice": (3, "    name: Acme\n    name: Again", "tenants[0].name: key 'name' is given twice"),
}
# where the problem is, when the replacement is two lines and the second is the broken one
AT = {"not a number": 4, "key given twice": 4, "duplicate node id": 23}


def _check(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shenpi", "check-seed", str(path), *args], capture_output=True,
                          text=True, timeout=60, cwd=path.parent)


def _broken(n: int, replacement: str) -> str:
    lines = SEED.splitlines()
    lines[n - 1] = replacement
    return "\n".join(lines) + "\n"


def test_the_valid_seed_is_ok(tmp_path):
    (tmp_path / "seed.yaml").write_text(SEED)
    result = _check(tmp_path / "seed.yaml")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "ok", "")


@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_yaml_seed_is_answered_with_its_line(tmp_path, case):
    n, replacement, message = CASES[case]
    path = tmp_path / "seed.yaml"
    path.write_text(_broken(n, replacement))
    result = _check(path)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{path}:{AT.get(case, n)}: ") and message in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", ["misspelled key", "Personal approver nobody", "duplicate user"])
def test_a_broken_json_seed_is_answered_with_its_json_line(tmp_path, case):
    n, replacement, message = CASES[case]
    data = yaml.safe_load(_broken(n, replacement))
    path = tmp_path / "seed.json"
    text = json.dumps(data, indent=2)
    path.write_text(text)
    result = _check(path)
    assert result.returncode == 1, result.stderr
    [line] = [line for line in result.stderr.splitlines() if message in line]
    where, _, rest = line.partition(": ")
    number = int(where.rsplit(":", 1)[1])
    assert where == f"{path}:{number}" and message in rest
    # the line named holds the entry: the misspelled key, the unknown user, the repeated id
    assert ("nmae" if case == "misspelled key" else "nobody" if "nobody" in case else '"alice"') in \
        text.splitlines()[number - 1]


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "seed.yaml"
    text = _broken(3, "    nmae: Acme").replace('"type":"amount"', '"type":"amont"')
    text = text.replace("user_id: dana}]", "user_id: nobody}]")
    path.write_text(text)
    lines = _check(path).stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}:3", f"{path}:16", f"{path}:21"]


def test_a_yaml_syntax_error_is_one_line(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(_broken(5, "      - {app_id: cli_acme, app_secret: [s3cret}"))
    result = _check(path)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}:5: invalid YAML")


def test_a_json_syntax_error_is_one_line(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text('{\n  "tenants": [\n    {"tenant_key": "acme",}\n  ]\n}\n')
    [line] = _check(path).stderr.splitlines()
    assert line.startswith(f"{path}:3: invalid JSON")


def test_a_missing_seed_file_is_one_line(tmp_path):
    result = _check(tmp_path / "missing.yaml")
    assert result.returncode == 1 and result.stderr.splitlines() == [
        f"{tmp_path / 'missing.yaml'}: cannot read the seed file: No such file or directory"]


def test_demo_users_count_with_demo(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(_broken(21, "            approver: [{type: Personal, user_id: bob}]"))
    assert "Personal approver 'bob' is not a user" in _check(path).stderr
    path.write_text(SEED.replace("tenant_key: acme", "tenant_key: demo").replace("user_id: dana}]", "user_id: bob}]"))
    assert _check(path, "--demo").returncode == 0


def test_serve_refuses_a_broken_seed_before_writing_anything(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(_broken(21, "            approver: [{type: Personal, user_id: nobody}]"))
    result = subprocess.run([sys.executable, "-m", "shenpi", "serve", "--seed", str(path), "--port", "9"],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}:21: tenants[0].approvals[0].node_list[1].approver[0].user_id: Personal approver 'nobody' is not a "
        "user of tenant 'acme'"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed.yaml"]  # no shenpi.db left behind


def test_serve_counts_the_users_and_departments_its_database_holds(tmp_path):
    """A seed may name whom an earlier seed put in the database; a database that does not exist is not created."""
    from shenpi.app import Shenpi
    from shenpi.cli.seeds import seed_problems
    from shenpi.seed import apply_seed
    from shenpi.store import open_store

    db = f"sqlite:///{tmp_path / 'held.db'}"
    path = tmp_path / "seed.yaml"
    path.write_text(_broken(21, "            approver: [{type: Personal, user_id: erin}]"))
    assert [line.split(": ", 1)[0] for line in seed_problems(str(path), db=db)] == [f"{path}:21"]
    assert not (tmp_path / "held.db").exists()

    async def hold_erin() -> None:
        svc = Shenpi(open_store(db))
        await svc.open()
        try:
            await apply_seed(svc, {"tenants": [{"tenant_key": "acme", "users": [{"user_id": "erin"}]}]})
        finally:
            await svc.close()

    asyncio.run(hold_erin())
    assert seed_problems(str(path), db=db) == []
