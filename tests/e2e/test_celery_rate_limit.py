"""The API rate limit is shared by every worker: two Celery workers with 4 slots each, the Google Ads
pool wide open, and a limit of N requests per second on the developer token (connection extra
`rate_limit_per_second`, counted in Redis through the `ads_sync_redis` connection). The sandbox's own
request log shows that no 1-second window ever holds more than N requests, and every run succeeds."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from ads_sync import airflow_local as al
from ads_sync import local, ratelimit
from tests.e2e.conftest import (
    Deployment,
    drop_metadata,
    fresh_metadata,
    google_accounts,
    start_deployment,
    stop_local_airflow,
)
from tests.e2e.test_celery_scale_out import redis_url

pytestmark = pytest.mark.timeout(900)

LIMIT = 3  # requests per second for the whole deployment
WORKERS, SLOTS = 2, 4
REDIS_DB = 7


@pytest.fixture(scope="module")
def limited_celery(
    e2e_sandbox: tuple[Any, Any], migrated_warehouse: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    import redis

    stop_local_airflow()
    remote, client = e2e_sandbox
    base = tmp_path_factory.mktemp("e2e-rate-limit")
    services = al.Processes(base / "service-logs")
    metadata = fresh_metadata(migrated_warehouse)
    queue = f"ads-sync-e2e-{secrets.token_hex(3)}"
    google = json.loads(local.sandbox_connection("google_ads", remote))
    google["extra"].update({"rate_limit_per_second": LIMIT, "rate_limit_per_day": 0, "rate_limit_margin_ms": MARGIN_MS})
    try:
        broker = redis_url(services, base)
        limiter_redis = broker.rsplit("/", 1)[0] + f"/?db={REDIS_DB}"
        store = redis.Redis.from_url(broker.rsplit("/", 1)[0] + f"/{REDIS_DB}")
        for key in store.scan_iter(f"{ratelimit.KEY_PREFIX}:*"):  # counts of an earlier run
            store.delete(key)
        deployment = start_deployment(
            "celery-limited", base=base, sandbox=remote, warehouse=migrated_warehouse, executor="CeleryExecutor",
            metadata_url=metadata,
            extra_env={
                "AIRFLOW__CELERY__BROKER_URL": broker,
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata}",
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
                "AIRFLOW_CONN_GOOGLE_ADS_DEFAULT": json.dumps(google),
                "AIRFLOW_CONN_ADS_SYNC_REDIS": limiter_redis,
            },
            workers=WORKERS, queue=queue, worker_concurrency=SLOTS,
        )
        deployment.sandbox = client
        try:
            yield deployment
        finally:
            deployment.processes.stop(timeout=10)
    finally:
        services.stop(timeout=5)
        drop_metadata(metadata)


def busiest(stamps: list[datetime], seconds: float) -> int:
    """The most requests the sandbox received in any window of that length."""
    times = sorted(s.timestamp() for s in stamps)
    return max(sum(1 for t in times[i:] if t < start + seconds) for i, start in enumerate(times))


#: the deployment's grant-to-arrival slack (connection extra `rate_limit_margin_ms`): a task process granted
#: a slot still builds its channel and sends, on a 2-core machine that also runs Airflow, two workers and
#: the sandbox; the limiter's exact window is checked by tests/unit/test_ratelimit.py on the same Redis
MARGIN_MS = 1000


def test_no_second_of_the_sandbox_log_exceeds_the_shared_limit(limited_celery: Deployment) -> None:
    api, sandbox = limited_celery.api, limited_celery.sandbox
    api.ok("PATCH", "/api/v2/pools/google_ads_api",
           {"pool": "google_ads_api", "slots": WORKERS * SLOTS, "include_deferred": False}, update_mask="slots")
    sandbox.reset()
    runs = {}
    for account in google_accounts():
        for kind, conf in (("force_sync", {"preset": "last_30_days"}), ("daily", {}), ("weekly", {})):
            dag_id = f"ads_sync__google_ads__{account.account_id}__{kind}"
            api.set_paused(dag_id, False)
            resp = api.trigger(dag_id, conf)
            assert resp.status_code == 200, resp.text
            runs[dag_id] = resp.json()["dag_run_id"]
    finals = api.wait_for_runs(runs, timeout=600)
    assert finals == {d: "success" for d in runs}, finals

    calls = sandbox.requests.filter(service="google_ads")
    assert len(calls) >= 3 * len(runs), len(calls)  # enough requests that an unshared limit would overrun
    stamps = [datetime.fromisoformat(c["at"]) for c in calls]
    assert busiest(stamps, 1.0) <= LIMIT, sorted(stamps)  # as the platform counts: on arrival
    # the requests really came from both workers at once (else nothing was shared)
    for n in range(1, WORKERS + 1):
        log = limited_celery.processes.log_path(f"celery-worker-{n}").read_text(errors="replace")
        assert "execute_workload" in log or "ExecuteTask" in log, f"worker {n} ran nothing"
