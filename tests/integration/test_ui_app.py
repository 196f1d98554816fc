"""The Ads Sync view over Airflow's real api-server app (create_app, plugins loaded by Airflow's own
plugin manager) with real JWTs from its auth manager, on real syncs in the warehouse.

Users: admin; viewer (reads every DAG, triggers none); kiwi (role user, granted only Kiwi Coffee's
DAGs by tests/auth_manager.py, which stands in for per-DAG grants such as FAB's)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.staging import drop_load_tables

ROOT = Path(__file__).resolve().parents[2]
KIWI, NORDLICHT = "2345678901", "1234567890"
USERS = {"admin": "admin", "viewer": "viewer", "kiwi": "user"}
ENV = {
    "AIRFLOW__CORE__AUTH_MANAGER": "tests.auth_manager.DagScopedAuthManager",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in USERS.items()),
    "ADS_SYNC_TEST_DAG_GRANTS": f"kiwi=ads_sync__google_ads__{KIWI}__",
    "AIRFLOW__API_AUTH__JWT_SECRET": "ui-test-secret-" + "x" * 64,
}

pytestmark = pytest.mark.integration


def registry() -> Any:
    from ads_sync.registry import load_registry

    return load_registry(ROOT / "include" / "accounts.yaml")


@pytest.fixture(scope="module")
def synced(airflow_db: Path, db: Any, sandbox: Any) -> Any:
    """Kiwi Coffee and Nordlicht synced by their daily DAGs; then one of Kiwi's days removed (a gap)."""
    from airflow.dag_processing.dagbag import DagBag

    sandbox.reset()
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    for account_id in (KIWI, NORDLICHT):
        run = bag.get_dag(f"ads_sync__google_ads__{account_id}__daily").test()
        assert run.state == "success"
    gap = db.execute(
        "SELECT min(date) + 2 FROM ads_sync.coverage WHERE account_id = %s", (KIWI,)
    ).fetchone()[0]
    db.execute("DELETE FROM ads_sync.coverage WHERE account_id = %s AND date = %s", (KIWI, gap))
    db.execute("DELETE FROM ads.campaign_daily WHERE account_id = %s AND date = %s", (KIWI, gap))
    db.execute("DELETE FROM ads.ad_group_daily WHERE account_id = %s AND date = %s", (KIWI, gap))
    return gap


@pytest.fixture(scope="module")
def db(migrated_warehouse: str) -> Iterator[Any]:
    """Module-wide: the syncs happen once; the warehouse is emptied first."""
    import psycopg

    with psycopg.connect(migrated_warehouse, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
            " WHERE schemaname IN ('ads', 'ads_staging', 'ads_sync') AND tablename <> 'schema_migrations'"
        ).fetchall()
        conn.execute("TRUNCATE " + ", ".join(t[0] for t in tables))
        drop_load_tables(conn)
        yield conn


@pytest.fixture(scope="module")
def client(airflow_db: Path, synced: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    passwords = tmp_path_factory.mktemp("auth") / "passwords.json"
    passwords.write_text("{}")
    saved = {k: os.environ.get(k) for k in [*ENV, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]}
    os.environ.update(ENV, AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords))
    try:
        # the DAGs must be known to Airflow's metadata, as the dag-processor would leave them
        subprocess.run([sys.executable, "-m", "airflow", "dags", "reserialize"], check=True,
                       env=os.environ.copy(), capture_output=True)
        from airflow.api_fastapi.app import create_app

        with TestClient(create_app("core")) as test_client:
            yield test_client
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def token(username: str) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=username, role=USERS[username]))


def get(client: Any, path: str, user: str | None = None, **kw: Any) -> Any:
    return client.get(path, headers=_auth(user, kw.pop("headers", {})), **kw)


def post(client: Any, path: str, user: str | None = None, **kw: Any) -> Any:
    return client.post(path, headers=_auth(user, kw.pop("headers", {})), **kw)


def _auth(user: str | None, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Authorization": f"Bearer {token(user)}"} if user else headers


def shown_accounts(html: str) -> set[str]:
    return set(re.findall(r'data-account="([^"]+)"', html))


def every_account() -> set[str]:
    return {f"{a.platform}/{a.account_id}" for a in registry().accounts}


PAGES = ["/ads-sync/", f"/ads-sync/accounts/google_ads/{KIWI}", f"/ads-sync/dag/ads_sync__google_ads__{KIWI}__daily"]
ACTIONS = [f"/ads-sync/accounts/google_ads/{KIWI}/repair", f"/ads-sync/accounts/google_ads/{KIWI}/resync"]


@pytest.mark.parametrize("path", PAGES + ACTIONS)
def test_anonymous_and_forged_requests_are_refused(client: Any, path: str) -> None:
    def call(**kw: Any) -> Any:
        if path in ACTIONS:
            return client.post(path, data={"weeks": 2}, **kw)
        return client.get(path, **kw)

    assert call().status_code == 401
    assert call(headers={"Authorization": "Bearer not.a.jwt"}).status_code == 403
    client.cookies.set("_token", "not.a.jwt")
    try:
        assert call().status_code == 403
    finally:
        client.cookies.clear()


def test_the_ui_cookie_is_accepted(client: Any) -> None:
    client.cookies.set("_token", token("viewer"))
    try:
        resp = client.get("/ads-sync/")
    finally:
        client.cookies.clear()
    assert resp.status_code == 200 and shown_accounts(resp.text) == every_account()


def test_admin_sees_every_registry_account_with_the_ledgers_numbers(client: Any, db: Any, synced: Any) -> None:
    from ads_sync import ledger

    resp = get(client, "/ads-sync/", "admin")
    assert resp.status_code == 200
    assert shown_accounts(resp.text) == every_account()
    accounts = registry().accounts
    gaps = ledger.gaps(db, accounts, now=datetime.now(UTC))
    row = _row(resp.text, f"google_ads/{KIWI}")
    assert len(gaps[f"google_ads__{KIWI}"]) == 1 and '<span class="badge gap">1</span>' in row
    assert "never synced" in _row(resp.text, "meta/104857600123456")
    # the reconciliation is the status's (what `make status` prints): Kiwi's run checked its days
    from ads_sync import status

    reconciled = {r["account"]: r["reconciled"] for r in status.account_rows(db, accounts, now=datetime.now(UTC))}
    assert reconciled[KIWI] and f'title="{reconciled[KIWI]}' in row
    assert reconciled["104857600123456"] is None and "not checked" in _row(resp.text, "meta/104857600123456")
    # needs attention first: the never-synced accounts come before the fresh ones
    order = re.findall(r'data-account="([^"]+)"', resp.text)
    assert order.index("meta/104857600123456") < order.index(f"google_ads/{NORDLICHT}")


def _row(html: str, account: str) -> str:
    start = html.index(f'data-account="{account}"')
    return html[start: html.index("</tr>", start)]


def test_filters_by_platform_and_status(client: Any) -> None:
    meta = shown_accounts(get(client, "/ads-sync/?platform=meta", "admin").text)
    assert meta == {a for a in every_account() if a.startswith("meta/")}
    never = shown_accounts(get(client, "/ads-sync/?state=never_synced", "admin").text)
    assert never == every_account() - {f"google_ads/{KIWI}", f"google_ads/{NORDLICHT}"}


def test_a_user_without_access_to_a_dag_sees_neither_its_account_nor_its_data(client: Any) -> None:
    listing = get(client, "/ads-sync/", "kiwi")
    assert shown_accounts(listing.text) == {f"google_ads/{KIWI}"}
    assert "Nordlicht" not in listing.text
    hidden = [f"/ads-sync/accounts/google_ads/{NORDLICHT}"] + [
        f"/ads-sync/dag/ads_sync__google_ads__{NORDLICHT}__{kind}" for kind in ("daily", "force_sync")
    ]
    unknown = get(client, "/ads-sync/dag/some_other_dag", "kiwi")
    for path in hidden:
        resp = get(client, path, "kiwi")
        assert resp.status_code == 404 and "Nordlicht" not in resp.text
        assert resp.text == unknown.text  # hidden reads exactly like absent
    for action in ("repair", "resync"):
        resp = post(client, f"/ads-sync/accounts/google_ads/{NORDLICHT}/{action}", "kiwi", data={"weeks": 2})
        assert resp.status_code == 404
    assert get(client, f"/ads-sync/accounts/google_ads/{KIWI}", "kiwi").status_code == 200


def test_the_account_page_shows_the_gap_in_calendar_and_chart(client: Any, synced: Any) -> None:
    for path in (f"/ads-sync/accounts/google_ads/{KIWI}", f"/ads-sync/dag/ads_sync__google_ads__{KIWI}__weekly"):
        html = get(client, path, "admin").text
        for report in ("campaign_daily", "ad_group_daily"):
            cells = _report_cells(html, report)
            assert cells[str(synced)] == "gap"
            assert cells[str(synced + timedelta(days=1))] in {"loaded", "settling"}
        assert f"<title>{synced}: no data</title>" in html
        assert f"<title>{synced - timedelta(days=1)}: " in html
        assert "Repair gaps</button>" in html


def _report_cells(html: str, report: str) -> dict[str, str]:
    start = html.index(f'data-report="{report}"')
    row = html[start: html.index("</tr>", start)]
    return dict(re.findall(r'data-date="([^"]+)" data-state="([^"]+)"', row))


def test_the_last_runs_show_window_rows_requests_and_changes(client: Any, db: Any) -> None:
    html = get(client, f"/ads-sync/accounts/google_ads/{KIWI}", "admin").text
    run = db.execute(
        "SELECT run_id, api_requests, rows_extracted FROM ads_sync.sync_runs WHERE account_id = %s", (KIWI,)
    ).fetchone()
    assert run[0][:20] in html
    assert f'<td class="num">{run[2]}</td>' in html and f'<td class="num">{run[1]}</td>' in html


def test_actions_are_refused_without_run_permission(client: Any, db: Any) -> None:
    page = get(client, f"/ads-sync/accounts/google_ads/{KIWI}", "viewer")
    assert page.status_code == 200 and "Repair gaps</button>" not in page.text
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    def airflow_runs() -> int:
        with create_session() as session:
            return session.query(DagRun).filter(DagRun.dag_id == f"ads_sync__google_ads__{KIWI}__force_sync").count()

    before = db.execute("SELECT count(*) FROM ads_sync.sync_runs").fetchone()[0], airflow_runs()
    for action in ACTIONS:
        resp = post(client, action, "viewer", data={"weeks": 2})
        assert resp.status_code == 403, resp.text
    assert (db.execute("SELECT count(*) FROM ads_sync.sync_runs").fetchone()[0], airflow_runs()) == before


def test_bad_weeks_and_cross_origin_posts_are_refused(client: Any) -> None:
    path = f"/ads-sync/accounts/google_ads/{KIWI}/resync"
    for weeks in ("0", "53", "ten", "1; DROP TABLE ads.campaign_daily"):
        assert post(client, path, "admin", data={"weeks": weeks}).status_code == 422
    resp = post(client, path, "admin", data={"weeks": 2}, headers={"Origin": "https://evil.example"})
    assert resp.status_code in (401, 403)


def test_request_values_never_reach_sql(client: Any, db: Any) -> None:
    hostile = "x' OR '1'='1"
    assert get(client, f"/ads-sync/accounts/google_ads/{hostile}", "admin").status_code == 404
    assert get(client, "/ads-sync/dag/x'; DROP TABLE ads_sync.coverage; --", "admin").status_code == 404
    listing = get(client, "/ads-sync/", "admin", params={"platform": hostile, "state": "'; DROP TABLE x; --"})
    assert listing.status_code == 200 and shown_accounts(listing.text) == set()
    assert db.execute("SELECT count(*) FROM ads_sync.coverage").fetchone()[0] > 0
