"""CC: records, CREATE events and a CC timeline entry; reading marks records READ; CC'd users get no tasks."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, node, personal


def run() -> Run:
    return Run(definition([node("n", "AND", personal("bob"))]))


def test_cc_copies_users_in() -> None:
    r = run()
    tr = r.run(commands.cc, commands.Cc("bob", ["carol", "erin", "carol"], "fyi"))
    assert r.event_list(tr) == [("cc", "CREATE", "carol"), ("cc", "CREATE", "erin")]
    assert [e.extra["from"] for e in tr.events] == ["bob", "bob"]
    e = r.timeline[-1]
    assert (e.type, e.user_id, e.cc_user_ids, e.comment, e.node_key) == ("CC", "bob", ["carol", "erin"], "fyi", "n")
    assert e.ext["user_id"] == "carol"
    ccs = commands.list_ccs(r.agg.instance)
    assert [(c.user_id, c.from_user_id, c.create_time, c.read_status) for c in ccs] == [
        ("carol", "bob", r.now, "UNREAD"), ("erin", "bob", r.now, "UNREAD")]
    assert len({c.cc_id for c in ccs}) == 2
    assert r.pending_users() == ["bob"]


def test_reading_marks_the_users_records_once() -> None:
    r = run()
    r.run(commands.cc, commands.Cc("bob", ["carol"]))
    r.run(commands.cc, commands.Cc("alice", ["carol", "erin"]))
    tr = r.run(commands.mark_cc_read, commands.CcRead("carol"))
    assert r.event_list(tr) == [("cc", "READ", "carol"), ("cc", "READ", "carol")]
    assert [c.read_status for c in commands.list_ccs(r.agg.instance, "carol")] == ["READ", "READ"]
    assert [c.read_status for c in commands.list_ccs(r.agg.instance, "erin")] == ["UNREAD"]
    assert r.run(commands.mark_cc_read, commands.CcRead("carol")).events == []


def test_reading_one_record_by_id() -> None:
    r = run()
    r.run(commands.cc, commands.Cc("bob", ["carol"]))
    r.run(commands.cc, commands.Cc("alice", ["carol"]))
    first = commands.list_ccs(r.agg.instance)[0]
    r.run(commands.mark_cc_read, commands.CcRead("carol", first.cc_id))
    assert [c.read_status for c in commands.list_ccs(r.agg.instance)] == ["READ", "UNREAD"]
    with pytest.raises(errors.ParamInvalid) as e:
        r.run(commands.mark_cc_read, commands.CcRead("carol", "nope"))
    assert e.value.field == "cc_id"


def test_cc_errors() -> None:
    r = run()
    with pytest.raises(errors.UserNotFound) as e:
        r.run(commands.cc, commands.Cc("ghost", ["carol"]))
    assert e.value.field == "user_id"
    with pytest.raises(errors.UserNotFound) as e:
        r.run(commands.cc, commands.Cc("bob", ["ghost"]))
    assert e.value.field == "cc_user_ids"
    with pytest.raises(errors.ParamInvalid):
        r.run(commands.cc, commands.Cc("bob", []))
    with pytest.raises(errors.ParamInvalid) as bad:
        r.run(commands.mark_cc_read, commands.CcRead("erin"))
    assert bad.value.field == "user_id"
    assert r.types() == ["START"]


def test_cc_works_on_an_ended_instance() -> None:
    r = run()
    r.approve("bob")
    r.run(commands.cc, commands.Cc("alice", ["carol"]))
    assert r.status == "APPROVED"
    assert [c.user_id for c in commands.list_ccs(r.agg.instance)] == ["carol"]
