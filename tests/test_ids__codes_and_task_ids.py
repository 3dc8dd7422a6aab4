"""Identifiers: codes keep the shape of an upper-case version 4 UUID and never repeat, in a process or across a
fork; task ids are 19-digit snowflakes, increasing."""

from __future__ import annotations

import os
import uuid

import pytest

from shenpi import ids


def test_codes__are_upper_case_version_4_uuids() -> None:
    for _ in range(100):
        c = ids.code()
        u = uuid.UUID(c)
        assert u.version == 4 and u.variant == uuid.RFC_4122
        assert str(u).upper() == c


def test_codes__never_repeat_in_a_process() -> None:
    codes = [ids.code() for _ in range(20_000)]
    assert len(set(codes)) == len(codes)


def test_codes__are_random_throughout_not_a_counter() -> None:
    """Knowing one code must not tell the next: every group of the codes varies, not only a counting one."""
    groups = [set() for _ in range(5)]
    for _ in range(200):
        for i, g in enumerate(ids.code().split("-")):
            groups[i].add(g)
    assert all(len(g) > 190 for g in groups[:2] + groups[4:]), [len(g) for g in groups]
    assert all(len(g) > 100 for g in groups[2:4]), [len(g) for g in groups]  # 12 and 14 random bits


def test_task_ids__are_19_digit_increasing_snowflakes() -> None:
    tids = [ids.task_id() for _ in range(20_000)]  # several per millisecond: the sequence bits count them
    assert all(len(t) == 19 and t.isdigit() for t in tids)
    assert [int(t) for t in tids] == sorted({int(t) for t in tids})


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child__issues_codes_and_task_ids_of_its_own() -> None:
    ids.code()
    ids.task_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next code and task id, then out without running the parent's cleanup
        os.close(read)
        os.write(write, f"{ids.code()} {ids.task_id()}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_code, child_task_id = pipe.read().split()
    os.waitpid(pid, 0)
    parent_code, parent_task_id = ids.code(), ids.task_id()
    assert child_code != parent_code  # its own random bytes, not the rest of the parent's batch
    assert child_task_id != parent_task_id
