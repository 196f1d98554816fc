"""The UI trigger form in headless Chromium (Debian's `chromium`, driven by Playwright; no browser is
downloaded): log in, open a force_sync DAG's form, set Weeks to 3, trigger, watch the run succeed, and
find exactly those three weeks in the warehouse."""
from __future__ import annotations

import shutil
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from tests.e2e.conftest import Deployment, google_accounts, local_today

pytestmark = pytest.mark.timeout(300)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture
def page() -> Any:
    if not shutil.which("chromium"):
        pytest.fail("Debian's Chromium is not installed; run: sudo apt-get install -y chromium chromium-driver "
                    "(`make test` does it itself when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 1000})
        finally:
            browser.close()


def test_trigger_form_with_three_weeks_loads_exactly_those_weeks(
    local_airflow: Deployment, page: Any, db: Any
) -> None:
    from playwright.sync_api import expect

    # Pacific/Auckland: its "current week" is not UTC's for half of every Monday
    account = next(a for a in google_accounts() if a.timezone == "Pacific/Auckland")
    dag_id = f"ads_sync__google_ads__{account.account_id}__force_sync"
    api, url = local_airflow.api, local_airflow.url
    local_airflow.sandbox.reset()

    page.goto(f"{url}/")
    page.get_by_label("Username").fill(api.username)
    page.get_by_label("Password").fill(api.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")

    page.goto(f"{url}/dags/{dag_id}")
    page.get_by_role("button", name="Trigger").first.click()
    form = page.get_by_role("dialog")
    # each Param shows with its title and description
    expect(form.get_by_text("Weeks", exact=True)).to_be_visible()
    expect(form.get_by_text("Reload the N complete weeks")).to_be_visible()
    expect(form.get_by_text("Preset range")).to_be_visible()
    # switches with a default are not starred as required (Chakra's indicator is a "*" in the label)
    for title in ("Dry run", "Include the current week"):
        label = form.locator("label", has_text=title).first
        expect(label).to_be_visible()
        assert "*" not in label.inner_text(), label.inner_text()
    # presets by name, and the empty choice reads "none", never "null"
    form.locator("#element_preset").click()
    expect(page.get_by_role("option", name="Last 7 days")).to_be_visible()
    expect(page.get_by_role("option", name="none (use weeks or dates, or the 10-week default)")).to_be_visible()
    expect(page.get_by_role("option", name="null", exact=True)).to_have_count(0)
    form.get_by_text("Weeks", exact=True).click()  # closes the menu (Escape would close the dialog too)
    expect(page.get_by_role("option", name="Last 7 days")).to_have_count(0)
    form.get_by_label("Weeks").fill("3")
    form.get_by_role("button", name="Trigger").click()

    page.wait_for_url(f"**/dags/{dag_id}/runs/**")
    run_id = unquote(page.url.rsplit("/runs/", 1)[1].split("?")[0])
    run = api.wait_for_run(dag_id, run_id)
    assert run["state"] == "success", api.task_instances(dag_id, run_id)
    assert run["conf"]["weeks"] == 3 and run["run_type"] == "manual"
    page.reload()
    expect(page.get_by_text("Success").first).to_be_visible(timeout=30_000)

    today = local_today(account.timezone)
    monday = today - timedelta(days=today.weekday())
    weeks = {monday - timedelta(days=d) for d in range(1, 22)}
    for table in ("campaign_daily", "ad_group_daily"):
        dates = {r[0] for r in db.execute(
            f"SELECT DISTINCT date FROM ads.{table} WHERE account_id = %s", (account.account_id,)
        ).fetchall()}
        assert dates == weeks, table
    others = db.execute(
        "SELECT count(*) FROM ads.campaign_daily WHERE account_id <> %s", (account.account_id,)
    ).fetchone()[0]
    assert others == 0
