"""The designer's form as a browser would post it: every field of the page's ``form[data-designer]`` read from
the HTML (text boxes, checked boxes, chosen options, text areas), changed by name, posted with a button's op."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from tests.web.helpers import WebClient


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: list[str] | None = None
        self._textarea_name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and "data-designer" in a:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._textarea_name = [], a["name"]

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"]
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"].append(value)
            self._option = None
        if tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] or ([] if s["multiple"] or s["first"] is None else [s["first"]])
            self.pairs += [(s["name"], v) for v in chosen]
            self._select = None
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea)
            self.pairs.append((self._textarea_name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


class Designer:
    """One admin's designer page: ``set`` fields, ``press`` a button (an op), read ``html`` and ``errors``."""

    def __init__(self, client: WebClient, code: str = "new") -> None:
        self.client, self.code = client, code
        self.path = f"/admin/definitions/{code}/design"
        self.status = 200
        self.html = client.page(self.path + "?lang=en")
        self.location = ""

    def pairs(self) -> list[tuple[str, str]]:
        form = _Form()
        form.feed(self.html)
        return form.pairs

    def field(self, name: str) -> list[str]:
        return [v for k, v in self.pairs() if k == name]

    def press(self, op: str, **changes: Any) -> Designer:
        """Post the page's fields with ``changes`` (name → value, or a list for a multiple select; names use
        ``__`` for ``.``) and the button ``op``."""
        pairs = self.pairs()
        for raw, value in changes.items():
            name = raw.replace("__", ".")
            pairs = [(k, v) for k, v in pairs if k != name]
            if value is None or value is False:
                continue
            pairs += [(name, str(v)) for v in (value if isinstance(value, list) else ["1" if value is True else value])]
        pairs.append(("op", op))
        data: dict[str, list[str]] = {}
        for k, v in pairs:
            data.setdefault(k, []).append(v)
        r = self.client.http.post(self.path + "?lang=en", data=data)
        self.status = r.status_code
        if r.status_code == 303:
            self.location = r.headers["location"]
        else:
            self.html = r.text
        return self

    def errors(self) -> dict[str, str]:
        return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(
            r'<p class="field-error" id="err-([^"]+)">([^<]*)</p>', self.html)}
