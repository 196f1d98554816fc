"""Discovery through the real client libraries against the sandbox's hierarchy and business, compared
with what the sandbox itself holds, and the registry diff and write on a copy of the demo registry."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import google_ads_hierarchy as tree
from sandbox import meta_accounts

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _leaves(node, out):
    for child in node.children:
        if child.manager:
            _leaves(child, out)
        else:
            out[child.id] = child
    return out


def test_google_walk_finds_every_account_below_the_manager_once(airflow_db, fresh_sandbox) -> None:
    from ads_sync.sources.google_ads import discovery as google_ads
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    found = google_ads.discover(GoogleAdsApiHook(login_customer_id=tree.DEMO_MCC), tree.DEMO_MCC)
    expected = _leaves(tree.TREE, {})
    assert {f.account_id for f in found.accounts} == set(expected)
    for f in found.accounts:
        node = expected[f.account_id]
        assert (f.name, f.timezone, f.currency, f.status) == (node.name, node.time_zone, node.currency, node.status)
        assert f.login_customer_id == tree.DEMO_MCC
    assert {f.account_id: f.apart for f in found.accounts if f.apart} == {
        "5678901234": "cancelled", "8901234567": "suspended", "7890123456": "test"}
    # breadth-first: one customer_client query per manager, the nested ones included
    assert found.managers == ["9990001112", "9990002223", "9990003334"]
    queries = fresh_sandbox.requests.filter(service="google_ads")
    assert [q["customer_id"] for q in queries] == found.managers
    assert all("customer_client.level <= 1" in q["query"] for q in queries)
    assert {q["login_customer_id"] for q in queries} == {tree.DEMO_MCC}


def test_meta_business_lists_owned_then_client_accounts(airflow_db, fresh_sandbox) -> None:
    from ads_sync.sources.meta import discovery as meta
    from ads_sync.sources.meta.hook import MetaAdsHook

    found = meta.discover(MetaAdsHook(), meta_accounts.DEMO_BUSINESS)
    edges = meta_accounts.BUSINESSES[meta_accounts.DEMO_BUSINESS]
    assert [f.account_id for f in found.accounts] == [*edges["owned_ad_accounts"], *edges["client_ad_accounts"]]
    assert {f.account_id: f.apart for f in found.accounts if f.apart} == {
        "301000000000002": "closed", "302000000000003": "disabled"}
    mine = meta.discover(MetaAdsHook(), None)
    assert {f.account_id for f in mine.accounts} == set(meta_accounts.ME)


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    """The command in this process, on the session's sandbox connections."""
    from ads_sync import cli

    code = cli.main(["discover", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_starts_the_sandbox_when_no_connection_is_configured(tmp_path) -> None:
    import os

    registry = tmp_path / "accounts.yaml"
    shutil.copy(ROOT / "include" / "accounts.yaml", registry)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["PYTHONPATH"] = f"{ROOT / 'plugins'}:{ROOT}"
    out = subprocess.run([sys.executable, "-m", "ads_sync.cli", "discover", "meta", "--registry", str(registry)],
                         capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "using the offline sandbox" in out.stderr
    assert "+ new      meta 301000000000001 'Fjord & Fell Outlet'" in out.stdout
    assert "2 unchanged" in out.stdout


def test_cli_diff_json_and_write_keep_comments_and_never_delete(tmp_path, sandbox, capsys) -> None:
    registry = tmp_path / "accounts.yaml"
    shutil.copy(ROOT / "include" / "accounts.yaml", registry)
    original = registry.read_text()
    # an entry the manager no longer has: gone, so --write marks it inactive instead of deleting it
    registry.write_text(original + '\n  - platform: google_ads\n    account_id: "1112223334"\n'
                        '    name: Left The Agency  # hand comment\n    timezone: Europe/Paris\n    currency: EUR\n'
                        '    login_customer_id: "9990001112"\n    lookback_days: 14\n')
    args = ("google", "--manager", tree.DEMO_MCC, "--registry", str(registry))

    code, text, _ = _cli(capsys, *args)
    assert code == 0
    assert "+ new      google_ads 4567890123 'Alpen Ski Verleih'" in text
    assert "name 'Sunset Surf Co (via agency MCC)' -> 'Sunset Surf Co'" in text
    assert "- gone     google_ads 1112223334" in text
    assert "Closed Bakery GmbH" in text and "--include-inactive" in text

    _, machine, _ = _cli(capsys, *args, "--json")
    (d,) = json.loads(machine)["discoveries"]  # JSON only on stdout
    assert sorted(f["account_id"] for f in d["new"]) == ["4567890123", "6789012345"]
    assert [g["account_id"] for g in d["gone"]] == ["1112223334"]
    assert d["changed"][0]["changes"] == {"name": {"registry": "Sunset Surf Co (via agency MCC)",
                                                   "platform": "Sunset Surf Co"}}

    before = registry.read_text()
    code, _, err = _cli(capsys, *args, "--write")
    assert code == 0 and "2 added, 1 updated, 1 set active: false" in err
    after = registry.read_text()
    for line in before.splitlines():
        if line.lstrip().startswith("#"):
            assert line in after  # every comment survives
    assert "# hand comment" in after and "lookback_days: 14" in after
    from ads_sync.registry import load_registry

    loaded = load_registry(registry)
    assert not loaded.errors
    by_id = {a.account_id: a for a in loaded.accounts}
    assert by_id["1112223334"].active is False and by_id["1112223334"].lookback_days == 14
    assert by_id["4567890123"].option("login_customer_id") == tree.DEMO_MCC
    assert by_id["4567890123"].timezone == "Europe/Vienna"
    assert by_id["3456789012"].name == "Sunset Surf Co" and by_id["3456789012"].sheet == "sandbox-sunset-surf"
    assert "5678901234" not in by_id  # cancelled: only with --include-inactive
    assert len(loaded.accounts) == 8

    _, again, _ = _cli(capsys, *args, "--json")
    (d,) = json.loads(again)["discoveries"]
    assert (d["new"], d["changed"], d["gone"]) == ([], [], [])


def test_the_discover_dag_records_the_diff_and_leaves_the_registry_alone(airflow_db, db, fresh_sandbox) -> None:
    from airflow.dag_processing.dagbag import DagBag

    before = (ROOT / "include" / "accounts.yaml").read_bytes()
    dag = DagBag(dag_folder=str(ROOT / "dags")).dags["ads_sync__discover"]
    assert dag.schedule is None or dag.timetable.summary  # manual unless ADS_SYNC_DISCOVER_SCHEDULE is set
    assert dag.test().state == "success"
    assert (ROOT / "include" / "accounts.yaml").read_bytes() == before
    rows = db.execute("SELECT platform, root, change, account_id FROM ads_sync.discovered_accounts"
                      " ORDER BY platform, change, account_id").fetchall()
    # no conf: every manager the registry logs in through (the demo MCC) and Meta's /me
    assert rows == [
        ("google_ads", "9990001112", "apart", "5678901234"), ("google_ads", "9990001112", "apart", "7890123456"),
        ("google_ads", "9990001112", "apart", "8901234567"), ("google_ads", "9990001112", "changed", "3456789012"),
        ("google_ads", "9990001112", "new", "4567890123"), ("google_ads", "9990001112", "new", "6789012345"),
        ("meta", "me", "apart", "301000000000002"), ("meta", "me", "apart", "302000000000003"),
        ("meta", "me", "new", "301000000000001"),
    ]
