"""Meta Ads as a platform: the record the registry, the DAG factory, the connectors, the provider info,
discovery and dev wiring read."""
from __future__ import annotations

import re
from typing import Any

from ads_sync.sources.spec import SANDBOX_ONLY, Invalid, Option, PlatformInfo, conn_field, show

#: action types: `purchase`, `lead`, `offsite_conversion.custom.123`, `app_custom_event.fb_mobile_purchase`
ACTION_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(?:[.:][a-z0-9_]+)*$")
ACTION_TYPES_MAX = 20


def _action_types(value: Any, _: PlatformInfo) -> tuple[str, ...]:
    """The action types summed into conversions, in the order written, each once."""
    if not isinstance(value, list) or not value:
        raise Invalid(
            f"must be a non-empty list of Meta action types such as [purchase, lead], got {show(value)}; "
            "omit it for the default (purchase, lead)"
        )
    if len(value) > ACTION_TYPES_MAX:
        raise Invalid(f"lists {len(value)} action types; at most {ACTION_TYPES_MAX}")
    seen: list[str] = []
    for item in value:
        if not isinstance(item, str) or len(item) > 100 or not ACTION_TYPE_RE.fullmatch(item):
            raise Invalid(
                f"{show(item)} is not a Meta action type (lower case, digits, `_`, dotted: e.g. purchase, "
                "offsite_conversion.fb_pixel_lead)"
            )
        if item in seen:
            raise Invalid(f"{item!r} is listed twice; list each action type once")
        seen.append(item)
    return tuple(seen)


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
    pool_description="Concurrent Meta Graph API extracts across all DAGs",
    connector="ads_sync.sources.meta.connector:MetaConnector",
    extract_operator="ads_sync.sources.meta.operator:MetaExtractOperator",
    options=(
        Option("action_types", "Meta: the action types counted as conversions (default purchase, lead)",
               _action_types,
               {"type": "array", "minItems": 1, "maxItems": ACTION_TYPES_MAX, "uniqueItems": True,
                "items": {"type": "string", "pattern": ACTION_TYPE_RE.pattern}}),
    ),
    # older connections of type `facebook_social` (the Facebook provider's) still work: the hook reads extras
    conn_type="ads_sync_meta_ads",
    hook="ads_sync.sources.meta.hook.MetaAdsHook",
    hook_name="Meta Ads (ads-sync)",
    conn_fields={
        "app_id": conn_field("App ID", "The Meta app's ID (App Dashboard > Settings > Basic).",
                             examples=["100000000000001"]),
        "app_secret": conn_field("App secret", "The app's secret; signs every request (appsecret_proof).",
                                 secret=True),
        "access_token": conn_field("Access token", "A long-lived user or system-user token with ads_read.",
                                   secret=True),
        "graph_url": conn_field("Graph API URL", SANDBOX_ONLY, examples=["http://127.0.0.1:8765/graph"]),
    },
    sandbox_connection="ads_sync.sources.meta.dev:sandbox_connection",
    api_version="ads_sync.sources.meta.reports:API_VERSION",
    api_label="Meta Marketing API",
    api_versions="ads_sync.sources.meta.versions:ROWS",
    discovery="ads_sync.sources.meta.discovery",
    discovery_root="business",
    discovery_root_help="Meta: a business id (owned and client ad accounts); default: the token's /me/adaccounts",
)
