"""Numbers the web pages parse from a request are bounded: a page number or an outbox id of 30 digits answers the
page itself (an empty page past the last one; no event chosen), never a plain-text 500, and the connection keeps
serving the next request."""

from __future__ import annotations

import pytest

HUGE = "9" * 30


@pytest.mark.parametrize("path", [f"/inbox?page={HUGE}", f"/inbox/done?page={HUGE}", f"/inbox/cc?page={HUGE}",
                                  f"/admin/outbox?page={HUGE}", f"/admin/outbox?page=-{HUGE}"])
def test_a_huge_page_number_is_an_empty_page(browser, path):
    dana = browser("dana")
    r = dana.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert dana.get("/inbox").status_code == 200  # the same connection still serves


def test_a_huge_outbox_id_chooses_no_event(browser):
    dana = browser("dana")
    r = dana.post("/admin/outbox", {"outbox_id": [HUGE, f"-{HUGE}"]}, csrf_from="/admin/outbox")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert "Choose events to redeliver." in r.text
    assert dana.get("/inbox").status_code == 200
