"""Google Ads API versions: release and published sunset dates, with the page each was read from (checked
2026-12). The spec's `api_versions` names `ROWS`; `ads_sync.versions` reads every platform's. Re-check the
pages when upgrading google-ads, and add the new version's row."""
from __future__ import annotations

from datetime import date

from ads_sync.versions import ApiVersion

SUNSETS = "https://developers.google.com/google-ads/api/docs/sunset-dates"
BLOG = "https://developers.google.com/ads/blog/posts"


def _row(
    version: str, released: date | None, sunset: date | None, source: str, *, approximate: bool = False
) -> ApiVersion:
    return ApiVersion("google_ads", version, released, sunset, approximate, source)


#: a major about every quarter (monthly releases since v23), each lives about a year
ROWS: tuple[ApiVersion, ...] = (
    _row("v19", date(2025, 2, 26), date(2026, 2, 11), f"{BLOG}/2025/12/google-ads-api-v19-sunset-reminder"),
    _row("v20", date(2025, 6, 4), date(2026, 6, 10), f"{BLOG}/2026/04/google-ads-api-v20-sunset-reminder"),
    _row("v21", date(2025, 8, 6), date(2026, 8, 5), f"{BLOG}/2026/06/google-ads-api-v21-sunset-reminder"),
    _row("v22", date(2025, 10, 15), date(2026, 10, 7), f"{BLOG}/2026/09/google-ads-api-v22-sunset-reminder"),
    # "February 2027" on the sunset page, no day yet: the blog's reminder will name it
    _row("v23", date(2026, 1, 28), date(2027, 2, 1), SUNSETS, approximate=True),
    _row("v24", None, None, SUNSETS),
    _row("v25", date(2026, 7, 22), None, SUNSETS),
    _row("v26", date(2026, 10, 14), None, f"{BLOG}/2026/10/announcing-v26-of-google-ads-api"),
)
