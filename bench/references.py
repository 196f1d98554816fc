"""What ours is measured against: the COPY limit and what a typical Airflow DAG writes.

(a) `copy_into_final`: the rows already in memory, one plain `COPY ... FROM STDIN` (psycopg's
    `write_row`, text format) straight into the logged final table with its primary key. Nothing can
    load the same rows into that table much faster, so it is the limit for our staging + merge.
(b) `typical_dag`: the google-ads client with its defaults (proto-plus rows), a comprehension that
    maps each row, and `PostgresHook.insert_rows(..., replace=True)`: the shape of most examples.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

FINAL_COLUMNS = (
    "platform", "account_id", "date", "ad_group_id", "campaign_id",
    "impressions", "clicks", "cost", "conversions", "conversion_value",
)


@contextmanager
def without_our_trigger(url: str) -> Iterator[None]:
    """The references write ads.ad_group_daily as a typical DAG writes its own table: without ads-sync's
    statement trigger (migration 006), which would cost them ~5 us per statement (insert_rows sends one
    per row). Re-enabled after, and the day fingerprints the trigger guards are dropped."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE ads.ad_group_daily DISABLE TRIGGER day_hashes_guard")
    try:
        yield
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE ads.ad_group_daily ENABLE TRIGGER day_hashes_guard")
            conn.execute("TRUNCATE ads_sync.day_hashes")


def copy_into_final(url: str, rows: Sequence[tuple[object, ...]], account_id: str) -> float:
    """Seconds to COPY `rows` (staging-order tuples of ad_group_daily) into ads.ad_group_daily."""
    import psycopg

    with without_our_trigger(url), psycopg.connect(url) as conn:
        conn.execute("DELETE FROM ads.ad_group_daily WHERE account_id = %s", (account_id,))
        conn.commit()
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(
            f"COPY ads.ad_group_daily ({', '.join(FINAL_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(("google_ads", account_id, *row))
        conn.commit()
        elapsed = time.perf_counter() - t0
        conn.execute("DELETE FROM ads.ad_group_daily WHERE account_id = %s", (account_id,))
        conn.commit()
    return elapsed


def _proto_plus_rows(customer_id: str, gaql: str) -> Iterator[tuple[object, ...]]:
    """What a typical DAG's extract does: the client's default proto-plus rows, mapped in Python."""
    import json
    import os

    from google.ads.googleads.client import GoogleAdsClient
    from google.oauth2.credentials import Credentials

    extra = json.loads(os.environ["AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"])["extra"]
    client = GoogleAdsClient(
        credentials=Credentials(
            token=None, refresh_token=extra["refresh_token"], client_id=extra["client_id"],
            client_secret=extra["client_secret"], token_uri=extra["token_uri"],
        ),
        developer_token=extra["developer_token"], endpoint=extra["endpoint"], version="v26",
        use_proto_plus=True,
    )
    service = client.get_service("GoogleAdsService", version="v26")
    for batch in service.search_stream(customer_id=customer_id, query=gaql):
        for row in batch.results:
            yield (
                "google_ads", customer_id, row.segments.date, str(row.ad_group.id), str(row.campaign.id),
                row.metrics.impressions, row.metrics.clicks, row.metrics.cost_micros / 1_000_000,
                row.metrics.conversions, row.metrics.conversions_value,
            )


def typical_dag(customer_id: str, gaql: str) -> tuple[int, float]:
    """(rows, seconds) for proto-plus rows from the sandbox into PostgresHook.insert_rows(replace=True)."""
    import os

    from airflow.providers.postgres.hooks.postgres import PostgresHook

    hook = PostgresHook(postgres_conn_id="ads_warehouse")
    counted = 0

    def counting() -> Iterator[tuple[object, ...]]:
        nonlocal counted
        for row in _proto_plus_rows(customer_id, gaql):
            counted += 1
            yield row

    with without_our_trigger(os.environ["AIRFLOW_CONN_ADS_WAREHOUSE"]):
        t0 = time.perf_counter()
        hook.insert_rows(
            "ads.ad_group_daily", counting(), target_fields=list(FINAL_COLUMNS), commit_every=10_000,
            replace=True, replace_index=["platform", "account_id", "date", "ad_group_id"],
        )
        return counted, time.perf_counter() - t0


def typical_dag_rows(customer_id: str, gaql: str) -> int:
    """The typical DAG's read alone (no write): how many rows its query streams."""
    return sum(1 for _ in _proto_plus_rows(customer_id, gaql))


def proto_plus_decode_rate(messages: Sequence[bytes]) -> tuple[int, float]:
    """Rows and seconds to decode stream messages into proto-plus rows and read the mapped fields."""
    from google.ads.googleads.v26.services.types.google_ads_service import SearchGoogleAdsStreamResponse

    n = 0
    t0 = time.perf_counter()
    for raw in messages:
        for row in SearchGoogleAdsStreamResponse.deserialize(raw).results:
            _ = (row.segments.date, row.ad_group.id, row.campaign.id, row.metrics.impressions,
                 row.metrics.clicks, row.metrics.cost_micros, row.metrics.conversions, row.metrics.conversions_value)
            n += 1
    return n, time.perf_counter() - t0


def raw_decode_rate(messages: Sequence[bytes]) -> tuple[int, float]:
    """The same with raw protobuf messages (`use_proto_plus=False`)."""
    from google.ads.googleads.v26.services.types.google_ads_service import SearchGoogleAdsStreamResponse

    parse = SearchGoogleAdsStreamResponse.pb().FromString
    n = 0
    t0 = time.perf_counter()
    for raw in messages:
        for row in parse(raw).results:
            _ = (row.segments.date, row.ad_group.id, row.campaign.id, row.metrics.impressions,
                 row.metrics.clicks, row.metrics.cost_micros, row.metrics.conversions, row.metrics.conversions_value)
            n += 1
    return n, time.perf_counter() - t0


def product_decode_rate(messages: Sequence[bytes], query: Any, window: Any) -> tuple[int, float]:
    """Raw protobuf plus the product's own row mapping (sources/google_ads.map_rows)."""
    from google.ads.googleads.v26.services.types.google_ads_service import SearchGoogleAdsStreamResponse

    from ads_sync.sources.google_ads import reports as google_ads

    parse = SearchGoogleAdsStreamResponse.pb().FromString
    n = 0
    t0 = time.perf_counter()
    for raw in messages:
        for _ in google_ads.map_rows(query, window, parse(raw).results):
            n += 1
    return n, time.perf_counter() - t0
