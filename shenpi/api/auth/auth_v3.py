"""``/open-apis/auth/v3``: app and tenant access tokens for self-built apps (an app id and secret in, a token out).

These answers are not wrapped in ``data`` and use HTTP 200 with a non-zero code on failure, as Feishu does.
The body is JSON whether or not a Content-Type is sent (lark-oapi sends none here).
"""

from __future__ import annotations

import msgspec

from shenpi import ids
from shenpi.api.wire import Receive, Scope, Send, client_host, decode_json, envelope, read_body, respond
from shenpi.app import Shenpi
from shenpi.platform.errors import RateLimited

_enc = msgspec.json.Encoder()


async def issue_token(svc: Shenpi, kind: str, scope: Scope, receive: Receive, send: Send) -> None:
    log_id = ids.log_id()
    raw = await read_body(receive)
    try:
        body = decode_json(raw or b"{}")
    except msgspec.DecodeError:
        body = None
    app_id = body.get("app_id") if isinstance(body, dict) else None
    secret = body.get("app_secret") if isinstance(body, dict) else None
    if not isinstance(app_id, str) or not app_id or not isinstance(secret, str) or not secret:
        answer: dict[str, object] = {"code": 10003, "msg": "invalid param", "data": {}}
    else:
        try:
            app = await svc.tokens.app_for_secret(app_id, secret, client_host(scope))
        except RateLimited as e:  # too many wrong secrets for this app id this minute
            await respond(send, e.http_status, envelope(e.code, e.msg, None, {"log_id": log_id}), log_id, e.headers)
            return
        if isinstance(app, str):
            answer = {"code": 10014, "msg": app}
        else:
            tenant = await svc.tokens.issue(app, "tenant")
            answer = {"code": 0, "msg": "ok", "tenant_access_token": tenant.token,
                      "expire": svc.tokens.remaining_s(tenant)}
            if kind == "app":
                app_token = await svc.tokens.issue(app, "app")
                answer = {"app_access_token": app_token.token, "code": 0,
                          "expire": svc.tokens.remaining_s(app_token), "msg": "ok",
                          "tenant_access_token": tenant.token}
    await respond(send, 200, _enc.encode(answer), log_id)
