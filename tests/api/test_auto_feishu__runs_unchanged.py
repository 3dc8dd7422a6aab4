"""``auto-feishu``, a published client written against real Feishu, runs its approval calls against shenpi.

The client reads its base URL and app credentials from ``FEISHU_*`` environment variables (its pydantic
settings, read once on import), so it runs in a child process with those set, from an empty directory (it also
reads ``.env`` files from the working directory). Nothing of the client is patched. The calls it makes are the
ones its ``Approval`` class documents, each citing Feishu's page:

- https://open.feishu.cn/document/server-docs/approval-v4/approval/get
- https://open.feishu.cn/document/server-docs/approval-v4/instance/list
- https://open.feishu.cn/document/server-docs/approval-v4/instance/create
- https://open.feishu.cn/document/server-docs/approval-v4/instance/get
- https://open.feishu.cn/document/server-docs/approval-v4/task/approve
- https://open.feishu.cn/document/server-docs/approval-v4/task/reject
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from shenpi.testing import ShenpiProcess

# Runs in the child: the client's own calls, its own pydantic models checking every answer.
_SCRIPT = r"""
import json, time
from datetime import datetime, timedelta
from feishu.api.approval import Approval

out = {}
define = Approval.get_define("LEAVE")
out["define"] = [define.approval_name, [w.id for w in define.form]]
form = [{"id": "reason", "type": "textarea", "value": "family"}, {"id": "days", "type": "number", "value": 2}]
inst = Approval.create("LEAVE", "ou_alice", form)

def pending(detail):
    return [t for t in detail.task_list if t.status == "PENDING"]

first = inst.detail("ou_alice")
out["first"] = [first.status, [t.node_name for t in pending(first)]]
task = pending(first)[0]
inst.approve(task.open_id, task.id, comment="fine by me")
second = inst.detail()
task = pending(second)[0]
inst.reject(task.open_id, task.id, comment="over budget")
final = inst.detail("ou_alice")
out["final"] = [final.status, [e.type for e in final.timeline]]
listed = Approval.list_instances("LEAVE", datetime.now() - timedelta(days=1), datetime.now() + timedelta(minutes=1))
out["listed"] = inst.instance_code in [a.instance_code for a in listed]
print(json.dumps(out))
"""


def test_auto_feishu_approval_calls_work_against_shenpi(server: ShenpiProcess, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEISHU_")}
    env.update(FEISHU_BASE_URL=f"{server.base_url}/open-apis", FEISHU_APP_ID="cli_acme", FEISHU_APP_SECRET="s3cret")
    run = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["define"][0] == "请假" and "reason" in out["define"][1]
    assert out["first"] == ["PENDING", ["主管审批"]]
    assert out["final"][0] == "REJECTED"
    assert out["final"][1][:1] == ["START"] and "PASS" in out["final"][1] and "REJECT" in out["final"][1]
    assert out["listed"] is True
