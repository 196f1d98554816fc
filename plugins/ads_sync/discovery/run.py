"""One discovery, from a platform name to a diff: what the CLI and the DAG both call."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ads_sync.discovery.diff import Diff, compare

if TYPE_CHECKING:
    from ads_sync.registry import Registry

PLATFORM_NAMES = {"google": "google_ads", "google_ads": "google_ads", "meta": "meta"}


def discover(
    platform: str, *, registry: Registry, root: str | None, conn_id: str | None = None,
    include_test: bool = False, include_inactive: bool = False,
) -> Diff:
    """Walk the platform from `root` (Google: the manager id, required; Meta: a business id, or None
    for the token's own accounts) and compare with the registry."""
    from ads_sync.platforms import PLATFORMS

    name = PLATFORM_NAMES[platform]
    conn = conn_id or PLATFORMS[name].default_conn_id
    if name == "google_ads":
        from ads_sync.sources.google_ads import discovery as google_ads
        from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

        if not root:
            raise ValueError("Google Ads discovery needs the manager account id (--manager 1234567890)")
        manager = root.replace("-", "")
        found = google_ads.discover(GoogleAdsApiHook(conn, login_customer_id=manager), manager)
    else:
        from ads_sync.sources.meta import discovery as meta
        from ads_sync.sources.meta.hook import MetaAdsHook

        found = meta.discover(MetaAdsHook(conn), root)
    return compare(found, registry, conn_id=conn, include_test=include_test, include_inactive=include_inactive)
