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
ICON = (
    "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' "
    "stroke='{}' stroke-width='2'><rect x='3' y='4' width='18' height='17' rx='2'/><path d='M3 9h18M8 2v4"
    "M16 2v4M7 13h2M11 13h2M15 13h2M7 17h2M11 17h2'/></svg>"
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
            "nav_top_level": True, "icon": ICON.format("%23475569"), "icon_dark_mode": ICON.format("%23cbd5e1"),
        },
        {
            "name": "Coverage", "href": ROOT + MOUNT + "/dag/{DAG_ID}", "destination": "dag",
            "url_route": "ads-sync-coverage",
        },
    ]
