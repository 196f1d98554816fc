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
    #: the final table's schema: `ads` for the built-in tables, `ads_custom` for custom reports
    schema: str = "ads"
    #: the report's name in the coverage ledger and the day fingerprints ("" = the table's name;
    #: custom reports are `custom:<name>`, so they can never be mistaken for a built-in report)
    report: str = ""
    #: the columns the coverage ledger sums per day as the day's cost and conversions (a table without
    #: them records null there, never 0)
    cost_column: str = "cost"
    conversions_column: str = "conversions"

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns after (platform, account_id), in staging and COPY order."""
        return self.keys + self.values

    @property
    def report_name(self) -> str:
        return self.report or self.name

    @property
    def staging_name(self) -> str:
        """The table's name in ads_staging: a custom report's is prefixed, so it never meets a built-in's."""
        return self.name if self.schema == "ads" else f"{self.schema}__{self.name}"

    @property
    def qualified(self) -> str:
        """`ads.campaign_daily`: for messages and regclass look-ups (names are [a-z0-9_], never quoted)."""
        return f"{self.schema}.{self.name}"


METRICS = ("impressions", "clicks", "cost", "conversions", "conversion_value")

CAMPAIGNS = Table("campaigns", ("id",), ("name", "status", "channel"), windowed=False)
AD_GROUPS = Table("ad_groups", ("id",), ("campaign_id", "name", "status"), windowed=False)
CAMPAIGN_DAILY = Table("campaign_daily", ("date", "campaign_id"), METRICS, windowed=True)
AD_GROUP_DAILY = Table("ad_group_daily", ("date", "ad_group_id"), ("campaign_id",) + METRICS, windowed=True)

ADS = Table("ads", ("id",), ("ad_group_id", "campaign_id", "name", "status"), windowed=False)
#: reach and frequency are Meta's extras: not additive, so they stay at ad level and are not rolled up
AD_DAILY = Table(
    "ad_daily", ("date", "ad_id"), ("ad_group_id", "campaign_id") + METRICS + ("reach", "frequency"), windowed=True
)
#: Google Ads' ad rows: Meta's final table without Meta's extras (a Google load leaves reach and frequency null)
AD_DAILY_NO_REACH = Table("ad_daily", AD_DAILY.keys, ("ad_group_id", "campaign_id") + METRICS, windowed=True)
#: Google's criterion ids are shared by ad groups (same text and match type): the ad group is in the key
KEYWORDS = Table("keywords", ("ad_group_id", "id"), ("campaign_id", "text", "match_type", "status"), windowed=False)
KEYWORD_DAILY = Table("keyword_daily", ("date", "ad_group_id", "keyword_id"), ("campaign_id",) + METRICS, windowed=True)
#: the same final tables, loaded with budgets by platforms that report them (Meta); a load without the
#: budget columns (Google Ads) leaves them as they are
BUDGETS = ("daily_budget", "lifetime_budget")
CAMPAIGNS_WITH_BUDGETS = Table("campaigns", CAMPAIGNS.keys, CAMPAIGNS.values + BUDGETS, windowed=False)
AD_GROUPS_WITH_BUDGETS = Table("ad_groups", AD_GROUPS.keys, AD_GROUPS.values + BUDGETS, windowed=False)

TABLES: dict[str, Table] = {
    t.name: t for t in (CAMPAIGNS, AD_GROUPS, CAMPAIGN_DAILY, AD_GROUP_DAILY, ADS, AD_DAILY, KEYWORDS, KEYWORD_DAILY)
}
