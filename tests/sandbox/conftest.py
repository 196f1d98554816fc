"""Fixtures: a Sandbox per test, and the real google-ads client pointed at it.

Why the certificate is chosen at import time: gRPC reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH once per
process, when the first TLS channel loads its default roots, and this environment already sets it
(to the system bundle). So the variable must name the sandbox certificate before any test of the
session opens a channel, and every sandbox of the session must present that same certificate.
trust_process_certificate(), called while this conftest is imported (collection, before any test
runs), creates (once, under a file lock) the shared per-user certificate, pins it for this process
and points the variable at it. Every Sandbox started later in the process, here (one per test,
state_dir=tmp_path) or in tests/conftest.py (the session sandbox), then presents that certificate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from sandbox.tls import trust_process_certificate

CERT = trust_process_certificate()
TODAY = date(2026, 1, 10)
CUSTOMER = "1234567890"

# google-ads logs every failed call at WARNING ("Request made: ..."); the fault tests make many.
logging.getLogger("google.ads.googleads.client").setLevel(logging.ERROR)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(state_dir=tmp_path / "sandbox", today=TODAY) as sb:
        assert sb.ca_path == CERT.cert_path
        yield sb


@pytest.fixture
def make_service(sandbox: Sandbox) -> Callable[..., Any]:
    """GoogleAdsService client built the way the project builds it; kwargs override."""
    from google.ads.googleads.client import GoogleAdsClient
    from google.oauth2.credentials import Credentials

    def make(**overrides: Any) -> Any:
        kwargs: dict[str, Any] = {
            "credentials": Credentials(
                token=None, refresh_token="r", client_id="c", client_secret="s", token_uri=sandbox.token_uri
            ),
            "developer_token": "dev",
            "login_customer_id": None,
            "use_proto_plus": False,
            "endpoint": sandbox.google_ads_endpoint,
            "version": "v26",
        }
        kwargs.update(overrides)
        return GoogleAdsClient(**kwargs).get_service("GoogleAdsService")

    return make


@pytest.fixture
def ads(make_service: Callable[..., Any]) -> Any:
    return make_service()


def _batches(service: Any, query: str, customer_id: str = CUSTOMER, **kwargs: Any) -> list[Any]:
    return list(service.search_stream(customer_id=customer_id, query=query, **kwargs))


def _rows(service: Any, query: str, customer_id: str = CUSTOMER, **kwargs: Any) -> list[Any]:
    return [row for batch in _batches(service, query, customer_id, **kwargs) for row in batch.results]


@pytest.fixture
def batches() -> Callable[..., list[Any]]:
    """batches(service, query, customer_id=CUSTOMER): every response message of one SearchStream."""
    return _batches


@pytest.fixture
def rows() -> Callable[..., list[Any]]:
    """rows(service, query, customer_id=CUSTOMER): every GoogleAdsRow of one SearchStream."""
    return _rows
