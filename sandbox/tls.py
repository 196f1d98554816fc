"""A self-signed certificate for `localhost`, created once per directory and reused.

The google-ads client always opens TLS, so the sandbox serves TLS and clients trust this
certificate through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH. gRPC reads that variable once per process
(when it first loads its default roots), so every sandbox a process talks to must present the
same certificate: the first certificate a process uses is pinned (process_certificate) and
reused by every later Sandbox that does not name its own tls_dir.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOTS_ENV = "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
SHARED_DIR_ENV = "ADS_SYNC_SANDBOX_TLS_DIR"
CERT_NAME, KEY_NAME = "localhost.pem", "localhost-key.pem"


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path

    def cert_pem(self) -> bytes:
        return self.cert_path.read_bytes()

    def key_pem(self) -> bytes:
        return self.key_path.read_bytes()


def ensure_certificate(directory: Path) -> Certificate:
    """Return the certificate in `directory`, creating it first if needed (safe across processes)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert = Certificate(directory / CERT_NAME, directory / KEY_NAME)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cert.cert_path.exists() and cert.key_path.exists()):
            key_pem, cert_pem = _generate()
            _write(cert.key_path, key_pem, mode=0o600)
            _write(cert.cert_path, cert_pem, mode=0o644)
    return cert


def trust(cert_path: Path) -> None:
    """Make this process's gRPC trust the sandbox; effective only before its first TLS channel."""
    os.environ[ROOTS_ENV] = str(cert_path)


_process_cert: Certificate | None = None
_process_lock = threading.Lock()


def process_certificate(default_dir: Path) -> Certificate:
    """The certificate every sandbox of this process presents: the first one chosen here.

    gRPC loads its trusted roots once per process, so a second sandbox with another certificate
    could never be reached from a process that already trusts the first (e.g. a session-wide
    sandbox in one conftest and per-test sandboxes in another). Pinning the first certificate
    makes any number of sandboxes in one process agree without coordination.
    """
    global _process_cert
    with _process_lock:
        if _process_cert is None:
            _process_cert = ensure_certificate(default_dir)
        return _process_cert


def shared_tls_dir() -> Path:
    """A per-user certificate directory for test processes ($ADS_SYNC_SANDBOX_TLS_DIR overrides it)."""
    override = os.environ.get(SHARED_DIR_ENV)
    return (
        Path(override)
        if override
        else Path(tempfile.gettempdir()) / f"ads-sync-sandbox-{os.getuid()}" / "tls"
    )


def trust_process_certificate(default_dir: Path | None = None) -> Certificate:
    """Pin this process's sandbox certificate now (default: shared_tls_dir()) and trust it.

    Call it before anything opens a TLS channel (e.g. at conftest import); every Sandbox started
    later in the process without an explicit tls_dir presents this certificate.
    """
    cert = process_certificate(default_dir or shared_tls_dir())
    trust(cert.cert_path)
    return cert


def _write(path: Path, content: bytes, mode: int) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, path)


def _generate() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ads-sync sandbox"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
