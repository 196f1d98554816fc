"""Bad answers from the API: refused with a message naming the row and field, nothing written; or a
documented repair."""
from __future__ import annotations

import pytest

from sandbox import Fault
from tests.reliability.conftest import final_rows
from tests.staging import staging_rows

ACCOUNT = "1234567890"
DAG = f"ads_sync__google_ads__{ACCOUNT}__daily"
pytestmark = pytest.mark.integration


def error_of(run) -> str:
    return [ti for ti in run.get_task_instances() if ti.state == "failed"][0].task_id


@pytest.mark.parametrize(
    "kind, resource, task, words",
    [
        ("DUPLICATE_ROWS", "ad_group", "merge", ["ad_group_daily", "2 times"]),
        ("NEGATIVE_COST", "ad_group", "extract", ["negative metric", "ad group"]),
        ("DATE_OUTSIDE_WINDOW", "campaign", "extract", ["outside the window", "segments.date"]),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(bag, db, fresh_sandbox, kind, resource, task, words) -> None:
    assert bag.dags[DAG].test().state == "success"
    before = final_rows(db)
    # the entity query is also FROM campaign/ad_group: fault the report (the 2nd matching call)
    fresh_sandbox.faults.add(Fault(service="google_ads", error=kind, resource=resource, nth=2, times=-1))
    try:
        run = bag.dags[DAG].test()
    finally:
        fresh_sandbox.faults.clear()
    assert run.state == "failed"
    assert error_of(run) == task
    status, error = db.execute(
        "SELECT status, error FROM ads_sync.sync_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert status == "failed"
    for word in words:
        assert word in error
    assert final_rows(db) == before
    assert staging_rows(db) == 0
    failed = [ti for ti in run.get_task_instances() if ti.task_id == task][0]
    assert failed.try_number == 1  # the same request would answer the same: no retries


def test_an_unknown_enum_value_is_kept_under_a_visible_name(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="google_ads", error="UNKNOWN_ENUM", resource="campaign", nth=1))
    assert bag.dags[DAG].test().state == "success"
    statuses = {r[0] for r in db.execute("SELECT status FROM ads.campaigns WHERE account_id = %s", (ACCOUNT,))}
    assert "UNRECOGNIZED_42" in statuses
