"""A report as a declaration: its table (typed columns, key), the request that fills it, the entities it
needs and the rollups that follow from it. The merge follows from the table (`Report.table`); the row mapping
from the request's field list where the platform module can derive it (Google's daily facts).

The built-in reports are declared in sources/<platform>/reports.py. Their tables' DDL stays in the
migrations (their history matters), and a test holds each declaration equal to the migrated schema, so the
declaration is the truth that is checked. Custom reports are declarations made from the registry at run
time (reports/custom.py), whose DDL is generated (reports/custom_tables.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from ads_sync.reports.columns import Column
from ads_sync.tables import Table


@dataclass(frozen=True)
class GoogleRequest:
    """A GAQL report: FROM `resource`, SELECT `fields` (a dated one gets the window's segments.date condition)."""

    resource: str
    fields: tuple[str, ...]
    dated: bool = True


@dataclass(frozen=True)
class MetaRequest:
    """A Graph read of the ad account's `edge`: insights (`fields` at `level`, broken down by `breakdowns`,
    one row per day), or an entity edge (campaigns, adsets, ads) with these fields."""

    fields: tuple[str, ...]
    level: str
    breakdowns: tuple[str, ...] = ()
    edge: str = "insights"


@dataclass(frozen=True)
class RollupDecl:
    """A table filled in SQL from this report's staged rows (include/sql/rollup/*.sql), without a request."""

    table: Table
    sql: str


@dataclass(frozen=True)
class Report:
    #: the name an account's `reports:` uses (entities: their table's name)
    name: str
    #: the final table: `schema.table_name`, its columns after (platform, account_id), in staging order
    table_name: str
    columns: tuple[Column, ...]
    request: GoogleRequest | MetaRequest
    #: facts are replaced by date window; entities are upserted and never deleted
    windowed: bool = True
    #: the entity declarations (by name) whose rows this report's rows refer to, fetched with it
    entities: tuple[str, ...] = ()
    rollups: tuple[RollupDecl, ...] = ()
    schema: str = "ads"

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.key)

    @property
    def table(self) -> Table:
        """What the staging and the merge work with."""
        return Table(self.table_name, self.keys, self.values, self.windowed, schema=self.schema)


def ids(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    """Id columns (text: ids are kept as the platform spells them) from (column, source field) pairs."""
    return tuple(Column(name, "text", False, source) for name, source in pairs)


def keyed(columns: tuple[Column, ...], *names: str) -> tuple[Column, ...]:
    """The same columns, those named being the key."""
    return tuple(Column(c.name, c.sql_type, c.name in names, c.source) for c in columns)
