"""What tests ask of staging: each load stages into tables of its own (warehouse.staging_name)."""
from __future__ import annotations

from typing import Any


def staging_rows(db: Any) -> int:
    """Rows in every load's staging tables, each leftover table counted as a row too: a merged or failed
    load leaves no table, so 0 means nothing is left behind, not just nothing in it."""
    from ads_sync import warehouse

    names = warehouse.load_tables(db)
    return len(names) + sum(db.execute(f'SELECT count(*) FROM ads_staging."{n}"').fetchone()[0] for n in names)


def drop_load_tables(db: Any) -> None:
    """An emptied warehouse has no load's staging tables either (templates stay)."""
    from ads_sync import warehouse

    for name in warehouse.load_tables(db):
        db.execute(f'DROP TABLE ads_staging."{name}"')
