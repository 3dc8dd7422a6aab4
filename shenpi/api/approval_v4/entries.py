"""The entries of the search answers (``instances/query``, ``instances/search_cc``, ``tasks/search``): the approval,
the (empty) group and the instance each starts with, then the task or the CC record.

One :class:`Entries` serves one page: what is the same for every entry (the caller's id type, the server's base
URL, the locale) is read once, an approval's entry is built once per page (a page of ten tasks usually holds one or
two approvals), and an instance's title and link once for the instance and the task or CC after it. The entries'
dicts may share those parts: the answer is encoded, never changed, after it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from shenpi.api.jsontypes import int64, ms
from shenpi.api.wire import Call
from shenpi.engine.directory import Directory
from shenpi.engine.model import Definition, Instance, Task


class CcRow(Protocol):
    """What a CC entry shows of the store's CC record."""

    @property
    def user_id(self) -> str: ...
    @property
    def create_time(self) -> int: ...
    @property
    def read_status(self) -> str: ...


def link(call: Call, instance_code: str) -> dict[str, str]:
    url = f"{call.base_url}/instances/{instance_code}"
    return {"pc_link": url, "mobile_link": url}


def approval_item(d: Definition | None, code: str, locale: str) -> dict[str, Any]:
    return {"code": code, "name": d.text(d.name, locale) if d else code, "is_external": False,
            "approval_id": int64(d.approval_id) if d else "0", "icon": ""}


def title(inst: Instance, d: Definition | None, locale: str) -> str:
    """An instance's title; one created without one shows its definition's name."""
    return inst.title or (d.text(d.name, locale) if d else "")


class Entries:
    """Builds one page's entries from its rows and the definitions read with them (by approval code)."""

    __slots__ = ("_approvals", "_base", "_definitions", "_directory", "_id_type", "_locale")

    def __init__(self, call: Call, directory: Directory, locale: str,
                 definitions: Mapping[str, Definition | None]) -> None:
        self._base, self._id_type = f"{call.base_url}/instances/", call.user_id_type
        self._directory, self._locale, self._definitions = directory, locale, definitions
        self._approvals: dict[str, dict[str, Any]] = {}

    def _user(self, user_id: str) -> str:
        return self._directory.external_id(user_id, self._id_type)

    def _start(self, inst: Instance) -> tuple[dict[str, Any], str, dict[str, str]]:
        """The entry's approval, group and instance; and the instance's title and link, which the task or CC after
        them repeats."""
        code = inst.approval_code
        d = self._definitions.get(code)
        approval = self._approvals.get(code)
        if approval is None:
            approval = self._approvals[code] = approval_item(d, code, self._locale)
        shown = title(inst, d, self._locale)
        url = self._base + inst.code
        at = {"pc_link": url, "mobile_link": url}
        return {"approval": approval, "group": {}, "instance": {
            "code": inst.code, "external_id": "", "user_id": self._user(inst.user_id),
            "start_time": ms(inst.start_time), "end_time": ms(inst.end_time), "status": inst.status.lower(),
            "title": shown, "extra": "", "serial_id": inst.serial_number, "link": at}}, shown, at

    def instance(self, inst: Instance) -> dict[str, Any]:
        return self._start(inst)[0]

    def task(self, t: Task, inst: Instance) -> dict[str, Any]:
        entry, shown, at = self._start(inst)
        entry["task"] = {"user_id": self._user(t.user_id), "start_time": ms(t.start_time), "end_time": ms(t.end_time),
                         "status": t.status.lower(), "title": shown, "extra": "", "link": at, "task_id": t.id,
                         "update_time": ms(max(t.start_time, t.end_time)), "task_external_id": ""}
        return entry

    def cc(self, cc: CcRow, inst: Instance) -> dict[str, Any]:
        entry, shown, at = self._start(inst)
        entry["cc"] = {"user_id": self._user(cc.user_id), "create_time": ms(cc.create_time),
                       "read_status": cc.read_status.lower(), "title": shown, "extra": "", "link": at}
        return entry
