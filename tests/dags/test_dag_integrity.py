"""The DAG file as Airflow's dag-processor sees it: no import errors, exactly the DAGs the registry
implies, each with its task graph, and a bad registry entry that hides nothing else."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def expected_ids() -> set[str]:
    from ads_sync.registry import load_registry

    registry = load_registry(ROOT / "include" / "accounts.yaml")
    assert registry.accounts and not registry.errors
    return {
        f"ads_sync__{a.platform}__{a.account_id}__{kind}"
        for a in registry.accounts
        for kind in ("daily", "weekly", "force_sync")
    }


def test_no_import_errors(bag) -> None:
    assert bag.import_errors == {}


def test_exactly_the_registry_dags(bag) -> None:
    assert set(bag.dag_ids) == expected_ids() | {"ads_sync__discover"}
    assert len(bag.dag_ids) == 16  # 3 Google Ads and 2 Meta accounts, 3 DAGs each, and discovery


def test_task_graph_and_settings(bag) -> None:
    for dag_id in expected_ids():
        dag = bag.dags[dag_id]
        assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
            "resolve_window": ["extract"], "extract": ["merge"], "merge": ["reconcile"],
            "reconcile": ["push_summaries"], "push_summaries": [],
        }
        assert dag.max_active_runs == 1
        assert dag.catchup is False
        assert dag.doc_md and dag.tags
        assert dag.get_task("resolve_window").retries == 0
        assert dag.get_task("extract").retries == 3
        assert dag.get_task("extract").pool == ("meta_api" if "__meta__" in dag_id else "google_ads_api")
        assert dag.get_task("push_summaries").pool == "google_sheets_api"
        assert dag.get_task("reconcile").pool == dag.get_task("extract").pool  # one more request to that API


def test_schedules_in_the_account_time_zone(bag) -> None:
    daily = bag.dags["ads_sync__google_ads__2345678901__daily"]
    weekly = bag.dags["ads_sync__google_ads__2345678901__weekly"]
    force = bag.dags["ads_sync__google_ads__2345678901__force_sync"]
    assert (daily.timetable.expression, str(daily.timetable.timezone)) == ("0 2 * * *", "Pacific/Auckland")
    assert (weekly.timetable.expression, str(weekly.timetable.timezone)) == ("0 3 * * 0", "Pacific/Auckland")
    assert not hasattr(force.timetable, "expression")  # no schedule


def test_force_sync_params_are_nullable_with_descriptions(bag) -> None:
    params = bag.dags["ads_sync__google_ads__1234567890__force_sync"].params
    assert set(params.keys()) == {"weeks", "include_current_week", "start_date", "end_date", "preset", "dry_run"}
    for key in params.keys():
        assert params.get_param(key).description
    assert params["weeks"] is None and params["preset"] is None


def test_bad_entry_becomes_a_failing_dag_and_hides_nothing(tmp_path: Path) -> None:
    from ads_sync.dag_factory import build_dags

    registry = tmp_path / "accounts.yaml"
    registry.write_text(textwrap.dedent("""\
        accounts:
          - {platform: google_ads, account_id: "1111111111", name: Good, timezone: UTC, currency: USD}
          - {platform: google_ads, account_id: "2222222222", name: Bad, timezone: Mars/Olympus, currency: USD}
          - {platform: google_ads, account_id: "3333333333", name: Also good, timezone: Asia/Tokyo, currency: JPY}
        """))
    dags = {d.dag_id: d for d in build_dags(registry)}
    good = {i for i in dags if "__invalid__" not in i and i != "ads_sync__discover"}
    assert good == {
        f"ads_sync__google_ads__{n}__{k}" for n in ("1111111111", "3333333333")
        for k in ("daily", "weekly", "force_sync")
    }
    [invalid] = [d for i, d in dags.items() if "__invalid__" in i]
    assert "timezone" in invalid.description and "Mars/Olympus" in invalid.description
    assert invalid.get_task("report_registry_error")
    # seen in the UI without anyone running anything: unpaused, run once at once, an id that names the entry
    assert invalid.is_paused_upon_creation is False
    assert invalid.dag_id == "ads_sync__invalid__entry_google_ads_2222222222"
    assert all(t.execution_timeout for d in dags.values() for t in d.tasks)
