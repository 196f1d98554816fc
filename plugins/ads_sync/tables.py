"""The unified tables every platform loads into: their keys and the columns a merge compares."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    #: natural key within (platform, account_id)
    keys: tuple[str, ...]
    #: the other columns, compared with IS DISTINCT FROM on merge
    values: tuple[str, ...]
    #: facts are replaced by date window; entities are upserted and never deleted
    windowed: bool

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns after (platform, account_id), in staging and COPY order."""
        return self.keys + self.values


METRICS = ("impressions", "clicks", "cost", "conversions", "conversion_value")

CAMPAIGNS = Table("campaigns", ("id",), ("name", "status", "channel"), windowed=False)
AD_GROUPS = Table("ad_groups", ("id",), ("campaign_id", "name", "status"), windowed=False)
CAMPAIGN_DAILY = Table("campaign_daily", ("date", "campaign_id"), METRICS, windowed=True)
AD_GROUP_DAILY = Table("ad_group_daily", ("date", "ad_group_id"), ("campaign_id",) + METRICS, windowed=True)

TABLES: dict[str, Table] = {t.name: t for t in (CAMPAIGNS, AD_GROUPS, CAMPAIGN_DAILY, AD_GROUP_DAILY)}
