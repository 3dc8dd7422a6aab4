"""Fixtures of the contract tests: a client that sends a user token of any user of the suite's seed, and the
external approval the external rule tests sync their instances to."""

from __future__ import annotations

import subprocess
import sys

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import ApprovalCreateExternal, CreateExternalApprovalRequest, ExternalApproval

from tests.api.contract.helpers_external import texts


@pytest.fixture(scope="session")
def as_user(server):  # type: ignore[no-untyped-def]
    """(client, option for a user id): the SDK sends a user token minted with the CLI."""
    client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(server.base_url)
              .enable_set_token(True).log_level(lark.LogLevel.ERROR).build())
    tokens: dict[str, str] = {}

    def option(user_id: str) -> lark.RequestOption:
        if user_id not in tokens:
            tokens[user_id] = subprocess.run(
                [sys.executable, "-m", "shenpi", "token", "user", user_id, "--app", "cli_acme", "--db", server.db_url],
                capture_output=True, text=True, check=True).stdout.strip()
        return lark.RequestOption.builder().user_access_token(tokens[user_id]).build()

    return client, option


@pytest.fixture
def external_rules_definition(client):  # type: ignore[no-untyped-def]
    """The external approval EXT-RULES, which the external rule tests' instances belong to (created or updated)."""
    body = (ExternalApproval.builder().approval_name("@i18n@rules").approval_code("EXT-RULES").group_code("G")
            .group_name("@i18n@g").external(ApprovalCreateExternal.builder().support_pc(True).build())
            .i18n_resources(texts("@i18n@rules", "@i18n@g")).build())
    created = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder().request_body(body)
                                                          .build())
    assert created.code == 0, created.msg
