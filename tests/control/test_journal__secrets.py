"""The journal keeps no secret: app and OAuth client secrets, issued tokens and OAuth codes are masked in the
requests and the answers it records."""

from __future__ import annotations

import json

import httpx

from shenpi.demo import DEMO_APP_ID, DEMO_APP_SECRET


def test_the_journal_masks_secrets_and_issued_tokens(shenpi_server):
    base = shenpi_server.base_url
    issued = httpx.post(f"{base}/open-apis/auth/v3/app_access_token/internal",
                        json={"app_id": DEMO_APP_ID, "app_secret": DEMO_APP_SECRET}).json()
    assert issued["code"] == 0
    httpx.post(f"{base}/open-apis/authen/v2/oauth/token",
               json={"grant_type": "authorization_code", "client_id": DEMO_APP_ID, "client_secret": DEMO_APP_SECRET,
                     "code": "a-sign-in-code-0123456789"})
    entries = shenpi_server.journal()
    kept = json.dumps(entries)
    for secret in (DEMO_APP_SECRET, issued["tenant_access_token"], issued["app_access_token"],
                   "a-sign-in-code-0123456789"):
        assert secret not in kept, secret
    token_call = next(e for e in entries if e["path"].endswith("/app_access_token/internal"))
    assert token_call["request"] == {"app_id": DEMO_APP_ID, "app_secret": "***"}
    assert token_call["response"]["tenant_access_token"] == "***" and token_call["response"]["code"] == 0
    oauth_call = next(e for e in entries if e["path"].endswith("/oauth/token"))
    assert oauth_call["request"]["client_secret"] == "***" and oauth_call["request"]["code"] == "***"
    assert isinstance(oauth_call["response"]["code"], int)  # an answer's code is Feishu's, not a secret


def test_a_body_that_is_not_json_keeps_no_secret_either(shenpi_server):
    base = shenpi_server.base_url
    secret = "not-json-secret-0123456789"
    httpx.post(f"{base}/open-apis/authen/v2/oauth/token", content=f"client_id=cli_x&client_secret={secret}&code=c0de",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    httpx.post(f"{base}/open-apis/auth/v3/tenant_access_token/internal",
               content=f'{{"app_id": "{DEMO_APP_ID}", "app_secret" : "{secret}", ',
               headers={"Content-Type": "application/json"})
    entries = shenpi_server.journal()
    assert len(entries) == 2
    assert secret not in json.dumps(entries)
    assert "client_secret=***" in entries[0]["request"] and "c0de" not in entries[0]["request"]
