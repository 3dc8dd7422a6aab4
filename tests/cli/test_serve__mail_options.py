"""``serve --smtp-url``: a URL that is no SMTP URL, or one without a sender address, refuses to start with one
``Error:`` line (click's usage error), before anything is opened."""

from __future__ import annotations

from shenpi.testing.process import free_port
from tests.cli.serving import run
from tests.cli.test_startup__option_failures import _refused


def test_an_smtp_url_of_another_scheme(tmp_path):
    line = _refused(tmp_path, "--smtp-url", "http://mail.example.com", "--mail-from", "a@example.com", usage=True)
    assert "smtp://" in line and "http://mail.example.com" in line


def test_an_smtp_url_without_a_sender(tmp_path):
    line = _refused(tmp_path, "--smtp-url", "smtp://mail.example.com:2525", usage=True)
    assert "--mail-from ADDRESS is required" in line


def test_the_environment_gives_the_same_options(tmp_path):
    result = run(["serve", "--port", str(free_port()), "--db", f"sqlite:///{tmp_path / 'shenpi.db'}"], tmp_path,
                 env={"SHENPI_SMTP_URL": "smtps://user:pw@mail.example.com"})
    assert result.returncode == 2 and "--mail-from ADDRESS is required" in result.stderr, result
