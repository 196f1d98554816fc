"""Google Ads as a platform: the record the registry, the DAG factory, the connectors, the provider info,
discovery and dev wiring read."""
from __future__ import annotations

import re
from typing import Any

from ads_sync.sources.spec import SANDBOX_ONLY, Option, PlatformInfo, check_account_id, conn_field

ACCOUNT_ID = re.compile(r"^[0-9]{10}$")


def _login_customer_id(value: Any, info: PlatformInfo) -> str:
    """The manager account the access goes through: spelled like an account id."""
    return check_account_id(value, info)


SPEC = PlatformInfo(
    name="google_ads",
    label="Google Ads",
    default_conn_id="google_ads_default",
    reports=("campaign_daily", "ad_group_daily", "ad_daily", "keyword_daily"),
    retention_months=37,
    account_id_pattern=ACCOUNT_ID,
    account_id_hint="10 digits without dashes, e.g. 1234567890",
    pool="google_ads_api",
    pool_description="Concurrent Google Ads extracts across all DAGs",
    opt_in_reports=("ad_daily", "keyword_daily"),
    connector="ads_sync.sources.google_ads.connector:GoogleAdsConnector",
    options=(
        Option("login_customer_id", "Google Ads: the manager account the access goes through", _login_customer_id,
               {"type": ["string", "integer"], "pattern": ACCOUNT_ID.pattern}),
    ),
    aliases=("google",),
    # older connections of type `google_ads` (the Google provider's) still work: the hook reads only extras
    conn_type="ads_sync_google_ads",
    hook="ads_sync.sources.google_ads.hook.GoogleAdsApiHook",
    hook_name="Google Ads (ads-sync)",
    conn_fields={
        "developer_token": conn_field("Developer token", "From the manager account's API Center (Tools > API "
                                      "Center).", secret=True),
        "client_id": conn_field("OAuth client ID", "The Google Cloud OAuth client the refresh token was made "
                                "with.", examples=["1234567890-abc123.apps.googleusercontent.com"]),
        "client_secret": conn_field("OAuth client secret", "The OAuth client's secret.", secret=True),
        "refresh_token": conn_field("OAuth refresh token", "A refresh token of a user with access to the "
                                    "accounts (scope https://www.googleapis.com/auth/adwords).", secret=True),
        "login_customer_id": conn_field("Login customer ID (manager)", "The manager account to act through, 10 "
                                        "digits without dashes; empty for direct access.", examples=["1234567890"]),
        "endpoint": conn_field("API endpoint", SANDBOX_ONLY, examples=["127.0.0.1:50051"]),
        "token_uri": conn_field("OAuth token URI", SANDBOX_ONLY, examples=["http://127.0.0.1:8765/token"]),
        "ssl_roots_file": conn_field("TLS roots file", SANDBOX_ONLY, examples=["/path/to/sandbox-ca.pem"]),
    },
    sandbox_connection="ads_sync.sources.google_ads.dev:sandbox_connection",
    api_version="ads_sync.sources.google_ads.reports:API_VERSION",
    api_label="Google Ads API",
    api_versions="ads_sync.sources.google_ads.versions:ROWS",
    discovery="ads_sync.sources.google_ads.discovery",
    discovery_root="manager",
    discovery_root_help="Google: the manager (MCC) account id to walk",
    discovery_root_required=True,
)
