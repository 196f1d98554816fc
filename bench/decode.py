"""Benchmark 4: decoding. Google Ads stream messages captured from the sandbox once, then decoded as
proto-plus rows, as raw protobuf, and as raw protobuf through the product's row mapping; Meta insights
pages (JSON as the Graph API serves them, from the sandbox's generator) through the product's parser.
"""
from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from bench import common, references

ACCOUNT = "4444444444"


def capture_google(days: int) -> tuple[list[bytes], Any, Any]:
    """Serialized SearchGoogleAdsStreamResponse messages of one ad_group_daily query (~days x 2,750 rows)."""
    from ads_sync.hooks.google_ads import GoogleAdsApiHook
    from ads_sync.sources import google_ads

    window = common.year_window(days)
    query = google_ads.REPORT_QUERIES["ad_group_daily"]
    client = GoogleAdsApiHook().get_client()
    service = client.get_service("GoogleAdsService", version=google_ads.API_VERSION)
    messages = [b.SerializeToString() for b in service.search_stream(customer_id=ACCOUNT, query=query.gaql(window))]
    return messages, query, window


def best_rate(fn: Any, *args: Any, repeat: int = 3) -> float:
    rates = []
    for _ in range(repeat):
        n, seconds = fn(*args)
        rates.append(n / seconds)
    return max(rates)


def meta_pages(days: int = 30) -> tuple[list[bytes], Any]:
    """Insights pages of PAGE_LIMIT rows, JSON-encoded like the Graph API's answers."""
    from ads_sync.sources import meta
    from sandbox import meta_data

    end = common.TODAY - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    volume = meta_data.Volume(campaigns=10, ad_groups_per_campaign=10)
    rows = [row for _, row in meta_data.insights(ACCOUNT, start, end, common.TODAY, volume=volume)]
    pages = [
        json.dumps({"data": rows[i:i + meta.PAGE_LIMIT], "paging": {"cursors": {"after": str(i)}}}).encode()
        for i in range(0, len(rows), meta.PAGE_LIMIT)
    ]
    return pages, (start, end)


def meta_rate(pages: list[bytes], window: Any) -> tuple[int, float]:
    from ads_sync.sources import meta

    n = 0
    t0 = time.perf_counter()
    for page in pages:
        for _ in meta.insight_rows(json.loads(page)["data"], window, meta.DEFAULT_ACTION_TYPES):
            n += 1
    return n, time.perf_counter() - t0


def run() -> dict[str, Any]:
    messages, query, window = capture_google(37)
    out: dict[str, Any] = {
        "google_rows": references.raw_decode_rate(messages)[0],
        "proto_plus": best_rate(references.proto_plus_decode_rate, messages),
        "raw": best_rate(references.raw_decode_rate, messages),
        "product": best_rate(references.product_decode_rate, messages, query, window),
    }
    try:
        pages, meta_window = meta_pages()
        out["meta_rows"] = sum(len(json.loads(p)["data"]) for p in pages)
        out["meta"] = best_rate(meta_rate, pages, meta_window)
    except ImportError as exc:  # sources/meta.py not there yet: the table keeps the slot open
        out["meta"] = None
        out["meta_missing"] = str(exc)
    print(f"  decode: {out}", flush=True)
    return out
