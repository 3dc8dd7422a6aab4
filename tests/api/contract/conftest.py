"""Fixtures of the contract tests: a client that sends a user token of any user of the suite's seed."""

from __future__ import annotations

import subprocess
import sys

import lark_oapi as lark
import pytest


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
