"""Issue 15: the Meta whole path beside a typical Meta DAG, measured in one run.

Ours: the product's sync path (`bench.sync.sync`: MetaConnector -> MetaAdsHook's msgspec pages -> staging
COPY -> rollups -> merge -> final), entities and deleted ads included, as the DAG's extract and merge
tasks run it. The typical DAG: facebook-business `AdAccount.get_insights` (its Cursor pages the same
request, one `AdsInsights` object per row), each object flattened into a dict with a column per action
type, then `PostgresHook.insert_rows(replace=True)` into a plain table of its own. Both read the same
14 days of a 6,000-ad account (the synchronous endpoint, 500 rows a page; the typical DAG is given our
params, limit included, so it makes no more requests than ours), once from the sandbox (information:
the sandbox's JSON generator is the floor) and then from bench/replay_graph.py, which serves the
sandbox's recorded answers at wire speed.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import common
from bench.sync import SyncResult, sync

ACCOUNT = "209715200777777"
DAYS = 14
ROUNDS = 2
TYPICAL_TABLE = "bench.meta_insights_typical"
#: what the typical DAG keeps: the report's fields, then one column per wanted action type
TYPICAL_FIELDS = ("date_start", "date_stop", "campaign_id", "adset_id", "ad_id", "impressions", "clicks", "spend",
                  "reach", "frequency")
TYPICAL_ACTIONS = ("actions_purchase", "actions_lead", "action_values_purchase", "action_values_lead")
TYPICAL_DDL = f"""
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS {TYPICAL_TABLE};
CREATE TABLE {TYPICAL_TABLE} (
    date_start date NOT NULL, date_stop date, campaign_id text, adset_id text, ad_id text NOT NULL,
    impressions bigint, clicks bigint, spend numeric, reach bigint, frequency numeric,
    actions_purchase numeric, actions_lead numeric, action_values_purchase numeric, action_values_lead numeric,
    PRIMARY KEY (date_start, ad_id)
)"""


def _truncate(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE ads.ad_daily, ads.ad_group_daily, ads.campaign_daily, ads.ads, ads.ad_groups,"
                     " ads.campaigns, ads_sync.coverage, ads_sync.day_hashes")
        conn.execute(f"TRUNCATE {TYPICAL_TABLE}")
        conn.execute("CHECKPOINT")


def _ad_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT count(*) FROM ads.ad_daily WHERE platform = 'meta' AND account_id = %s",
                                (ACCOUNT,)).fetchone()[0])


def typical_rows(window: Any) -> Iterator[tuple[object, ...]]:
    """A typical Meta DAG's extract: the SDK's objects, flattened per row."""
    from facebook_business.adobjects.adaccount import AdAccount
    from facebook_business.api import FacebookAdsApi
    from facebook_business.session import FacebookSession

    from ads_sync.sources.meta import reports as meta

    extra = json.loads(os.environ["AIRFLOW_CONN_FACEBOOK_DEFAULT"])["extra"]
    session = FacebookSession(extra["app_id"], extra["app_secret"], extra["access_token"])
    session.GRAPH = extra["graph_url"]
    api = FacebookAdsApi(session, api_version=meta.API_VERSION)
    params = meta.insights_params(window)
    fields = params.pop("fields").split(",")
    for obj in AdAccount(f"act_{ACCOUNT}", api=api).get_insights(fields=fields, params=params):
        data = obj.export_all_data()
        flat = {k: data.get(k) for k in TYPICAL_FIELDS}
        for column in ("actions", "action_values"):
            for action in data.get(column) or []:
                flat[f"{column}_{action['action_type']}"] = action.get("value")
        yield tuple(flat.get(k) for k in TYPICAL_FIELDS + TYPICAL_ACTIONS)


def typical_dag(window: Any) -> tuple[int, float]:
    """(rows, seconds): the SDK's rows into PostgresHook.insert_rows(replace=True), as Google's typical DAG."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    hook = PostgresHook(postgres_conn_id="ads_warehouse")
    counted = 0

    def counting() -> Iterator[tuple[object, ...]]:
        nonlocal counted
        for row in typical_rows(window):
            counted += 1
            yield row

    t0 = time.perf_counter()
    hook.insert_rows(TYPICAL_TABLE, counting(), target_fields=list(TYPICAL_FIELDS + TYPICAL_ACTIONS),
                     commit_every=10_000, replace=True, replace_index=["date_start", "ad_id"])
    return counted, time.perf_counter() - t0


@contextmanager
def replayed(state_dir: Path) -> Iterator[None]:
    """The Meta connection pointed at bench/replay_graph.py (recorded sandbox answers, replayed)."""
    from bench import replay_graph

    saved = os.environ["AIRFLOW_CONN_FACEBOOK_DEFAULT"]
    conn = json.loads(saved)
    proc, url = replay_graph.start(conn["extra"]["graph_url"], state_dir)
    try:
        os.environ["AIRFLOW_CONN_FACEBOOK_DEFAULT"] = json.dumps({**conn, "extra": {**conn["extra"], "graph_url": url}})
        yield
    finally:
        os.environ["AIRFLOW_CONN_FACEBOOK_DEFAULT"] = saved
        proc.terminate()
        proc.wait(30)


def _pair(url: str, account: Any, window: Any, label: str) -> dict[str, Any]:
    """Ours, then the typical DAG, each into empty tables."""
    _truncate(url)
    ours: SyncResult = sync(url, account, window, f"bench/meta-{label}")
    ad_rows = _ad_rows(url)
    _truncate(url)
    rows, seconds = typical_dag(window)
    return {"ours": ours, "ours_ad_rows": ad_rows, "typical_rows": rows, "typical_s": seconds}


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ours = min(runs, key=lambda r: r["ours"].total_s)
    typical = min(runs, key=lambda r: r["typical_s"])
    return {"ours": ours["ours"], "ours_ad_rows": ours["ours_ad_rows"], "typical_rows": typical["typical_rows"],
            "typical_s": typical["typical_s"]}


def run(url: str, state_dir: Path) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(TYPICAL_DDL)
    account = common.meta_account(ACCOUNT)
    end = common.TODAY - timedelta(days=1)
    window = common.year_window(DAYS)
    assert window.end == end and window.days == DAYS
    out: dict[str, Any] = {"sandbox": _pair(url, account, window, "sandbox")}
    with replayed(state_dir):
        _pair(url, account, window, "record")  # untimed: records both requests' pages
        out["replay"] = _best([_pair(url, account, window, f"replay-{i}") for i in range(ROUNDS)])
    _truncate(url)
    for name in ("sandbox", "replay"):
        r = out[name]
        print(f"  meta path ({name}): ours {r['ours_ad_rows']} ad rows in {r['ours'].total_s:.1f} s (extract "
              f"{r['ours'].extract_s:.1f}, merge {r['ours'].merge_s:.1f}, {r['ours'].requests} requests); typical "
              f"{r['typical_rows']} rows in {r['typical_s']:.1f} s", flush=True)
    return out
