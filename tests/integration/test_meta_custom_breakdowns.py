"""Meta custom reports through the real MetaAdsHook against the sandbox's Graph API: a breakdown's rows, mapped
by sources.meta.custom, sum exactly to the same level's unbroken-down rows (and to the sandbox's own totals);
reach stays not additive; the async report run serves the same rows; Graph's code 100 for what it refuses."""
from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from sandbox import meta_data

ACCOUNT = "555000111"
START, END = date(2026, 1, 5), date(2026, 1, 11)
TYPES = ["purchase", "lead", "link_click"]
FIELDS = ["impressions", "clicks", "spend", "inline_link_clicks"]

pytestmark = pytest.mark.integration


@pytest.fixture
def hook(fresh_sandbox):
    from ads_sync.retry import RetryPolicy
    from ads_sync.sources.meta.hook import MetaAdsHook

    fresh_sandbox.set_today(date(2026, 1, 20))
    yield MetaAdsHook(policy=RetryPolicy(attempts=2, base_delay=0.01), sleep=lambda s: None)
    fresh_sandbox.set_today(None)


def fetch(hook, level, breakdowns, fields=FIELDS, types=TYPES):
    from ads_sync.sources.meta import custom

    cols = custom.columns(level, fields, breakdowns, types)
    params = custom.params((START, END), level, fields, breakdowns, types)
    return cols, list(custom.rows(hook.insights(ACCOUNT, params), cols, (START, END)))


def totals(cols, rows, by):
    """Sums of the value columns (not reach) per the key columns named in `by`."""
    names = [c.name for c in cols]
    out = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        key = tuple(row[names.index(k)] for k in by)
        for c, v in zip(cols, row, strict=True):
            if not c.key and c.name != "reach" and v is not None:
                out[key][c.name] += Decimal(v)
    return {k: dict(v) for k, v in out.items()}


@pytest.mark.parametrize(("level", "breakdowns"), [
    ("ad", ["age"]), ("adset", ["gender"]), ("campaign", ["device_platform", "publisher_platform"]),
    ("account", ["age", "gender"]),
])
def test_a_breakdown_sums_to_the_unbroken_down_rows(hook, level, breakdowns) -> None:
    cols, split = fetch(hook, level, breakdowns)
    whole_cols, whole = fetch(hook, level, [])
    by = ["date"] + ([] if level == "account" else [f"{level}_id"])
    assert totals(cols, split, by) == totals(whole_cols, whole, by)
    assert len(split) > 2 * len(whole) and len({r[0] for r in whole}) == 7  # every day of the window
    labels = {row[len(by) + i] for row in split for i in range(len(breakdowns))}
    assert labels and None not in labels


def test_the_account_breakdown_is_the_sandbox_account_totals(hook) -> None:
    """Against the sandbox's own level=account rows, which count every ad (deleted ones too)."""
    from ads_sync.sources.meta import reports as meta

    cols, split = fetch(hook, "account", ["publisher_platform"], fields=["impressions", "clicks", "spend"],
                        types=list(meta.DEFAULT_ACTION_TYPES))
    got = totals(cols, split, ["date"])
    for _, row in meta_data.account_insights(ACCOUNT, START, END, date(2026, 1, 20)):
        day, impressions, clicks, spend, conversions, value = meta.account_total(row, meta.DEFAULT_ACTION_TYPES)
        mine = got[(day.isoformat(),)]
        assert (mine["impressions"], mine["clicks"], mine["spend"]) == (impressions, clicks, spend)
        assert mine["actions_purchase"] + mine["actions_lead"] == conversions
        assert mine["action_values_purchase"] + mine["action_values_lead"] == value


def test_reach_is_not_additive(hook) -> None:
    cols, split = fetch(hook, "campaign", ["device_platform"], fields=["impressions", "reach", "frequency"], types=[])
    _, whole = fetch(hook, "campaign", [], fields=["impressions", "reach", "frequency"], types=[])
    summed = defaultdict(int)
    for row in split:
        summed[(row[0], row[1])] += row[4]
    assert any(summed[(r[0], r[1])] != r[3] for r in whole)
    assert all(r[3] <= r[2] for r in whole)  # never more people than impressions


def test_the_async_run_serves_the_same_breakdown(hook) -> None:
    from ads_sync.sources.meta import custom

    cols = custom.columns("adset", FIELDS, ["age"], TYPES)
    params = custom.params((START, END), "adset", FIELDS, ["age"], TYPES)
    run_id = hook.start_report(ACCOUNT, params)
    for _ in range(5):
        if hook.report_status(run_id)[0] == "Job Completed":
            break
        time.sleep(0.01)
    rows = hook.paged((run_id, "insights"), {"limit": 7}, what="run rows")  # dicts: breakdowns kept
    assert list(custom.rows(rows, cols, (START, END))) == fetch(hook, "adset", ["age"])[1]


@pytest.mark.parametrize(("change", "text"), [
    ({"breakdowns": ["agee"]}, "breakdowns[0] must be one of the following values"),
    ({"breakdowns": ["age", "device_platform"]}, "Current combination of data breakdown columns"),
    ({"fields": "date_start,clikcs"}, "clikcs is not valid for fields param"),
    ({"level": "adsett"}, "level must be one of the following values"),
])
def test_what_graph_refuses_is_code_100(hook, change, text) -> None:
    from ads_sync.errors import InvalidRequest
    from ads_sync.sources.meta import custom

    params = {**custom.params((START, END), "ad", ["clicks"], [], []), **change}
    with pytest.raises(InvalidRequest, match=r"\(#100") as exc:
        list(hook.insights(ACCOUNT, params))
    assert text in str(exc.value)
