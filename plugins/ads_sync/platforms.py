"""What differs between ad platforms at the registry level, kept in one table."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Platform = Literal["google_ads", "meta"]


@dataclass(frozen=True)
class PlatformInfo:
    name: Platform
    label: str
    default_conn_id: str
    #: reports a registry entry may ask for, in load order
    reports: tuple[str, ...]
    #: how far back the API serves metrics, in months
    retention_months: int
    account_id_pattern: re.Pattern[str]
    account_id_hint: str
    pool: str
    #: reports loaded only for entries that name them in `reports:` (so adding a report never makes every
    #: account start loading it); the others are the default set
    opt_in_reports: tuple[str, ...] = ()

    @property
    def default_reports(self) -> tuple[str, ...]:
        """What an entry without `reports:` loads."""
        return tuple(r for r in self.reports if r not in self.opt_in_reports)


PLATFORMS: dict[str, PlatformInfo] = {
    "google_ads": PlatformInfo(
        name="google_ads",
        label="Google Ads",
        default_conn_id="google_ads_default",
        reports=("campaign_daily", "ad_group_daily", "ad_daily", "keyword_daily"),
        retention_months=37,
        account_id_pattern=re.compile(r"^[0-9]{10}$"),
        account_id_hint="10 digits without dashes, e.g. 1234567890",
        pool="google_ads_api",
        opt_in_reports=("ad_daily", "keyword_daily"),
    ),
    "meta": PlatformInfo(
        name="meta",
        label="Meta Ads",
        default_conn_id="facebook_default",
        # ad-level insights; campaign_daily and ad_group_daily (ad sets) are rolled up from them
        reports=("ad_daily",),
        retention_months=37,
        account_id_pattern=re.compile(r"^[0-9]{1,20}$"),
        account_id_hint="digits only, without the act_ prefix, e.g. 123456789012345",
        pool="meta_api",
    ),
}
