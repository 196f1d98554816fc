"""A report table's typed column, as declared or as derived from an API's field metadata."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: the warehouse types a report column may have: money and any fractional metric are numeric (never a float),
#: enums are text (their names), dates are date
SqlType = Literal["bigint", "numeric", "text", "date", "boolean"]


@dataclass(frozen=True)
class Column:
    #: the warehouse column name (lowercase, [a-z0-9_], e.g. `campaign_id` for `campaign.id`, `cost` for
    #: `metrics.cost_micros`)
    name: str
    sql_type: SqlType
    #: part of the row's natural key within (platform, account_id); the others are values a merge compares
    key: bool
    #: the API field it comes from (`metrics.cost_micros`, `spend`, `actions:purchase`), for messages
    source: str = ""
