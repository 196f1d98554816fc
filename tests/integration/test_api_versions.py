"""A turned-off API version, as the platforms answer it, through the real client libraries and hooks:
it fails at once with "upgrade ads-sync" and the date, and is never retried."""
from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Fault

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_google_unsupported_version_fails_the_run_at_once(airflow_db, db, fresh_sandbox) -> None:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags")).dags["ads_sync__google_ads__1234567890__daily"]
    fresh_sandbox.faults.add(Fault(service="google_ads", error="UNSUPPORTED_VERSION", times=-1))
    try:
        run = dag.test()
    finally:
        fresh_sandbox.faults.clear()
    assert run.state == "failed"
    extract = next(ti for ti in run.get_task_instances() if ti.task_id == "extract")
    assert extract.try_number == 1
    # one request: the entity query was refused and nothing was retried
    assert fresh_sandbox.requests.count(service="google_ads") == 1
    status, error = db.execute(
        "SELECT status, last_error FROM ads_sync.account_status WHERE account_id = '1234567890'").fetchone()
    assert status == "failed"
    assert "UnsupportedApiVersion" in error and "Upgrade ads-sync / the client library" in error
    assert "UNSUPPORTED_VERSION" in error


def test_google_hook_raises_the_real_client_exception_and_classifies_it(airflow_db, fresh_sandbox) -> None:
    from google.ads.googleads.errors import GoogleAdsException

    from ads_sync.errors import UnsupportedApiVersion
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    fresh_sandbox.faults.add(Fault(service="google_ads", error="UNSUPPORTED_VERSION"))
    hook = GoogleAdsApiHook()
    with pytest.raises(GoogleAdsException) as raised:
        list(hook.search_stream("1234567890", "SELECT customer.id FROM customer"))
    err = hook.classify(raised.value)
    assert isinstance(err, UnsupportedApiVersion)
    assert "v26" in str(err) and "upgrade" in str(err).lower()


def test_meta_error_2635_fails_at_once_naming_the_expiry(airflow_db, fresh_sandbox, monkeypatch) -> None:
    from ads_sync import versions
    from ads_sync.errors import UnsupportedApiVersion
    from ads_sync.retry import RetryPolicy
    from ads_sync.sources.meta.hook import MetaAdsHook

    # as it would read the day after v25.0 expired, had we still called it
    monkeypatch.setattr(versions, "in_use", lambda: {"google_ads": "v26", "meta": "v25.0"})
    fresh_sandbox.faults.add(Fault(service="meta", error="DEPRECATED_VERSION", times=-1))
    hook = MetaAdsHook(policy=RetryPolicy(attempts=3, base_delay=0.01), sleep=lambda s: None)
    with pytest.raises(UnsupportedApiVersion) as raised:
        list(hook.entities("104857600123456", "campaigns", ("id",)))
    assert "2027-02-23" in str(raised.value) and "#2635" in str(raised.value)
    assert "Upgrade ads-sync / the client library" in str(raised.value)
    assert fresh_sandbox.requests.count(service="meta") == 1
