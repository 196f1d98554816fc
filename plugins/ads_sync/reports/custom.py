"""A custom report as the registry declares it, and the table it lands in (`ads_custom.<name>`).

Pure, like the registry that builds these at DAG parse: the column types of a Google report come from the
API's field metadata at run time (sources/google_ads/custom.py), but its table's name, key and column names
follow from the query alone, so a merge task knows its table without asking the API.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ads_sync.reports import gaql
from ads_sync.tables import Table

SCHEMA = "ads_custom"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
#: the ledger's name of a custom report: never equal to a built-in report's
PREFIX = "custom:"
#: columns every custom table has besides its declared ones (the key's first two, the merge's timestamp)
RESERVED_COLUMNS = frozenset({"platform", "account_id", "updated_at", "load_id"})
#: PostgreSQL's identifier limit
COLUMN_MAX = 63


@dataclass(frozen=True)
class CustomReport:
    """One custom report definition (shared at the top of the registry or inline in an entry)."""

    name: str
    platform: str
    #: Google Ads: the GAQL `SELECT ... FROM resource [WHERE ...]`, without any date condition
    query: str = ""
    #: Meta: the insights level, fields, breakdowns and the action types its action fields count
    level: str = ""
    fields: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    action_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for attr in ("fields", "breakdowns", "action_types"):  # read back from JSON (the registry cache)
            if not isinstance(getattr(self, attr), tuple):
                object.__setattr__(self, attr, tuple(getattr(self, attr)))

    @property
    def report(self) -> str:
        """`custom:<name>`: the report in the coverage ledger, the day fingerprints and the status."""
        return f"{PREFIX}{self.name}"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CustomReport:
        return cls(**data)


def google_column(field: str) -> str:
    """The warehouse column of a GAQL field: segments and metrics by their own name (`device`, `clicks`),
    money without its unit (`metrics.cost_micros` -> `cost`, stored in currency units), attributes with
    their resource (`campaign.id` -> `campaign_id`)."""
    scope, _, rest = field.partition(".")
    name = rest.replace(".", "_")
    if scope == "metrics":
        return name.removesuffix("_micros")
    if scope == "segments":
        return name
    return f"{scope}_{name}"


def google_columns(query: gaql.Query) -> list[tuple[str, str, bool]]:
    """(column, field, key) per selected field, in table order: date first, then the other key columns
    (every attribute and segment), then the metrics. Raises GaqlError for names that clash."""
    out: dict[str, tuple[str, str, bool]] = {}
    ordered = ["segments.date"] + [f for f in query.fields if f != "segments.date" and not f.startswith("metrics.")] \
        + [f for f in query.fields if f.startswith("metrics.")]
    for field in ordered:
        column = google_column(field)
        if column in RESERVED_COLUMNS:
            raise gaql.GaqlError(f"{field} would be the column {column!r}, which every custom table has already; "
                                 "leave it out")
        if len(column) > COLUMN_MAX:
            raise gaql.GaqlError(f"{field} makes a column name longer than {COLUMN_MAX} characters")
        if column in out:
            raise gaql.GaqlError(f"{field} and {out[column][1]} would both be the column {column!r}; keep one")
        out[column] = (column, field, not field.startswith("metrics."))
    return list(out.values())


def table_of(name: str, keys: tuple[str, ...], values: tuple[str, ...], cost: str = "cost") -> Table:
    """The custom report's table: windowed like every fact table, in ads_custom, `custom:<name>` in the ledger,
    whose day cost is the `cost` column's sum (Meta's is `spend`)."""
    return Table(name, keys, values, windowed=True, schema=SCHEMA, report=f"{PREFIX}{name}", cost_column=cost)


def google_table(report: CustomReport) -> Table:
    columns = google_columns(gaql.parse(report.query))
    return table_of(report.name, tuple(c for c, _, key in columns if key), tuple(c for c, _, key in columns if not key))
