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
    from ads_sync.sources.google_ads import reports as google_ads
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

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
    from ads_sync.sources.meta import reports as meta
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
    """The generic path (json.loads + meta.insight_rows), before issue 15; for information."""
    from ads_sync.sources.meta import reports as meta

    n = 0
    t0 = time.perf_counter()
    for page in pages:
        for _ in meta.insight_rows(json.loads(page)["data"], window, meta.DEFAULT_ACTION_TYPES):
            n += 1
    return n, time.perf_counter() - t0


def meta_product_rate(pages: list[bytes], window: Any) -> tuple[int, float]:
    """What the Meta hook and connector do with each insights page: msgspec into typed structs, then the
    AD_DAILY tuples (exact decimals, the wanted actions summed over the attribution windows)."""
    from ads_sync.sources.meta import decode as meta_decode
    from ads_sync.sources.meta import reports as meta

    n = 0
    t0 = time.perf_counter()
    for page in pages:
        for _ in meta_decode.insight_rows(meta_decode.decode_page(page).data, window, meta.DEFAULT_ACTION_TYPES):
            n += 1
    return n, time.perf_counter() - t0


def meta_bare_msgspec_rate(pages: list[bytes]) -> tuple[int, float]:
    """The floor for any Python parse: `msgspec.json.decode` of the same pages into plain dicts and lists."""
    import msgspec

    decode = msgspec.json.decode
    n = 0
    t0 = time.perf_counter()
    for page in pages:
        n += len(decode(page)["data"])
    return n, time.perf_counter() - t0


#: what a typical Meta DAG keeps of each AdsInsights row (the Facebook provider's report fields)
TYPICAL_FIELDS = ("date_start", "date_stop", "campaign_id", "adset_id", "ad_id", "impressions", "clicks", "spend",
                  "reach", "frequency")


def meta_typical_rate(pages: list[bytes]) -> tuple[int, float]:
    """A typical Meta DAG's parsing: the facebook-business Cursor's way (json.loads, then an `AdsInsights`
    object per row through its ObjectParser), each object flattened into a dict with one column per action
    type (`export_all_data()`, then `actions_<type>` / `action_values_<type>`)."""
    from facebook_business.adobjects.adsinsights import AdsInsights
    from facebook_business.adobjects.objectparser import ObjectParser

    parser = ObjectParser(target_class=AdsInsights)
    n = 0
    t0 = time.perf_counter()
    for page in pages:
        for obj in parser.parse_multiple(json.loads(page)):
            data = obj.export_all_data()
            flat = {k: data.get(k) for k in TYPICAL_FIELDS}
            for column in ("actions", "action_values"):
                for action in data.get(column) or []:
                    flat[f"{column}_{action['action_type']}"] = action.get("value")
            n += 1
    return n, time.perf_counter() - t0


def meta_rates(days: int = 30, rounds: int = 5) -> dict[str, Any]:
    """The four Meta parses on the same pages, interleaved round by round (a busy neighbour slows all four
    alike), the best of `rounds` each."""
    pages, window = meta_pages(days)
    runs: dict[str, Any] = {
        "meta_typical": lambda: meta_typical_rate(pages),
        "meta_bare": lambda: meta_bare_msgspec_rate(pages),
        "meta_product": lambda: meta_product_rate(pages, window),
        "meta": lambda: meta_rate(pages, window),
    }
    best: dict[str, float] = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, fn in runs.items():
            n, seconds = fn()
            best[name] = max(best[name], n / seconds)
    return {"meta_rows": sum(len(json.loads(p)["data"]) for p in pages), **best}


def run() -> dict[str, Any]:
    messages, query, window = capture_google(37)
    out: dict[str, Any] = {
        "google_rows": references.raw_decode_rate(messages)[0],
        "proto_plus": best_rate(references.proto_plus_decode_rate, messages),
        "raw": best_rate(references.raw_decode_rate, messages),
        "product": best_rate(references.product_decode_rate, messages, query, window),
    }
    out.update(meta_rates())
    print(f"  decode: {out}", flush=True)
    return out
