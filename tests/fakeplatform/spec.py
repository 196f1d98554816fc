"""Fake Ads as a platform: the only thing the rest of the code reads about it."""
from __future__ import annotations

import re
from typing import Any

from ads_sync.sources.spec import Invalid, Option, PlatformInfo, show

REGIONS = ("eu", "us")


def _region(value: Any, _: PlatformInfo) -> str:
    """The region the fake API serves the account from (it names the campaigns)."""
    if value not in REGIONS:
        raise Invalid(f"{show(value)} is not a Fake Ads region; use one of: {', '.join(REGIONS)}")
    return str(value)


SPEC = PlatformInfo(
    name="fake_ads",
    label="Fake Ads",
    default_conn_id="fake_ads_default",
    reports=("campaign_daily",),
    retention_months=13,
    # its own id rule: F and six digits
    account_id_pattern=re.compile(r"^F[0-9]{6}$"),
    account_id_hint="F and six digits, e.g. F000042",
    pool="fake_ads_api",
    pool_slots=2,
    connector="tests.fakeplatform.connector:FakeConnector",
    options=(Option("region", "Fake Ads: the region the account is served from", _region,
                    {"type": "string", "enum": list(REGIONS)}),),
    aliases=("fake",),
)
