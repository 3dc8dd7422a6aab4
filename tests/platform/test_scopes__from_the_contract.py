"""The scope table is the contract's: each endpoint with a contract file takes exactly the scopes of its page's
permission row, and ``user_id_type=user_id`` takes the field scope the file names for ``user_id``."""

from __future__ import annotations

import pytest

from shenpi.contract import load
from shenpi.platform.errors import ScopeDenied
from shenpi.platform.scopes import SCOPES, check_scopes

CONTRACT = load()


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_the_table_is_the_contracts_permission_row(name: str) -> None:
    ep = CONTRACT[name]
    assert SCOPES[name] == ep.scopes
    if not ep.scopes:  # a page whose permission row is empty: any app may call it
        check_scopes(name, "cli_x", frozenset())
        return
    for scope in ep.scopes:
        check_scopes(name, "cli_x", frozenset({scope}))  # any one of the row
    with pytest.raises(ScopeDenied) as e:
        check_scopes(name, "cli_x", frozenset({"approval:something:else"}))
    assert [v["subject"] for v in e.value.error["permission_violations"]] == list(ep.scopes)


@pytest.mark.parametrize("name", sorted(n for n, ep in CONTRACT.items() if "user_id" in ep.field_scopes))
def test_user_id_type_user_id_takes_the_files_field_scope(name: str) -> None:
    ep = CONTRACT[name]
    granted = frozenset({ep.scopes[0]})
    check_scopes(name, "cli_x", granted, user_id_type="open_id")
    with pytest.raises(ScopeDenied) as e:
        check_scopes(name, "cli_x", granted, user_id_type="user_id")
    assert e.value.error["permission_violations"] == [
        {"type": "field_scope_required", "subject": s} for s in ep.field_scopes["user_id"]]
    check_scopes(name, "cli_x", granted | set(ep.field_scopes["user_id"]), user_id_type="user_id")
