"""Bad answers on purpose: rows a real API has been seen to send now and then, for fault tests.

Each kind rewrites the encoded rows of one response; only faulted requests pay for the decoding.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain

from google.ads.googleads.v26.services.types.google_ads_service import GoogleAdsRow

KINDS = frozenset({"DUPLICATE_ROWS", "NEGATIVE_COST", "DATE_OUTSIDE_WINDOW", "UNKNOWN_ENUM", "DROP_ROW"})
_Row = GoogleAdsRow.pb()


def corrupt(rows: Iterator[bytes], kind: str) -> Iterator[bytes]:
    """The same rows with the first one made bad in the way `kind` names (or repeated)."""
    first = next(rows, None)
    if first is None:
        return iter(())
    if kind == "DUPLICATE_ROWS":
        return chain((first, first), rows)
    if kind == "DROP_ROW":  # a row the platform's own totals count but the report leaves out
        return rows
    row = _Row.FromString(first)
    if kind == "NEGATIVE_COST":
        row.metrics.cost_micros = -abs(row.metrics.cost_micros) - 10_000
    elif kind == "DATE_OUTSIDE_WINDOW" and row.segments.date:
        row.segments.date = (date.fromisoformat(row.segments.date) - timedelta(days=400)).isoformat()
    elif kind == "UNKNOWN_ENUM":
        if row.HasField("campaign"):
            row.campaign.status = 42  # a value newer than any client's enum
    return chain((row.SerializeToString(),), rows)
