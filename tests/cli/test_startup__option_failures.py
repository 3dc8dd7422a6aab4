"""Start failures that are no seed's and no port's: TLS files that cannot serve, a directory or an uncreatable path as
the SQLite database, option values every worker would have failed on. Each is one ``Error:`` line and a non-zero exit,
before the start line, with no traceback and no database file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from shenpi.testing.process import free_port
from tests.cli.serving import run
from tests.cli.test_serve__tls import self_signed


def _refused(tmp: Path, *args: str, usage: bool = False) -> str:
    """``shenpi serve <args>`` in ``tmp`` fails at once: its ``Error:`` line (click's usage errors come after the
    usage text and exit 2; every other start failure is that one line alone and exits 1)."""
    result = run(["serve", "--port", str(free_port()), "--db", f"sqlite:///{tmp / 'shenpi.db'}", *args], tmp)
    assert result.returncode == (2 if usage else 1), result
    assert result.stdout == "", result.stdout  # no start line
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    if not usage:
        assert result.stderr.splitlines() == errors, result.stderr
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("shenpi.db")]
    return errors[0]


def test_a_missing_tls_certificate(tmp_path):
    _, key = self_signed(tmp_path)
    line = _refused(tmp_path, "--tls-cert", "missing.pem", "--tls-key", str(key))
    assert "--tls-cert: no file at missing.pem" in line


def test_tls_files_that_are_no_pem(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate", encoding="utf-8")
    line = _refused(tmp_path, "--tls-cert", str(junk), "--tls-key", str(junk))
    assert "are not a PEM certificate and its private key" in line


def test_a_tls_key_that_is_not_the_certificates(tmp_path):
    (tmp_path / "other").mkdir()
    cert, _ = self_signed(tmp_path)
    _, other_key = self_signed(tmp_path / "other")
    assert "not a PEM certificate and its private key" in _refused(tmp_path, "--tls-cert", str(cert),
                                                                    "--tls-key", str(other_key))


def test_a_tls_certificate_without_its_key(tmp_path):
    cert, _ = self_signed(tmp_path)
    assert "go together" in _refused(tmp_path, "--tls-cert", str(cert), usage=True)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_a_directory_as_the_database(tmp_path, suffix):
    folder = tmp_path / "data"
    folder.mkdir()
    line = _refused(tmp_path, "--db", f"sqlite:///{folder}{suffix}")
    assert "is a directory" in line and f"sqlite:///{folder}/shenpi.db" in line
    assert list(folder.iterdir()) == []


def test_a_database_path_nothing_may_create(tmp_path):
    # /proc refuses new files even to root, who passes every permission check a chmod could set up
    assert "cannot open the database sqlite:////proc/shenpi.db" in _refused(tmp_path, "--db", "sqlite:////proc/shenpi.db")


@pytest.mark.parametrize(("option", "value"), [("--sign-in-account-limit", "five"), ("--sign-in-address-limit", "5/0"),
                                               ("--rate-limit-scale", "-1"), ("--event-retry-scale", "-0.5"),
                                               ("--workers", "0"), ("--port", "70000"), ("--port", "-1")])
def test_an_option_value_every_worker_would_fail_on(tmp_path, option, value):
    assert option in _refused(tmp_path, option, value, usage=True)


@pytest.mark.parametrize("url", ["postgresql://shenpi:pw-never-printed@[::1/shenpi",
                                 "postgresql://shenpi:pw-never-printed@127.0.0.1:notaport/shenpi"])
def test_a_malformed_postgresql_url_is_said_with_its_password_masked(tmp_path, url):
    line = _refused(tmp_path, "--db", url)
    assert "cannot open the database postgresql://shenpi:***@" in line and "pw-never-printed" not in line
