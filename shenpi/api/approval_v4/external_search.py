"""External (三方) instances, their tasks and their CC entries in ``instances/query``, ``tasks/search`` and
``instances/search_cc``.

Feishu's search APIs list native and external approvals together (``approval.is_external`` tells them apart):
``approval_code`` and ``group_external_id`` select approvals (either may match), ``instance_code`` and
``instance_external_id`` select instances (either may match), and the other filters all apply. An external item
shows its approval's group, its own ``title`` and ``link``, and the ids its system gave (``external_id``,
``task_external_id``). shenpi lists the native matches first, then the external ones (oldest update first).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shenpi.api.approval_v4.paging import Ask, externals_token, keyset_token
from shenpi.app import Page, SearchFilter
from shenpi.app.external import ms
from shenpi.engine.directory import Directory


@dataclass(slots=True)
class Filters:
    """A search body's filters: those native records answer too (the user already a tenant user id), and the two
    ids only external records carry."""

    native: SearchFilter
    group_external_id: str = ""
    instance_external_id: str = ""

    def natives_can_match(self) -> bool:
        """Native approvals have no group and native instances no external id: a filter on only those leaves
        the native side out."""
        return not (self.group_external_id and not self.native.approval_code) and \
            not (self.instance_external_id and not self.native.instance_code)

    def externals_can_match(self) -> bool:
        return not (self.native.instance_code and not self.instance_external_id)


def _texts(*bodies: dict[str, Any], locale: str) -> dict[str, str]:
    """The i18n texts of the bodies: the requested locale's over the default's."""
    out: dict[str, str] = {}
    for body in bodies:
        resources = [r for r in body.get("i18n_resources") or [] if isinstance(r, dict)]
        for r in sorted(resources, key=lambda r: (r.get("locale") == locale, bool(r.get("is_default")))):
            out.update({t["key"]: str(t.get("value", "")) for t in r.get("texts") or []
                        if isinstance(t, dict) and isinstance(t.get("key"), str)})
    return out


def _user(directory: Directory, entry: dict[str, Any]) -> str:
    """The tenant user id an external body names (by ``user_id`` or ``open_id``), or ""."""
    for value, id_type in ((entry.get("user_id"), "user_id"), (entry.get("open_id"), "open_id")):
        if isinstance(value, str) and value:
            found = directory.resolve(value, id_type)
            if found is not None:
                return found.user_id
    return ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _link(entry: dict[str, Any]) -> dict[str, str]:
    links = _obj(entry.get("links"))
    return {"pc_link": str(links.get("pc_link") or ""), "mobile_link": str(links.get("mobile_link") or "")}


def _in_window(at: int, f: Filters) -> bool:
    return not f.native.time_from or f.native.time_from <= at <= f.native.time_to


def _approval_matches(body: dict[str, Any], approvals: dict[str, dict[str, Any]], f: Filters) -> bool:
    if not (f.native.approval_code or f.group_external_id):
        return True
    group = (approvals.get(body["approval_code"]) or {}).get("group_code")
    return bool((f.native.approval_code and body["approval_code"] == f.native.approval_code)
                or (f.group_external_id and group == f.group_external_id))


class ExternalMatches:
    """The external side of one search: the stored instances the filters allow, rendered as search items."""

    def __init__(self, bodies: list[dict[str, Any]], approvals: dict[str, dict[str, Any]], directory: Directory,
                 id_type: str, locale: str, native_item: Any) -> None:
        self._bodies, self._approvals, self._directory = bodies, approvals, directory
        self._id_type, self._locale, self._native_item = id_type, locale, native_item

    def _listed(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        approval = self._approvals.get(body["approval_code"]) or {}
        texts = _texts(approval, body, locale=self._locale)
        external = _obj(approval.get("external"))
        user = _user(self._directory, body)
        item = {
            "approval": {**self._native_item(body["approval_code"]),
                         "name": texts.get(str(approval.get("approval_name", "")), body["approval_code"]),
                         "is_external": True, "external": {"batch_cc_read": bool(external.get("support_batch_read"))}},
            "group": {"external_id": str(approval.get("group_code") or ""),
                      "name": texts.get(str(approval.get("group_name", "")), str(approval.get("group_name") or ""))},
            "instance": {
                "code": body["instance_id"], "external_id": body["instance_id"],
                "user_id": self._directory.external_id(user, self._id_type) if user else str(body.get("user_id") or ""),
                "start_time": str(ms(body.get("start_time"))), "end_time": str(ms(body.get("end_time"))),
                "status": str(body.get("status", "")).lower(),
                "title": texts.get(str(body.get("title") or ""), str(body.get("title") or "")),
                "extra": str(body.get("extra") or ""), "serial_id": "", "link": _link(body)},
        }
        return item, texts

    def instances(self, f: Filters, statuses: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for body in self._bodies:
            if not _approval_matches(body, self._approvals, f) or (statuses and body.get("status") not in statuses):
                continue
            if f.instance_external_id and body["instance_id"] != f.instance_external_id:
                continue
            if f.native.user_id and _user(self._directory, body) != f.native.user_id:
                continue
            if not _in_window(ms(body.get("start_time")), f):
                continue
            item, _ = self._listed(body)
            if f.native.title and f.native.title not in item["instance"]["title"]:
                continue
            out.append(item)
        return out

    def tasks(self, f: Filters, statuses: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for body, listed, texts in self._matching(f):
            for t in body.get("task_list") or []:
                user = _user(self._directory, t)
                title = texts.get(str(t.get("title") or ""), str(t.get("title") or ""))
                if (statuses and t.get("status") not in statuses) or (f.native.user_id and user != f.native.user_id) \
                        or not _in_window(ms(t.get("create_time")), f) or (f.native.title and f.native.title not in title):
                    continue
                out.append({**listed, "task": {
                    "user_id": self._directory.external_id(user, self._id_type) if user else str(t.get("user_id") or ""),
                    "start_time": str(ms(t.get("create_time"))), "end_time": str(ms(t.get("end_time"))),
                    "status": str(t.get("status", "")).lower(), "title": title, "extra": str(t.get("extra") or ""),
                    "link": _link(t), "task_id": str(t.get("task_id", "")),
                    "update_time": str(ms(t.get("update_time"))), "task_external_id": str(t.get("task_id", ""))}})
        return out

    def _matching(self, f: Filters) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, str]]]:
        """The bodies of the filter's approvals (and external instance id), each with its listed form and texts."""
        for body in self._bodies:
            if not _approval_matches(body, self._approvals, f):
                continue
            if f.instance_external_id and body["instance_id"] != f.instance_external_id:
                continue
            listed, texts = self._listed(body)
            yield body, listed, texts

    def ccs(self, f: Filters, read_status: str) -> list[dict[str, Any]]:
        """The CC entries of the external instances (``cc_list``): ``read_status`` READ, UNREAD or ALL."""
        out = []
        for body, listed, texts in self._matching(f):
            for c in body.get("cc_list") or []:
                if not isinstance(c, dict):
                    continue
                user = _user(self._directory, c)
                title = texts.get(str(c.get("title") or ""), str(c.get("title") or ""))
                if (read_status != "ALL" and c.get("read_status") != read_status) \
                        or (f.native.user_id and user != f.native.user_id) \
                        or not _in_window(ms(c.get("create_time")), f) or (f.native.title and f.native.title not in title):
                    continue
                out.append({**listed, "cc": {
                    "user_id": self._directory.external_id(user, self._id_type) if user else str(c.get("user_id") or ""),
                    "create_time": str(ms(c.get("create_time"))), "read_status": str(c.get("read_status", "")).lower(),
                    "title": title, "extra": str(c.get("extra") or ""), "link": _link(c)}})
        return out


def merged_page(kind: str, ask: Ask, natives: list[dict[str, Any]], native_page: Page | None,
                externals: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int, dict[str, object]]:
    """One page of the natives (``native_page``, already paged by keyset; None when they were not read) and then
    the externals: the items, the count, and has_more with the next page's token. Once the natives run out, the
    token counts into the externals instead (and the rows served before it say how many natives there were)."""
    if ask.externals_from is not None:  # the natives were all served on earlier pages
        start, native_total = ask.externals_from, ask.position - ask.externals_from
    elif native_page is not None and native_page.has_more:
        return natives, native_page.total + len(externals), keyset_token(kind, True, native_page.next)
    else:
        start, native_total = 0, native_page.total if native_page is not None else 0
    shown = externals[start:start + ask.size - len(natives)]
    served = ask.position + len(natives) + len(shown)
    more = start + len(shown) < len(externals)
    return natives + shown, native_total + len(externals), externals_token(kind, more, served, start + len(shown))
