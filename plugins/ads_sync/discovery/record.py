"""The discovery DAG's record: each reported account a row in ads_sync.discovered_accounts."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ads_sync.discovery.diff import Diff

if TYPE_CHECKING:
    import psycopg


def rows(diff: Diff, run_id: str) -> list[dict[str, Any]]:
    base = {"run_id": run_id, "platform": diff.platform, "root": diff.root}
    out = []
    for change, items in (("new", diff.new), ("apart", diff.apart)):
        out += [{**base, "change": change, "account_id": f.account_id, "name": f.name, "timezone": f.timezone,
                 "currency": f.currency, "status": f.status, "login_customer_id": f.login_customer_id,
                 "details": json.dumps({"apart": f.apart, "parent": f.parent})} for f in items]
    for f, changes in diff.changed:
        out.append({**base, "change": "changed", "account_id": f.account_id, "name": f.name,
                    "timezone": f.timezone, "currency": f.currency, "status": f.status,
                    "login_customer_id": f.login_customer_id,
                    "details": json.dumps({c.field: {"registry": c.registry, "platform": c.platform}
                                           for c in changes})})
    out += [{**base, "change": "gone", "account_id": a.account_id, "name": a.name, "timezone": a.timezone,
             "currency": a.currency, "status": None, "login_customer_id": a.option("login_customer_id"),
             "details": "{}"}
            for a in diff.gone]
    return out


def record(conn: psycopg.Connection[Any], diff: Diff, run_id: str) -> int:
    from ads_sync.warehouse import sql_text

    found = rows(diff, run_id)
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(sql_text("discovery/record.sql"), found)
    return len(found)
