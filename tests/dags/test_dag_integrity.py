"""The DAG files as Airflow's dag-processor sees them: no import errors, exactly the DAGs the registry
implies over all shard files, each in the file its key hashes to, each with its task graph, and a bad
registry entry that hides nothing else."""
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
        for kind in ("daily", "weekly", "force_sync") + (("intraday",) if a.frequency in ("30min", "hourly") else ())
    }


def test_no_import_errors(bag) -> None:
    assert bag.import_errors == {}


def test_exactly_the_registry_dags(bag) -> None:
    assert set(bag.dag_ids) == expected_ids() | {"ads_sync__discover"}
    # 3 Google Ads and 2 Meta accounts, 3 DAGs each, Nordlicht's intraday DAG (frequency: hourly), discovery
    assert len(bag.dag_ids) == 17
    assert [i for i in bag.dag_ids if i.endswith("__intraday")] == ["ads_sync__google_ads__1234567890__intraday"]


def test_one_file_per_shard_each_dag_in_its_hash_shard(bag) -> None:
    from ads_sync.dag_factory import SHARDS, shard_of

    files = sorted(p.name for p in (ROOT / "dags").glob("*.py"))
    assert files == [f"ads_sync_shard_{i:02d}.py" for i in range(SHARDS)]
    assert Path(bag.dags["ads_sync__discover"].fileloc).name == "ads_sync_shard_00.py"
    for dag_id, dag in bag.dags.items():
        if dag_id == "ads_sync__discover":
            continue
        key = "__".join(dag_id.split("__")[1:3])
        assert Path(dag.fileloc).name == f"ads_sync_shard_{shard_of(key, SHARDS):02d}.py", dag_id
    assert len({Path(d.fileloc).name for d in bag.dags.values()}) > 1  # the demo accounts really spread


def test_shards_by_hash_adding_an_account_moves_no_other(tmp_path: Path) -> None:
    from ads_sync.dag_factory import build_dags

    def placement(n: int) -> dict[str, int]:
        registry = tmp_path / f"accounts_{n}.yaml"
        registry.write_text("accounts:\n" + "".join(
            f'  - {{platform: google_ads, account_id: "{5_000_000_000 + i}", name: A{i}, timezone: UTC, '
            "currency: EUR}\n" for i in range(n)
        ))
        return {d.dag_id: shard for shard in range(4) for d in build_dags(registry, shard=shard, shards=4)
                if d.dag_id != "ads_sync__discover"}

    before, after = placement(40), placement(41)
    assert len(before) == 120 and len(after) == 123
    assert {k: after[k] for k in before} == before
    assert len(set(before.values())) == 4


def test_every_invalid_entry_dag_exactly_once_over_the_shard_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    registry = tmp_path / "accounts.yaml"
    registry.write_text(textwrap.dedent("""\
        accounts:
          - {platform: google_ads, account_id: "1111111111", name: Good, timezone: UTC, currency: USD}
          - {platform: google_ads, account_id: "2222222222", name: Bad, timezone: Mars/Olympus, currency: USD}
          - {platform: meta, account_id: "act_1", name: Bad too, timezone: UTC, currency: USD}
        """))
    monkeypatch.setenv("ADS_SYNC_REGISTRY", str(registry))
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    invalid = sorted(i for i in bag.dag_ids if "__invalid__" in i)
    # ids that name the entry (issue 11), so adding entries never moves them
    assert invalid == ["ads_sync__invalid__entry_google_ads_2222222222", "ads_sync__invalid__entry_meta_act_1"]
    assert {i for i in bag.dag_ids if "__invalid__" not in i} == {
        f"ads_sync__google_ads__1111111111__{k}" for k in ("daily", "weekly", "force_sync")
    } | {"ads_sync__discover"}


def test_a_task_start_builds_only_its_dag(monkeypatch: pytest.MonkeyPatch) -> None:
    from ads_sync.dag_factory import SHARDS, build_dags, shard_of

    wanted = "ads_sync__meta__209715200654321__weekly"
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", wanted)
    registry = ROOT / "include" / "accounts.yaml"
    own = shard_of("meta__209715200654321", SHARDS)
    assert [d.dag_id for d in build_dags(registry, shard=own, shards=SHARDS)] == [wanted]
    assert list(build_dags(registry, shard=(own + 1) % SHARDS, shards=SHARDS)) == []


@pytest.mark.parametrize(("wanted", "built"), [
    ("ads_sync__google_ads__1234567890__intraday", True),  # Nordlicht: frequency hourly
    ("ads_sync__google_ads__2345678901__intraday", False),  # a daily account has none to build
])
def test_a_task_start_builds_an_intraday_dag_only_where_it_exists(
    monkeypatch: pytest.MonkeyPatch, wanted: str, built: bool
) -> None:
    from ads_sync.dag_factory import SHARDS, build_dags, shard_of

    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", wanted)
    own = shard_of("__".join(wanted.split("__")[1:3]), SHARDS)
    got = [d.dag_id for d in build_dags(ROOT / "include" / "accounts.yaml", shard=own, shards=SHARDS)]
    assert got == ([wanted] if built else [])


def test_task_graph_and_settings(bag) -> None:
    from ads_sync.platforms import PLATFORMS

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
        assert dag.get_task("extract").pool == PLATFORMS[dag_id.split("__")[1]].pool  # as the spec declares
        assert dag.get_task("push_summaries").pool == "google_sheets_api"
        assert dag.get_task("reconcile").pool == dag.get_task("extract").pool  # one more request to that API


def test_schedules_in_the_account_time_zone(bag) -> None:
    daily = bag.dags["ads_sync__google_ads__2345678901__daily"]
    weekly = bag.dags["ads_sync__google_ads__2345678901__weekly"]
    force = bag.dags["ads_sync__google_ads__2345678901__force_sync"]
    assert (daily.timetable.expression, str(daily.timetable.timezone)) == ("0 2 * * *", "Pacific/Auckland")
    assert (weekly.timetable.expression, str(weekly.timetable.timezone)) == ("0 3 * * 0", "Pacific/Auckland")
    assert not hasattr(force.timetable, "expression")  # no schedule


def test_every_dags_param_defaults_fit_their_schemas(bag) -> None:
    """What Airflow's DAG validator checks for scheduled DAGs, which dag_factory skips at parse time."""
    from airflow.sdk.definitions.param import ParamsDict

    checked = 0
    for dag in bag.dags.values():
        assert isinstance(dag.params, ParamsDict)
        resolved = dag.params.validate()  # raises ParamValidationError on a default its schema refuses
        checked += len(resolved)
    assert checked >= len(bag.dags)  # every sync DAG has at least dry_run


def test_intraday_dag_schedule_and_limits(bag) -> None:
    """Issue 17: hourly means an intraday DAG every hour in the account's zone; the daily DAG stays at 02:00."""
    from datetime import timedelta

    intraday = bag.dags["ads_sync__google_ads__1234567890__intraday"]
    daily = bag.dags["ads_sync__google_ads__1234567890__daily"]
    assert (intraday.timetable.expression, str(intraday.timetable.timezone)) == ("0 * * * *", "Europe/Berlin")
    assert daily.timetable.expression == "0 2 * * *"
    assert intraday.max_active_runs == 1 and intraday.catchup is False
    assert "intraday" in intraday.tags and "today so far" in intraday.doc_md
    assert set(intraday.params.keys()) == {"dry_run"}
    # an hourly run is over before its next slot: every task's timeout together stays under the hour
    assert sum((t.execution_timeout for t in intraday.tasks), timedelta()) < timedelta(hours=1)


def test_only_intraday_frequencies_get_an_intraday_dag(tmp_path: Path) -> None:
    from ads_sync.dag_factory import build_dags

    registry = tmp_path / "accounts.yaml"
    registry.write_text(textwrap.dedent("""\
        accounts:
          - {platform: google_ads, account_id: "1111111111", name: D, timezone: UTC, currency: USD}
          - {platform: google_ads, account_id: "2222222222", name: H, timezone: UTC, currency: USD, frequency: hourly}
          - {platform: meta, account_id: "333", name: T, timezone: Pacific/Auckland, currency: NZD, frequency: 30min}
          - {platform: meta, account_id: "444", name: M, timezone: UTC, currency: USD, frequency: manual}
          - {platform: meta, account_id: "555", name: I, timezone: UTC, currency: USD, frequency: hourly, active: false}
        """))
    dags = {d.dag_id: d for d in build_dags(registry)}
    intraday = {i: d for i, d in dags.items() if i.endswith("__intraday")}
    assert set(intraday) == {"ads_sync__google_ads__2222222222__intraday", "ads_sync__meta__333__intraday",
                             "ads_sync__meta__555__intraday"}
    assert intraday["ads_sync__meta__333__intraday"].timetable.expression == "0,30 * * * *"
    assert str(intraday["ads_sync__meta__333__intraday"].timetable.timezone) == "Pacific/Auckland"
    assert not hasattr(intraday["ads_sync__meta__555__intraday"].timetable, "expression")  # inactive: unscheduled
    for dag_id in ("ads_sync__google_ads__2222222222__daily", "ads_sync__meta__333__daily"):
        assert dags[dag_id].timetable.expression == "0 2 * * *"  # not hourly any more


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


def test_force_sync_form_labels_and_optional_switches(bag) -> None:
    """The trigger form: presets by name with an empty choice that reads "none", switches not marked
    required (Airflow's form marks a Param required unless its type lists null); null is still refused."""
    from airflow.sdk.definitions.param import ParamValidationError

    params = bag.dags["ads_sync__google_ads__1234567890__force_sync"].params
    preset = params.get_param("preset")
    labels = preset.schema["values_display"]
    assert set(labels) == {"null"} | {p for p in preset.schema["enum"] if p is not None}
    assert labels["null"].startswith("none") and labels["last_7_days"] == "Last 7 days"
    for name in ("include_current_week", "dry_run"):
        switch = params.get_param(name)
        assert "null" in switch.schema["type"]
        assert switch.resolve() is False and switch.resolve(True) is True
        with pytest.raises(ParamValidationError):
            switch.resolve(None)
        with pytest.raises(ParamValidationError):
            switch.resolve("yes")
