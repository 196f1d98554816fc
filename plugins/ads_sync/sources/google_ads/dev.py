"""Dev wiring: the connection that points the real Google Ads client at the sandbox's emulator (the
demo, the tests, `make airflow`). Production never imports this."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ads_sync.sources.google_ads.spec import SPEC

if TYPE_CHECKING:
    from sandbox import Sandbox

#: recognisable, obviously fake credentials the sandbox accepts; real ones live only in Connections
SANDBOX_CREDENTIALS = {
    "developer_token": "sandbox-developer-token",
    "client_id": "sandbox-client-id",
    "client_secret": "sandbox-client-secret",
    "refresh_token": "sandbox-refresh-token",
}


def sandbox_connection(sandbox: Sandbox) -> str:
    """An Airflow connection (JSON form): the sandbox's gRPC endpoint, token URI and TLS roots."""
    return json.dumps({
        "conn_type": SPEC.conn_type,
        "extra": {
            **SANDBOX_CREDENTIALS,
            "endpoint": sandbox.google_ads_endpoint,
            "token_uri": sandbox.token_uri,
            "ssl_roots_file": str(sandbox.ca_path),
        },
    })
