"""A signed-in browser without a browser: httpx with cookies, reading CSRF tokens from the pages it gets."""

from __future__ import annotations

import re
from typing import Any

import httpx

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "the page has no form with a CSRF token"
    return m.group(1)


class WebClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10,
                                 headers={"Accept": "text/html"})
        self.last_html = ""

    def get(self, path: str, **kw: Any) -> httpx.Response:
        r = self.http.get(path, **kw)
        if r.headers.get("content-type", "").startswith("text/html"):
            self.last_html = r.text
        return r

    def page(self, path: str) -> str:
        r = self.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.text

    def post(self, path: str, data: dict[str, Any], *, csrf_from: str | None = None,
             csrf: str | None = None, **kw: Any) -> httpx.Response:
        """POST a form the way the page would: with the CSRF token of ``csrf_from`` (default: the same path)."""
        if csrf is None:
            csrf = csrf_of(self.page(csrf_from or path))
        r = self.http.post(path, data={"csrf_token": csrf, **data}, **kw)
        if r.headers.get("content-type", "").startswith("text/html"):
            self.last_html = r.text
        return r

    def sign_in(self, tenant_key: str, user_id: str, password: str) -> httpx.Response:
        r = self.post("/login", {"tenant_key": tenant_key, "user_id": user_id, "password": password})
        assert r.status_code == 303, (r.status_code, r.text[:500])
        return r

    def close(self) -> None:
        self.http.close()
