"""A small client for Airflow 3's REST API (v2), as a user would drive it: token, trigger, poll, read logs."""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx

FINISHED = {"success", "failed"}


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self._token: str | None = None
        self.http = httpx.Client(base_url=self.base_url, timeout=30.0)

    def token(self) -> str:
        """POST /auth/token: the bearer token every other call carries."""
        if self._token is None:
            resp = self.http.post("/auth/token", json={"username": self.username, "password": self.password})
            resp.raise_for_status()
            self._token = resp.json()["access_token"]
        return self._token

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.http.request(
            method, path, json=body, params={k: v for k, v in params.items() if v is not None},
            headers={"Authorization": f"Bearer {self.token()}"},
        )

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        resp = self.call(method, path, body, **params)
        if resp.status_code >= 300:
            raise AssertionError(f"{method} {path} -> {resp.status_code}: {resp.text}")
        return resp.json() if resp.content else None

    # -- DAGs and runs ---------------------------------------------------------------------------
    def dag(self, dag_id: str) -> dict[str, Any]:
        return self.ok("GET", f"/api/v2/dags/{dag_id}")

    def dag_ids(self, pattern: str) -> set[str]:
        """Every DAG id matching `pattern`, page by page: the api-server caps a page at
        `[api] maximum_page_limit` (100 by default) whatever `limit` asks, so one request never sees more.

        The offset is the rows read, not the ids found: while the dag-processor adds DAGs the pages shift, and
        an offset of len(found) could then ask for the same page of already-seen ids forever. A scan that raced
        may miss ids; wait_for_dags scans again."""
        found: set[str] = set()
        offset = 0
        while True:
            page = self.ok("GET", "/api/v2/dags", limit=100, offset=offset, dag_id_pattern=pattern,
                           order_by="dag_id")
            found |= {d["dag_id"] for d in page["dags"]}
            offset += len(page["dags"])
            if not page["dags"] or offset >= page["total_entries"]:
                return found

    def wait_for_dags(self, dag_ids: set[str], timeout: float = 180.0) -> None:
        """Until the dag-processor has serialized every one of `dag_ids`."""
        deadline = time.monotonic() + timeout
        found: set[str] = set()
        while time.monotonic() < deadline:
            found = self.dag_ids("ads_sync")
            if dag_ids <= found:
                return
            time.sleep(1)
        raise TimeoutError(f"DAGs not parsed within {timeout:.0f} s: {sorted(dag_ids - found)}")

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.ok("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": paused})

    def trigger(self, dag_id: str, conf: Any, logical_date: str | None = None) -> httpx.Response:
        """POST /api/v2/dags/{dag_id}/dagRuns; `logical_date` must be present (null is fine)."""
        return self.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": logical_date, "conf": conf})

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return self.ok("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")

    def runs(self, dag_id: str, run_type: str | None = None) -> list[dict[str, Any]]:
        runs = self.ok("GET", f"/api/v2/dags/{dag_id}/dagRuns", limit=100, order_by="logical_date")["dag_runs"]
        return [r for r in runs if run_type is None or r["run_type"] == run_type]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 240.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(dag_id, run_id)
            if run["state"] in FINISHED:
                return run
            time.sleep(1)
        raise TimeoutError(f"{dag_id} {run_id} did not finish within {timeout:.0f} s: {run['state']}")

    def wait_for_runs(self, runs: dict[str, str], timeout: float = 600.0) -> dict[str, str]:
        """dag_id -> final state for many runs at once; an api-server too busy to answer within the
        client's timeout (many workers on a small machine) is asked again on the next round."""
        deadline = time.monotonic() + timeout
        pending, finals = dict(runs), {}
        while pending and time.monotonic() < deadline:
            for dag_id, run_id in list(pending.items()):
                try:
                    state = self.run(dag_id, run_id)["state"]
                except httpx.TimeoutException:
                    continue
                if state in FINISHED:
                    finals[dag_id] = state
                    del pending[dag_id]
            if pending:
                time.sleep(2)
        if pending:
            raise TimeoutError(f"{len(pending)} runs did not finish within {timeout:.0f} s: {sorted(pending)[:5]}")
        return finals

    def task_instances(self, dag_id: str, run_id: str) -> dict[str, dict[str, Any]]:
        tis = self.ok("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances")
        return {ti["task_id"]: ti for ti in tis["task_instances"]}

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        """The task's log as text (the structured entries' events joined)."""
        body = self.ok(
            "GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/logs/{try_number}"
        )
        content = body.get("content", "")
        if isinstance(content, str):
            return content
        return "\n".join(
            str(entry.get("event", "")) + " " + str(entry.get("error_detail", "")) if isinstance(entry, dict)
            else str(entry) for entry in content
        )
