"""The web builds links from the request path only as same-origin relative links: ``GET //evil.example/x`` must not
link to ``//evil.example/x?lang=en`` (a scheme-relative URL to another host), and ``next`` never leaves the site."""

from __future__ import annotations

import re

import httpx
import pytest

from shenpi.web.context import site_path
from shenpi.web.views.auth import safe_next


@pytest.mark.parametrize("path", ["//evil.example/x", "///evil.example/x", "/\\evil.example/x", "/%2F/evil.example/x"])
def test_links_from_a_path_with_extra_slashes_stay_on_the_site(web_server, path):
    r = httpx.get(web_server.base_url + path, headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    hrefs = re.findall(r"<a [^>]*href=\"([^\"]*)\"", r.text)
    lang_links = [h for h in hrefs if "lang=" in h]
    assert len(lang_links) == 2, hrefs
    for href in hrefs:
        assert not href.startswith(("//", "/\\")), href
        assert httpx.URL(web_server.base_url + "/x/y").join(href).host == "127.0.0.1", href


def test_site_path_is_one_slash_and_encoded():
    assert site_path("//evil.example/x") == "/evil.example/x"
    assert site_path("/\\\\evil.example") == "/evil.example"
    assert site_path("/inbox/a b?c") == "/inbox/a%20b%3Fc"
    assert site_path("/inbox") == "/inbox"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "/\t/evil.example", "/\n/evil.example", "evil.example"])
def test_next_never_leaves_the_site(target):
    assert safe_next(target) == "/inbox"
    assert safe_next("/instances/X?lang=en") == "/instances/X?lang=en"
