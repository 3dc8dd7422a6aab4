"""``--tls-cert/--tls-key``: lark-oapi demands https off loopback, so shenpi serves TLS itself when asked."""

from __future__ import annotations

import datetime
from pathlib import Path

import lark_oapi as lark
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lark_oapi.api.approval.v4 import GetApprovalRequest

from shenpi.testing import forget_sdk_tokens
from tests.conftest import start_server


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_the_sdk_over_https(backend, tmp_path, monkeypatch):
    tls = self_signed(tmp_path)
    srv = start_server(tmp_path, "tls", backend, tls=tls, url_host="localhost", args=["--no-events"])
    forget_sdk_tokens()
    try:
        assert srv.base_url.startswith("https://localhost:")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))  # trust the self-signed certificate
        client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
                  .log_level(lark.LogLevel.ERROR).build())
        resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("LEAVE").build())
        assert resp.code == 0 and resp.data.approval_name == "请假"
    finally:
        srv.close()
        forget_sdk_tokens()


def test_cert_without_key_is_a_usage_error(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "shenpi", "serve", "--tls-cert", "x.pem"], capture_output=True, text=True)
    assert r.returncode != 0 and "--tls-key" in r.stderr

