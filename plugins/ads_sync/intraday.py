"""What an intraday run does differently from a daily one (issue 17): facts only, entities on demand,
and a Summary push at most once an hour and only after a change.

Everything else (staging, the window-replace merge, change detection, the sync log, the account lock,
pools and the shared rate limiter) is the daily run's, unchanged.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ads_sync import pipeline, warehouse
from ads_sync.retry import RetryPolicy

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account
    from ads_sync.tables import Table
    from ads_sync.windows import Window

log = logging.getLogger(__name__)

#: a fact column naming an entity -> the final table holding that entity (keyed by id)
ENTITY_REFS: dict[str, str] = {"campaign_id": "campaigns", "ad_group_id": "ad_groups", "ad_id": "ads",
                               "keyword_id": "keywords"}
#: the Summary worksheet of an intraday account is pushed at most this often
PUSH_EVERY = timedelta(hours=1)


def unknown_entities(
    conn: psycopg.Connection[Any], tables: Sequence[Table], load_id: str, account: Account
) -> dict[str, int]:
    """Per entity table: how many distinct ids the load's staged facts name that the warehouse lacks."""
    from psycopg import sql

    out: dict[str, int] = {}
    for table in tables:
        if not table.windowed:
            continue
        for column in table.columns:
            entity = ENTITY_REFS.get(column)
            if entity is None:
                continue
            query = sql.SQL(warehouse.sql_text("intraday/unknown_entities.sql")).format(
                column=sql.Identifier(column), staging=warehouse.staging_table(table, load_id),
                entity=sql.Identifier("ads", entity),
            )
            missing = conn.execute(query, {"platform": account.platform, "account_id": account.account_id}
                                   ).fetchone()[0]  # type: ignore[index]
            if missing:
                out[entity] = max(out.get(entity, 0), int(missing))
    return out


def merged_tables(connector: Any, window: Window) -> list[Table]:
    """What an intraday run merges: today's facts and their entities, never the custom reports it does not
    ask for (merging a report it did not stage would replace today's rows of it with nothing)."""
    return pipeline.tables([*connector.entity_steps(), *connector.fact_steps(window)], connector.rollups(window))


def extract(
    conn: psycopg.Connection[Any],
    connector: Any,
    window: Window,
    *,
    load_id: str,
    account: Account,
    policy: RetryPolicy | None = None,
) -> tuple[int, dict[str, int]]:
    """Stage today's facts (one request per report), then the entities only when a fact names one the
    warehouse does not know yet; returns (rows staged, the unknown ids per entity table)."""
    policy = policy or RetryPolicy()
    facts = connector.fact_steps(window)
    rollups = connector.rollups(window)
    rows = pipeline.extract(conn, facts, load_id=load_id, account=account, classify=connector.classify,
                            policy=policy, rollups=rollups)
    with conn.transaction():
        unknown = unknown_entities(conn, pipeline.tables(facts, rollups), load_id, account)
    if unknown:
        log.info("Today's facts of %s name entities the warehouse does not know yet (%s): loading entities",
                 account.key, ", ".join(f"{n} {t}" for t, n in sorted(unknown.items())))
        rows += pipeline.extract(conn, connector.entity_steps(), load_id=load_id, account=account,
                                 classify=connector.classify, policy=policy)
    else:
        log.info("Every entity today's facts of %s name is known: no entity requests", account.key)
    return rows, unknown


@dataclass(frozen=True)
class PushDecision:
    push: bool
    #: the log line that says why
    reason: str


def push_decision(last_pushed_at: datetime | None, changed_since: bool, now: datetime,
                  every: timedelta = PUSH_EVERY) -> PushDecision:
    """An intraday run pushes the spreadsheet only when some run changed data since the last push, and
    at most once per `every` (Sheets quota; a sheet that rewrites itself every 30 minutes helps nobody)."""
    if not changed_since:
        return PushDecision(False, "nothing changed since the last push")
    if last_pushed_at is not None and now - last_pushed_at < every:
        wait = last_pushed_at + every - now
        return PushDecision(False, f"pushed {int((now - last_pushed_at).total_seconds() // 60)} min ago, at most "
                            f"once an hour; the next push is due in {int(wait.total_seconds() // 60) + 1} min")
    return PushDecision(True, "data changed since the last push" if last_pushed_at else "first push")


def should_push(conn: psycopg.Connection[Any], account: Account, now: datetime) -> PushDecision:
    row = conn.execute(warehouse.sql_text("intraday/last_push.sql"),
                       {"platform": account.platform, "account_id": account.account_id}).fetchone()
    last, changed = (row[0], bool(row[1])) if row else (None, True)
    return push_decision(last, changed, now)
