"""The localhost certificate: created once per directory, one per process."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cryptography import x509

from sandbox import Sandbox
from sandbox.tls import ensure_certificate, trust_process_certificate


def test_certificate_is_created_once_and_names_localhost(tmp_path: Path) -> None:
    first = ensure_certificate(tmp_path / "tls")
    pem = first.cert_pem()
    again = ensure_certificate(tmp_path / "tls")
    assert again.cert_pem() == pem and again.key_pem() == first.key_pem()
    assert oct(first.key_path.stat().st_mode & 0o777) == "0o600"
    san = x509.load_pem_x509_certificate(pem).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.value.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]


def test_sandboxes_of_one_process_share_its_certificate(tmp_path: Path) -> None:
    pinned = trust_process_certificate()
    with Sandbox(state_dir=tmp_path / "a") as a, Sandbox(state_dir=tmp_path / "b") as b:
        assert a.ca_path == b.ca_path == pinned.cert_path
        assert not (tmp_path / "a" / "tls").exists()
    with Sandbox(state_dir=tmp_path / "c", tls_dir=tmp_path / "own") as c:  # explicitly another one
        assert c.ca_path == tmp_path / "own" / "localhost.pem"
