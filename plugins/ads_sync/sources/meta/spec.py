"""Meta Ads as a platform: the record the registry, the DAG factory and the connectors read."""
from __future__ import annotations

import re

from ads_sync.sources.spec import PlatformInfo

SPEC = PlatformInfo(
    name="meta",
    label="Meta Ads",
    default_conn_id="facebook_default",
    # ad-level insights; campaign_daily and ad_group_daily (ad sets) are rolled up from them
    reports=("ad_daily",),
    retention_months=37,
    account_id_pattern=re.compile(r"^[0-9]{1,20}$"),
    account_id_hint="digits only, without the act_ prefix, e.g. 123456789012345",
    pool="meta_api",
    connector="ads_sync.sources.meta.connector:MetaConnector",
    extract_operator="ads_sync.sources.meta.operator:MetaExtractOperator",
)
