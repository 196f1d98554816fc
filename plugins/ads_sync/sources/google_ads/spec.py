"""Google Ads as a platform: the record the registry, the DAG factory and the connectors read."""
from __future__ import annotations

import re

from ads_sync.sources.spec import PlatformInfo

SPEC = PlatformInfo(
    name="google_ads",
    label="Google Ads",
    default_conn_id="google_ads_default",
    reports=("campaign_daily", "ad_group_daily", "ad_daily", "keyword_daily"),
    retention_months=37,
    account_id_pattern=re.compile(r"^[0-9]{10}$"),
    account_id_hint="10 digits without dashes, e.g. 1234567890",
    pool="google_ads_api",
    opt_in_reports=("ad_daily", "keyword_daily"),
    connector="ads_sync.sources.google_ads.connector:GoogleAdsConnector",
)
