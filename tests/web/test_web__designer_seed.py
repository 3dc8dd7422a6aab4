"""Restarting the server with its seed file never undoes what an admin changed in the designer: the admin's
definition stays as published, while a definition nobody changed still takes the seed file's edits."""

from __future__ import annotations

import json

from lark_oapi.api.approval.v4 import GetApprovalRequest

from shenpi.testing import forget_sdk_tokens
from tests.conftest import start_server
from tests.web.designer_form import Designer
from tests.web.helpers import WebClient
from tests.web.seed import web_seed


def _name(sdk, code: str) -> str:
    resp = sdk.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).locale("en-US").build())
    assert resp.code == 0, resp.msg
    return str(resp.data.approval_name)


def test_a_restart_with_the_seed_keeps_the_admins_definition(tmp_path):
    import lark_oapi as lark

    srv = start_server(tmp_path, "seeded", seed=web_seed())
    try:
        dana = WebClient(srv.base_url)
        dana.sign_in("acme", "dana", "dana-pw")
        designer = Designer(dana, "LEAVE")
        designer.press("publish", name_en="Leave (HR's version)")
        assert designer.status == 303, designer.errors()
        dana.close()

        seed = web_seed()
        texts = seed["tenants"][0]["approvals"]
        for body in texts:  # the seed file renames both LEAVE (the admin's now) and BACK (nobody touched it)
            for resource in body["i18n_resources"]:
                for text in resource["texts"]:
                    if text["key"] in ("@i18n@leave", "@i18n@back") and resource["locale"] == "en-US":
                        text["value"] += " (seed edit)"
        srv.seed_path.write_text(json.dumps(seed), encoding="utf-8")
        srv.restart()

        forget_sdk_tokens()
        sdk = (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(srv.base_url)
               .log_level(lark.LogLevel.ERROR).build())
        assert _name(sdk, "LEAVE") == "Leave (HR's version)"
        assert _name(sdk, "BACK") == "Send-back flow (seed edit)"
        assert "the seed's version is not applied" in srv.log_path.read_text()
        admin = WebClient(srv.base_url)
        admin.sign_in("acme", "dana", "dana-pw")
        history = admin.page("/admin/definitions/LEAVE?lang=en")
        assert "Admin · dana" in history and "Seed file" in history
        admin.close()
    finally:
        forget_sdk_tokens()
        srv.close()


def test_the_designer_speaks_chinese(browser):
    html = browser("dana").page("/admin/definitions/LEAVE/design?lang=zh")
    for text in ("基本信息", "控件名称（中文）", "添加条件分支", "发布新版本", "预览：申请表单", "请假"):
        assert text in html, text
