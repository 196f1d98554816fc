"""Per platform: the steps a window needs and how that platform's errors are classified."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ads_sync.pipeline import Rollup, Step

if TYPE_CHECKING:
    from ads_sync.registry import Account
    from ads_sync.windows import Window


log = logging.getLogger(__name__)


class Connector(Protocol):
    @property
    def requests(self) -> int:
        """API requests made so far (for the sync log)."""

    def steps(self, window: Window) -> list[Step]: ...

    def entity_steps(self) -> list[Step]:
        """The entity requests alone (an intraday run asks for them only when a fact names a new entity)."""

    def fact_steps(self, window: Window) -> list[Step]:
        """The window's report requests alone: what an intraday run asks for."""

    def rollups(self, window: Window) -> list[Rollup]: ...

    def classify(self, exc: BaseException) -> BaseException: ...

    def account_totals(self, window: Window) -> Iterable[DayTotal]:
        """The platform's own account-level daily totals over the window (reconciliation: one request)."""


#: (date, impressions, clicks, cost, conversions, conversion value), money and conversions as exact decimals
DayTotal = tuple[date, int, int, Decimal, Decimal, Decimal]


def ids_in_warehouse(conn: Any, name: str, account: Account) -> list[str]:
    from ads_sync.warehouse import sql_text

    rows = conn.execute(sql_text(name), {"platform": account.platform, "account_id": account.account_id})
    return [str(r[0]) for r in rows.fetchall()]


def connector_for(account: Account) -> Connector:
    """The account's platform's connector, as its spec names it."""
    from ads_sync.platforms import PLATFORMS
    from ads_sync.sources.spec import load

    spec = PLATFORMS.get(account.platform)
    if spec is None or not spec.connector:
        raise ValueError(f"no connector for platform {account.platform!r}")
    connector: Connector = load(spec.connector)(account)
    return connector
