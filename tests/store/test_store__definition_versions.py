"""Every saved version of a definition is kept with who saved it, on both backends; and a seed applied again (as
at every server start) never undoes what an admin or an app changed: it only writes definitions whose latest
version came from a seed."""

from __future__ import annotations

import copy
from typing import Any

from shenpi.app import Shenpi
from shenpi.seed import apply_seed
from shenpi.store.base import Store
from tests.seeds import test_seed
from tests.store.contract import run


def _approval(seed: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in seed["tenants"][0]["approvals"] if a["approval_code"] == code)


def test_versions_are_kept_and_a_seed_leaves_an_admins_edit_alone(store_url: str) -> None:
    async def body(store: Store) -> None:
        svc = Shenpi(store)
        seed = test_seed()
        await apply_seed(svc, seed)
        await apply_seed(svc, seed)  # unchanged: no new version
        leave = await svc.definitions.get("acme", "LEAVE")
        assert leave.version == 1

        edited = copy.deepcopy(leave.body)
        edited["node_list"] = [n for n in edited["node_list"] if n["id"] != "fin"]
        saved = await svc.definitions.create("acme", edited, source="admin", author="dana")
        assert saved.version == 2

        # The seed file changes both LEAVE (edited by the admin) and AND2 (nobody touched it), then applies again.
        changed = copy.deepcopy(seed)
        _approval(changed, "LEAVE")["node_list"][1]["name"] = "@i18n@fin"
        _approval(changed, "AND2")["node_list"][1]["node_type"] = "OR"
        await apply_seed(svc, changed)

        leave = await svc.definitions.get("acme", "LEAVE")
        assert leave.version == 2 and [n.key for n in leave.nodes] == ["mgr"]  # the admin's version stands
        and2 = await svc.definitions.get("acme", "AND2")
        assert and2.version == 2 and and2.nodes[0].node_type == "OR"  # the seed still owns this one

        history = await svc.definitions.versions("acme", "LEAVE")
        assert [(v.version, v.source, v.author) for v in history] == [(2, "admin", "dana"), (1, "seed", "")]
        first = await svc.definitions.version("acme", "LEAVE", 1)
        assert first is not None and [n.key for n in first.nodes] == ["mgr", "fin"]
        assert await svc.definitions.version("acme", "LEAVE", 3) is None
        assert await svc.definitions.version("acme", "NOPE", 1) is None

    run(store_url, body)
