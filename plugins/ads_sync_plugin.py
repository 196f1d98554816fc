"""The one file Airflow's plugin loader runs (plugins/.airflowignore hides the package from it).

It registers the Ads Sync view: a FastAPI app mounted at /ads-sync on the api-server, a top-level nav
item and a "Coverage" tab on every DAG page. The app itself (FastAPI, templates, Airflow's security
dependencies) is imported on the first request, so the scheduler, workers and dag-processor, which
load plugins too, never pay for it.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin

MOUNT = "/ads-sync"
#: the UI's hrefs are paths on the api-server: under [api] base_url's path when Airflow is served below one
ROOT = urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")
ICON = (  # a small calendar, filled, so it reads on the nav bar's light, dark and selected backgrounds
    "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'>"
    "<rect x='2' y='3' width='20' height='19' rx='3' fill='%230ea5e9'/><rect x='2' y='3' width='20' height='5' rx='2'"
    " fill='%230369a1'/><g fill='white'><rect x='5' y='11' width='3' height='3'/><rect x='10.5' y='11' width='3'"
    " height='3'/><rect x='16' y='11' width='3' height='3'/><rect x='5' y='16' width='3' height='3'/><rect x='10.5'"
    " y='16' width='3' height='3'/></g></svg>"
)


class LazyApp:
    """An ASGI app that builds the real one (ads_sync.ui.app) when the first request arrives."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from ads_sync.ui.app import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


class AdsSyncPlugin(AirflowPlugin):
    name = "ads_sync"
    fastapi_apps = [{"app": LazyApp(), "url_prefix": MOUNT, "name": "Ads Sync"}]
    external_views = [
        {
            "name": "Ads Sync", "href": f"{ROOT}{MOUNT}/", "destination": "nav", "url_route": "ads-sync",
            "nav_top_level": True, "icon": ICON,
        },
        {
            "name": "Coverage", "href": ROOT + MOUNT + "/dag/{DAG_ID}", "destination": "dag",
            "url_route": "ads-sync-coverage",
        },
    ]
