"""airflow_settings.yaml (Astro CLI format) into plain Airflow: strict parsing that names the line at
fault, and idempotent loading into a real (SQLite) Airflow metadata database."""
# AIR311: writing the metadata database needs the ORM models; airflow.sdk has only the task-side API
# ruff: noqa: AIR311
from __future__ import annotations

from pathlib import Path

import pytest

from ads_sync.settings_loader import SettingsError, apply, load, parse, shadowed_connections

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
airflow:
  connections:
    - conn_id: wh
      conn_type: postgres
      conn_host: db.internal
      conn_schema: ads
      conn_login: ads
      conn_password: s3cret
      conn_port: 5432
      conn_extra:
    - conn_id: gads
      conn_type: google_ads
      conn_extra:
        developer_token: tok
  pools:
    - pool_name: test_api
      pool_slot: 3
      pool_description: three at a time
  variables:
    - variable_name: greeting
      variable_value: hello
    - variable_name: limits
      variable_value: {daily: 5}
"""


def test_parses_the_astro_format() -> None:
    settings = parse(GOOD)
    wh, gads = settings.connections
    assert (wh.conn_id, wh.conn_type, wh.host, wh.schema, wh.login, wh.password, wh.port, wh.extra) == (
        "wh", "postgres", "db.internal", "ads", "ads", "s3cret", 5432, {}
    )
    assert (gads.extra, gads.port, gads.host) == ({"developer_token": "tok"}, None, None)
    assert [(p.name, p.slots, p.description) for p in settings.pools] == [("test_api", 3, "three at a time")]
    assert [(v.key, v.value) for v in settings.variables] == [("greeting", "hello"), ("limits", '{"daily": 5}')]
    assert "s3cret" not in repr(wh)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("airflow:\n  pools:\n    - pool_name: x\n      pool_slot: [\n", 5, "not valid YAML"),
        ("airflow:\n  conections: []\n", 2, "unknown key 'conections'"),
        ("astro:\n  pools: []\n", 1, "unknown top-level key 'astro'"),
        ("airflow:\n  pools:\n    - pool_name: x\n      pool_slots: 3\n", 4, "unknown key 'pool_slots'"),
        ("airflow:\n  pools:\n    - pool_name: x\n      pool_slot: four\n", 4, "pool_slot must be an integer"),
        ("airflow:\n  pools:\n    - pool_name: x\n", 3, "pool_slot is required"),
        ("airflow:\n  connections:\n    - conn_id: a\n      conn_type: postgres\n      conn_port: 70000\n", 5,
         "conn_port must be a port number"),
        ("airflow:\n  connections:\n    - conn_type: postgres\n", 3, "conn_id is required"),
        ("airflow:\n  connections:\n    - conn_id: a b\n      conn_type: http\n", 3, "may hold only"),
        ("airflow:\n  connections:\n    - conn_id: a\n      conn_type: http\n      conn_extra: '{bad'\n", 5,
         "conn_extra is not a mapping nor JSON"),
        ("airflow:\n  pools:\n    - pool_name: x\n      pool_slot: 1\n    - pool_name: x\n      pool_slot: 2\n",
         5, "'x' appears twice in airflow.pools (first on line 3)"),
        ("airflow:\n  variables:\n    - variable_name: v\n", 3, "needs a variable_value"),
        ("airflow:\n  variables: nope\n", 2, "must be a list"),
    ],
)
def test_a_malformed_file_names_the_line_at_fault(text: str, line: int, message: str) -> None:
    with pytest.raises(SettingsError) as err:
        parse(text, source="airflow_settings.yaml")
    assert str(err.value).startswith(f"airflow_settings.yaml:{line}: "), str(err.value)
    assert message in str(err.value)


def test_the_project_file_is_valid_and_has_every_pool_the_dags_use() -> None:
    from ads_sync.platforms import PLATFORMS

    settings = load(ROOT / "airflow_settings.yaml")
    assert {p.pool for p in PLATFORMS.values()} <= {p.name for p in settings.pools}
    assert {"ads_warehouse"} | {p.default_conn_id for p in PLATFORMS.values()} <= {
        c.conn_id for c in settings.connections
    }


def test_environment_connections_are_reported_as_overriding() -> None:
    settings = parse(GOOD)
    assert shadowed_connections(settings, {"AIRFLOW_CONN_WH": "postgresql://x"}) == ["wh"]


def test_loading_is_idempotent_and_updates_what_changed(airflow_db: Path) -> None:
    from airflow.models import Connection, Pool, Variable
    from airflow.utils.session import create_session
    from sqlalchemy import delete, select

    with create_session() as session:  # start clean: the session's database is shared
        session.execute(delete(Connection).where(Connection.conn_id.in_(["wh", "gads"])))
        session.execute(delete(Pool).where(Pool.pool == "test_api"))
        session.execute(delete(Variable).where(Variable.key.in_(["greeting", "limits"])))

    first = apply(parse(GOOD))
    assert {k: (len(o.created), len(o.updated), len(o.unchanged)) for k, o in first.items()} == {
        "connections": (2, 0, 0), "pools": (1, 0, 0), "variables": (2, 0, 0)
    }
    again = apply(parse(GOOD))
    assert {k: (len(o.created), len(o.updated), len(o.unchanged)) for k, o in again.items()} == {
        "connections": (0, 0, 2), "pools": (0, 0, 1), "variables": (0, 0, 2)
    }
    edited = GOOD.replace("pool_slot: 3", "pool_slot: 5").replace("developer_token: tok", "developer_token: tok2")
    changed = apply(parse(edited))
    assert changed["pools"].updated == ["test_api"] and changed["connections"].updated == ["gads"]

    with create_session() as session:
        conn = session.scalar(select(Connection).where(Connection.conn_id == "wh"))
        assert (conn.host, conn.port, conn.password) == ("db.internal", 5432, "s3cret")
        gads = session.scalar(select(Connection).where(Connection.conn_id == "gads"))
        assert gads.extra_dejson == {"developer_token": "tok2"}
        assert session.scalar(select(Pool).where(Pool.pool == "test_api")).slots == 5
        assert session.scalar(select(Variable).where(Variable.key == "limits")).val == '{"daily": 5}'
