"""REST API: a token from POST /auth/token, runs of each DAG kind triggered with conf through
POST /api/v2/dags/{dag_id}/dagRuns and polled to completion, and a catalogue of bad payloads that each
end in a 400 or a failed first task with one clear message, before any API request or write."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Deployment, google_accounts, local_today

pytestmark = pytest.mark.timeout(480)


def force_sync(account: Any) -> str:
    return f"ads_sync__google_ads__{account.account_id}__force_sync"


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def rows_for(db: Any, account_id: str) -> int:
    return db.execute(
        "SELECT (SELECT count(*) FROM ads.campaign_daily WHERE account_id = %(a)s)"
        " + (SELECT count(*) FROM ads.ad_group_daily WHERE account_id = %(a)s)"
        " + (SELECT count(*) FROM ads_sync.sync_runs WHERE account_id = %(a)s)"
        " + (SELECT count(*) FROM ads_sync.coverage WHERE account_id = %(a)s)",
        {"a": account_id},
    ).fetchone()[0]


def test_token_is_required_and_issued(local_airflow: Deployment) -> None:
    api = local_airflow.api
    anonymous = api.http.post(f"/api/v2/dags/{force_sync(google_accounts()[0])}/dagRuns",
                              json={"logical_date": None, "conf": {"weeks": 1}})
    assert anonymous.status_code == 401
    wrong = api.http.post("/auth/token", json={"username": api.username, "password": "not-the-password"})
    assert wrong.status_code == 401
    assert api.token()


def test_each_dag_kind_runs_from_the_api_and_lands_its_window(
    local_airflow: Deployment, quiet_account: Any, db: Any
) -> None:
    api, account = local_airflow.api, quiet_account
    ids = {kind: f"ads_sync__google_ads__{account.account_id}__{kind}" for kind in ("daily", "weekly", "force_sync")}
    local_airflow.unpause_settled(ids["daily"], ids["weekly"])  # runs of a paused DAG stay queued
    api.set_paused(ids["force_sync"], False)
    local_airflow.sandbox.reset()
    db.execute("TRUNCATE ads_sync.sync_runs")

    confs = {"daily": {}, "weekly": {"dry_run": False}, "force_sync": {"weeks": 2}}
    runs = {}
    for kind, conf in confs.items():
        resp = api.trigger(ids[kind], conf)
        assert resp.status_code == 200, resp.text
        assert resp.json()["conf"] == conf
        runs[kind] = resp.json()["dag_run_id"]
    for kind, run_id in runs.items():
        final = api.wait_for_run(ids[kind], run_id)
        assert final["state"] == "success", (kind, final, api.task_instances(ids[kind], run_id))

    today = local_today(account.timezone)
    expected = {
        "daily": (today - timedelta(days=7), today - timedelta(days=1)),
        "weekly": (monday(today) - timedelta(weeks=10), monday(today) - timedelta(days=1)),
        "force_sync": (monday(today) - timedelta(weeks=2), monday(today) - timedelta(days=1)),
    }
    logged = {
        r[0]: r[1:] for r in db.execute(
            "SELECT kind, status, window_start, window_end, rows_inserted + rows_updated + rows_unchanged,"
            " api_requests FROM ads_sync.sync_runs WHERE account_id = %s", (account.account_id,)
        ).fetchall()
    }
    assert set(logged) == set(expected)
    loaded = {r[0] for r in db.execute(
        "SELECT DISTINCT date FROM ads.campaign_daily WHERE account_id = %s", (account.account_id,)
    ).fetchall()}
    for kind, (start, end) in expected.items():
        status, w_start, w_end, rows, _ = logged[kind]
        assert (status, w_start, w_end) == ("success", start, end), kind
        assert rows > 0, kind
        window = {start + timedelta(days=i) for i in range((end - start).days + 1)}
        assert window <= loaded, f"{kind}: days of its window missing from ads.campaign_daily"
    # every API request the sandbox saw is one the sync log accounts for
    seen = local_airflow.sandbox.requests.count(service="google_ads", customer_id=account.account_id)
    assert seen == sum(v[4] for v in logged.values()) > 0


#: name -> (conf, what the user is told). weeks=null is not here: it means "not chosen" (the trigger form
#: sends null for every empty field), so it is the 10-week default; see the test after this one.
BAD_PAYLOADS: dict[str, tuple[Any, str]] = {
    "weeks 0": ({"weeks": 0}, "weeks"),
    "weeks 53": ({"weeks": 53}, "weeks"),
    "weeks ten": ({"weeks": "ten"}, "weeks"),
    "include_current_week null": ({"weeks": 2, "include_current_week": None}, "include_current_week"),
    "end before start": ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "is before start_date"),
    "future end": ({"start_date": "{past}", "end_date": "{future}"}, "is in the future"),
    "unknown key": ({"weeks": 2, "colour": "blue"}, "unknown conf key 'colour'"),
    "two ways at once": ({"weeks": 2, "preset": "last_month"}, "choose one way of picking the window"),
    "malformed date": ({"start_date": "2026-02-30", "end_date": "2026-03-01"}, "start_date"),
}


def test_bad_payloads_are_refused_before_any_api_call_or_write(local_airflow: Deployment, db: Any) -> None:
    api, accounts = local_airflow.api, google_accounts()
    for account in accounts:
        api.set_paused(force_sync(account), False)
    local_airflow.sandbox.reset()
    today = local_today("UTC")
    outcomes: dict[str, str] = {}
    started: dict[str, tuple[str, str]] = {}
    for i, (name, (conf, _)) in enumerate(BAD_PAYLOADS.items()):
        conf = {k: (v.format(past=today - timedelta(days=3), future=today + timedelta(days=10))
                    if isinstance(v, str) else v) for k, v in conf.items()}
        dag_id = force_sync(accounts[i % len(accounts)])
        resp = api.trigger(dag_id, conf)
        if resp.status_code == 400:
            outcomes[name] = resp.text
        else:
            assert resp.status_code == 200, (name, resp.status_code, resp.text)
            started[name] = (dag_id, resp.json()["dag_run_id"])

    for name, (dag_id, run_id) in started.items():
        run = api.wait_for_run(dag_id, run_id)
        tis = api.task_instances(dag_id, run_id)
        assert run["state"] == "failed", (name, run)
        assert tis["resolve_window"]["state"] == "failed", (name, tis["resolve_window"])
        assert tis["extract"]["state"] == "upstream_failed", (name, tis["extract"])
        assert tis["resolve_window"]["try_number"] == 1  # a bad conf is never retried
        log = api.task_log(dag_id, run_id, "resolve_window")
        messages = [line for line in log.splitlines() if "Invalid conf for" in line]
        assert messages, (name, log[-2000:])
        outcomes[name] = messages[0]

    for name, (_, told) in BAD_PAYLOADS.items():
        assert told in outcomes[name], (name, outcomes[name])
    # the API answered 400 for what Params can express, and the first task caught the rest
    assert {n for n in BAD_PAYLOADS if n not in started} >= {"weeks 0", "weeks 53", "weeks ten"}
    assert len(local_airflow.sandbox.requests) == 0, local_airflow.sandbox.requests.entries
    for account in accounts:
        assert rows_for(db, account.account_id) == 0


def test_weeks_null_means_not_chosen(local_airflow: Deployment, db: Any) -> None:
    """What the form sends for an empty Weeks field: the documented default of 10 weeks (dry run, so
    the window is resolved and logged, and nothing is fetched or written)."""
    api, account = local_airflow.api, google_accounts()[0]
    api.set_paused(force_sync(account), False)
    local_airflow.sandbox.reset()
    resp = api.trigger(force_sync(account), {"weeks": None, "dry_run": True})
    assert resp.status_code == 200, resp.text
    run_id = resp.json()["dag_run_id"]
    assert api.wait_for_run(force_sync(account), run_id)["state"] == "success"
    log = api.task_log(force_sync(account), run_id, "resolve_window")
    assert "nothing chosen, so the default of 10 weeks" in log, log[-2000:]
    assert len(local_airflow.sandbox.requests) == 0
    assert rows_for(db, account.account_id) == 0
