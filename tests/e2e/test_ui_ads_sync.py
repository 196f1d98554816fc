"""The Ads Sync view in headless Chromium against the running stack: log in, open Ads Sync from the
nav, see every registry account; open an account with a gap this test made (a day's coverage and rows
deleted), press "Repair gaps", watch the run succeed, see the day loaded. Anonymous requests and a
viewer (who may read but not trigger) are refused. Writes the screenshots in docs/."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Deployment, local_today, registry
from tests.e2e.test_ui_trigger import page  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.timeout(600)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def sign_in(tab: Any, url: str, username: str, password: str) -> None:
    tab.goto(f"{url}/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{url}/")


def synced_with_a_gap(deployment: Deployment, db: Any, account: Any) -> Any:
    """This account's force_sync of the 30 days ending yesterday and a Meta account's of 14 (one after
    the other), then one day in the middle of this one's deleted, coverage and rows:
    one gap. The other accounts stay never synced."""
    api = deployment.api

    def days_to_yesterday(a: Any, n: int) -> dict[str, str]:
        last = local_today(a.timezone) - timedelta(days=1)
        return {"start_date": (last - timedelta(days=n - 1)).isoformat(), "end_date": last.isoformat()}

    meta = next(a for a in registry().accounts if a.platform == "meta" and a.active)
    confs = {account.key: days_to_yesterday(account, 30), meta.key: days_to_yesterday(meta, 14)}
    yesterday = local_today(account.timezone) - timedelta(days=1)
    for key, conf in confs.items():
        fs = f"ads_sync__{key}__force_sync"
        api.set_paused(fs, False)
        resp = api.trigger(fs, conf)
        assert resp.status_code == 200, resp.text
        assert api.wait_for_run(fs, resp.json()["dag_run_id"])["state"] == "success", fs
    gap = yesterday - timedelta(days=6)
    for table in ("ads_sync.coverage", "ads.campaign_daily", "ads.ad_group_daily"):
        db.execute(f"DELETE FROM {table} WHERE account_id = %s AND date = %s", (account.account_id, gap))
    return gap


def test_accounts_repair_and_refusals(local_airflow: Deployment, page: Any, db: Any, quiet_account: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    api, url, account = local_airflow.api, local_airflow.url, quiet_account
    expect.set_options(timeout=30_000)  # two cores: the UI's first render can take a while
    local_airflow.sandbox.reset()
    gap = synced_with_a_gap(local_airflow, db, account)
    account_path = f"/ads-sync/accounts/{account.platform}/{account.account_id}"
    fs = f"ads_sync__{account.platform}__{account.account_id}__force_sync"

    # anonymous: refused, page and action alike
    with httpx.Client(base_url=url, timeout=30) as anon:
        assert anon.get("/ads-sync/").status_code == 401
        assert anon.get(account_path).status_code == 401
        assert anon.post(f"{account_path}/repair").status_code == 401

    # the viewer may read, not trigger: no button, the action refused, and Airflow would refuse too
    viewer_token = httpx.post(f"{url}/auth/token", json={
        "username": "viewer", "password": local_airflow.passwords["viewer"]}).json()["access_token"]
    as_viewer = {"Authorization": f"Bearer {viewer_token}"}
    runs_before = len(api.runs(fs))
    with httpx.Client(base_url=url, timeout=30, headers=as_viewer) as viewer:
        seen = viewer.get(account_path)
        assert seen.status_code == 200 and "Repair gaps</button>" not in seen.text
        assert viewer.post(f"{account_path}/repair").status_code == 403
        assert viewer.post(f"{account_path}/resync", data={"weeks": 2}).status_code == 403
        assert viewer.post(f"/api/v2/dags/{fs}/dagRuns", json={"logical_date": None}).status_code == 403
    assert len(api.runs(fs)) == runs_before

    # admin in the browser: the nav item, every registry account
    sign_in(page, url, api.username, api.password)
    page.get_by_role("link", name="Ads Sync").first.click()
    page.wait_for_url("**/plugin/ads-sync**")
    view = page.frame_locator("iframe[title='Ads Sync']")
    for a in registry().accounts:
        expect(view.locator(f"tr[data-account='{a.platform}/{a.account_id}']")).to_be_visible()
    gap_row = view.locator(f"tr[data-account='{account.platform}/{account.account_id}']")
    expect(gap_row.locator(".badge.gap")).to_have_text("1")
    page.screenshot(path=str(DOCS / "ads-sync-accounts.png"))

    # the account: the gap in the calendar, then the repair
    gap_row.get_by_role("link", name=account.name).click()
    cell = view.locator(f"tr[data-report='campaign_daily'] td[data-date='{gap}']")
    expect(cell).to_have_attribute("data-state", "gap")
    expect(view.locator(f"tr[data-report='campaign_daily'] td[data-date='{gap + timedelta(days=1)}']")) \
        .not_to_have_attribute("data-state", "gap")
    page.screenshot(path=str(DOCS / "ads-sync-account.png"))
    page.emulate_media(color_scheme="dark")  # Airflow follows the system's scheme, and so does the view
    expect(view.locator("html")).to_have_css("color-scheme", "dark")
    page.screenshot(path=str(DOCS / "ads-sync-account-dark.png"))
    page.emulate_media(color_scheme="light")
    view.get_by_role("button", name="Repair gaps").click()
    run_link = view.locator("a.run")
    expect(run_link).to_have_count(1)
    run_id = run_link.inner_text().strip()
    assert view.get_by_text(f"start_date={gap}").count() == 1 and view.get_by_text(f"end_date={gap}").count() == 1
    run = api.wait_for_run(fs, run_id)
    assert run["state"] == "success", api.task_instances(fs, run_id)
    assert run["conf"] == {"start_date": gap.isoformat(), "end_date": gap.isoformat()}
    view.get_by_role("link", name="Back to the account").click()
    expect(cell).not_to_have_attribute("data-state", "gap")
    repaired = cell.get_attribute("data-state")
    assert repaired in {"loaded", "settling"}
    rows = db.execute(
        "SELECT count(*) FROM ads.campaign_daily WHERE account_id = %s AND date = %s", (account.account_id, gap)
    ).fetchone()[0]
    assert rows > 0
    # the DAG page's Coverage tab shows the same account
    page.goto(f"{url}/dags/{fs}/plugin/ads-sync-coverage")
    tab = page.frame_locator("iframe[title='Coverage']")
    expect(tab.locator(f"tr[data-report='campaign_daily'] td[data-date='{gap}']")).to_have_attribute(
        "data-state", repaired)
    # links to Airflow's own pages open in Airflow's window, not inside the frame
    weekly = f"ads_sync__{account.platform}__{account.account_id}__weekly"
    tab.get_by_role("link", name="weekly").first.click()
    page.wait_for_url(f"**/dags/{weekly}")
