"""The msgspec fast path gives exactly the tuples and errors of the generic path (`meta.insight_rows` on
`json.loads`), on the sandbox's pages and on every odd value a page may hold."""
from __future__ import annotations

import json
import random
from datetime import date

import pytest

from ads_sync.errors import RowError
from ads_sync.sources.meta import decode as meta_decode
from ads_sync.sources.meta import reports as meta
from sandbox import meta_data

WINDOW = (date(2026, 1, 1), date(2026, 1, 14))
TYPES = meta.DEFAULT_ACTION_TYPES


def both(body: bytes) -> tuple[object, object]:
    """(fast, generic) result for one page: the list of tuples, or the RowError message."""
    def run(fn):
        try:
            return list(fn())
        except RowError as exc:
            return f"RowError: {exc}"

    fast = run(lambda: meta_decode.insight_rows(meta_decode.decode_page(body).data, WINDOW, TYPES))
    generic = run(lambda: meta.insight_rows(json.loads(body)["data"], WINDOW, TYPES))
    return fast, generic


def test_the_action_windows_are_the_ones_requested() -> None:
    assert meta_decode.WINDOWS == meta.ATTRIBUTION_WINDOWS


def test_sandbox_pages_decode_to_the_same_tuples() -> None:
    rows = [r for _, r in meta_data.insights("4444444444", *WINDOW, date(2026, 1, 16),
                                             volume=meta_data.Volume(campaigns=4, ad_groups_per_campaign=5))]
    assert len(rows) > 500
    body = json.dumps({"data": rows, "paging": {"cursors": {"after": "x"}, "next": "http://n"}}).encode()
    page = meta_decode.decode_page(body)
    assert all(type(o) is meta_decode.Insight for o in page.data)  # the fast path, not the fallback
    assert (page.after, page.has_next) == ("x", True)
    fast, generic = both(body)
    assert fast == generic


BASE = {"date_start": "2026-01-02", "date_stop": "2026-01-02", "ad_id": "1", "adset_id": "2", "campaign_id": "3",
        "impressions": "10", "clicks": "2", "spend": "1.23", "reach": "9", "frequency": "1.111111",
        "actions": [{"action_type": "purchase", "value": "3", "7d_click": "2", "1d_view": "1"}],
        "action_values": [{"action_type": "lead", "value": "5.5"}]}

ODD = [
    {}, {"spend": ""}, {"spend": None}, {"spend": "-1"}, {"spend": "NaN"}, {"spend": "Infinity"}, {"spend": "1e2"},
    {"spend": "0.1234565"}, {"spend": "0.1234575"}, {"spend": 12.5}, {"spend": "abc"}, {"impressions": "12.0"},
    {"impressions": "12.5"}, {"impressions": "-3"}, {"impressions": 7}, {"reach": ""}, {"reach": None},
    {"frequency": ""}, {"frequency": "-0.5"}, {"date_stop": "2026-01-03"}, {"date_start": "2025-12-31",
    "date_stop": "2025-12-31"}, {"ad_id": 17}, {"actions": "purchase"}, {"actions": None}, {"actions": []},
    {"actions": [{"action_type": "purchase", "value": "3"}]},
    {"actions": [{"action_type": "purchase", "value": "3", "7d_click": None}]},
    {"actions": [{"action_type": "purchase", "value": "3", "1d_view": "0.5"}]},
    {"actions": [{"value": "3"}, {"action_type": "lead", "7d_click": "-1"}]},
    {"actions": [{"action_type": "link_click", "value": "x"}]},
    {"action_values": [{"action_type": "purchase", "value": "1.0000005", "7d_click": "2.25"}]},
]


@pytest.mark.parametrize("change", ODD, ids=[json.dumps(c) for c in ODD])
def test_odd_values_give_the_same_tuples_or_the_same_error(change: dict) -> None:
    obj = {k: v for k, v in {**BASE, **change}.items()}
    body = json.dumps({"data": [BASE, obj]}).encode()
    fast, generic = both(body)
    assert fast == generic


def test_random_objects_agree() -> None:
    rng = random.Random(15)
    values = ["0", "1", "2.5", "0.000001", "123456.789", "", None, "-2", "7e1", "3.0000004", 4]
    for _ in range(300):
        obj = dict(BASE)
        for key in ("impressions", "clicks", "spend", "reach", "frequency"):
            if rng.random() < 0.3:
                obj[key] = rng.choice(values)
        obj["actions"] = [
            {k: rng.choice(values) for k in ("value", "7d_click", "1d_view") if rng.random() < 0.6}
            | {"action_type": rng.choice(["purchase", "lead", "link_click"])}
            for _ in range(rng.randint(0, 3))
        ]
        fast, generic = both(json.dumps({"data": [obj]}).encode())
        assert fast == generic, obj


def test_a_body_that_is_not_json_is_refused_as_such() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        meta_decode.decode_page(b'{"data": [{"date_start": "2026-01-02"')
    with pytest.raises(ValueError, match="not a Graph page"):
        meta_decode.decode_page(b'"Service Unavailable"')
