"""Meta Marketing API versions: release and expiration dates from the changelog's "Expiration Date"
column (TBD until the next-but-one version ships; checked 2026-12). The spec's `api_versions` names
`ROWS`; `ads_sync.versions` reads every platform's. Add the new version's row when upgrading
facebook-business."""
from __future__ import annotations

from datetime import date

from ads_sync.versions import ApiVersion

CHANGELOG = "https://developers.facebook.com/docs/marketing-api/marketing-api-changelog/versions"


def _row(version: str, released: date, sunset: date | None) -> ApiVersion:
    return ApiVersion("meta", version, released, sunset, False, CHANGELOG)


ROWS: tuple[ApiVersion, ...] = (
    _row("v23.0", date(2025, 5, 29), date(2026, 6, 9)),
    _row("v24.0", date(2025, 10, 8), date(2026, 11, 10)),
    _row("v25.0", date(2026, 2, 18), date(2027, 2, 23)),
    _row("v26.0", date(2026, 7, 29), None),
    _row("v27.0", date(2026, 11, 4), None),
)
