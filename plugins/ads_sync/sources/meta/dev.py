"""Dev wiring: the connection that points the facebook-business SDK at the sandbox's Graph API (the
demo, the tests, `make airflow`). Production never imports this."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ads_sync.sources.meta.spec import SPEC

if TYPE_CHECKING:
    from sandbox import Sandbox


def sandbox_connection(sandbox: Sandbox) -> str:
    """An Airflow connection (JSON form) with the sandbox's app, token and Graph URL."""
    from sandbox import meta

    return json.dumps({
        "conn_type": SPEC.conn_type,
        "extra": {
            "app_id": meta.APP_ID,
            "app_secret": meta.APP_SECRET,
            "access_token": meta.ACCESS_TOKEN,
            "graph_url": sandbox.meta_graph_url,
        },
    })
