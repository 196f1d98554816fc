"""The Ads Sync view's FastAPI app: server-rendered pages over the ledger, and the repair actions.

Every route depends on Airflow's `get_user` (app-wide), and each one then asks the auth manager about
the account's DAGs (ads_sync.ui.access). Request values are only compared with registry entries or
passed as bound parameters: no SQL is built from them.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import Depends, FastAPI, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ads_sync.ui import access, data, pages

MOUNT = "/ads-sync"
#: the signed-in user, from Airflow's own dependency (this module is imported only by the api-server)
User = Annotated[BaseUser, Depends(get_user)]


def registry_path() -> Path:
    """The registry the dags/ shard files build from (ADS_SYNC_REGISTRY may name another one)."""
    from ads_sync import local

    return Path(os.environ.get("ADS_SYNC_REGISTRY") or local.ROOT / "include" / "accounts.yaml")


@lru_cache(maxsize=4)
def _registry(path: Path, mtime: float) -> Any:
    from ads_sync.registry import load_registry

    return load_registry(path)


def registry() -> Any:
    path = registry_path()
    return _registry(path, path.stat().st_mtime)


def airflow_root(request: Request) -> str:
    """The path Airflow's own pages live under (the app's mount point removed)."""
    return str(request.scope.get("root_path", "")).removesuffix(MOUNT)


def _connect() -> Any:
    from ads_sync import warehouse

    return warehouse.connect()


def create_app() -> FastAPI:
    app = FastAPI(title="Ads Sync", dependencies=[Depends(get_user)], docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        """Errors as a page (the view lives in an iframe), with Airflow's status codes kept."""
        title = {401: "Not signed in", 403: "Not allowed", 404: "Not found"}.get(exc.status_code, "Error")
        return HTMLResponse(pages.message_page(title, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    def page(request: Request, html: str, code: int = 200) -> HTMLResponse:
        return HTMLResponse(html, status_code=code, headers={"Cache-Control": "no-store"})

    @app.get("/", response_class=HTMLResponse)
    def accounts(request: Request, user: User, platform: str = "", state: str = "") -> HTMLResponse:
        visible = access.visible_accounts(user, registry().accounts)
        with _connect() as conn:
            rows = data.account_rows(conn, visible, now=datetime.now(UTC))
        return page(request, pages.accounts_page(
            rows, root=airflow_root(request), platform=platform, state=state,
            platforms=sorted({a.platform for a in visible}),
        ))

    @app.get("/accounts/{platform}/{account_id}", response_class=HTMLResponse)
    def account(request: Request, user: User, platform: str, account_id: str) -> HTMLResponse:
        found = access.readable_account(registry(), user, platform, account_id)
        return page(request, _account_html(request, user, found))

    @app.get("/dag/{dag_id}", response_class=HTMLResponse)
    def dag_tab(request: Request, user: User, dag_id: str) -> HTMLResponse:
        found = access.account_of_dag(registry(), dag_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, access.NOT_FOUND)
        found = access.readable_account(registry(), user, found.platform, found.account_id)
        return page(request, _account_html(request, user, found, tab=True))

    @app.post("/accounts/{platform}/{account_id}/repair", response_class=HTMLResponse)
    def repair(request: Request, user: User, platform: str, account_id: str) -> HTMLResponse:
        found = _actionable(request, user, platform, account_id)
        from ads_sync.ui import rest

        with _connect() as conn:
            view = data.account_view(conn, found, now=datetime.now(UTC))
        return _trigger(request, found, rest.repair_confs(view.gap_ranges), "Repair gaps")

    @app.post("/accounts/{platform}/{account_id}/resync", response_class=HTMLResponse)
    def resync(
        request: Request, user: User, platform: str, account_id: str, weeks: Annotated[int, Form(ge=1, le=52)]
    ) -> HTMLResponse:
        found = _actionable(request, user, platform, account_id)
        return _trigger(request, found, [{"weeks": weeks}], f"Re-sync {weeks} week{'s' if weeks > 1 else ''}")

    def _actionable(request: Request, user: BaseUser, platform: str, account_id: str) -> Any:
        access.same_origin(request)
        found = access.readable_account(registry(), user, platform, account_id)
        if not access.may_trigger(user, found):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "You may not trigger this account's force_sync DAG")
        return found

    def _trigger(request: Request, found: Any, confs: list[dict[str, Any]], what: str) -> HTMLResponse:
        from ads_sync.dag_factory import dag_id
        from ads_sync.ui import rest

        root = airflow_root(request)
        the_dag = dag_id(found, "force_sync")
        base, token = rest.api_base(request, root), access.user_token(request)
        results = rest.trigger_all(base, token, the_dag, confs) if confs else []
        return page(request, pages.actions_page(found, what, the_dag, results, root=root))

    def _account_html(request: Request, user: BaseUser, found: Any, *, tab: bool = False) -> str:
        with _connect() as conn:
            view = data.account_view(conn, found, now=datetime.now(UTC))
        return pages.account_page(view, root=airflow_root(request), may_act=access.may_trigger(user, found), tab=tab)

    return app
