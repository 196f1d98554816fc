"""The actions, carried out through Airflow's own REST API with the user's own token, so Airflow
applies that user's permissions (and its Param validation) exactly as for a trigger from its UI.

The request goes to the api-server that serves this one (the address of the socket it arrived on),
so it needs no configured URL; the routes are synchronous, so the server's event loop stays free to
answer it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Request


@dataclass(frozen=True)
class Triggered:
    """One POST /dagRuns: the run it created, or what Airflow answered instead."""

    conf: dict[str, Any]
    run_id: str | None
    error: str | None = None


def api_base(request: Request, airflow_root: str) -> str:
    """This api-server's own socket (not the browser's URL, which may be a proxy's)."""
    from airflow.configuration import conf

    host, port = request.scope.get("server") or (request.url.hostname, request.url.port)
    scheme = "https" if conf.get("api", "ssl_cert", fallback="") else "http"
    return f"{scheme}://{host}:{port}{airflow_root}"


def repair_confs(gap_ranges: list[tuple[date, date]]) -> list[dict[str, Any]]:
    """One force_sync per contiguous gap range."""
    return [{"start_date": start.isoformat(), "end_date": end.isoformat()} for start, end in gap_ranges]


def trigger_all(base: str, token: str, dag_id: str, confs: list[dict[str, Any]]) -> list[Triggered]:
    """Unpause the force_sync DAG if needed (a paused DAG's runs wait in the queue, which is what the
    trigger form's "Unpause on trigger" box avoids too), then one run per conf."""
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v2/dags/{quote(dag_id, safe='')}"
    out = []
    with httpx.Client(base_url=base, headers=headers, timeout=30.0) as http:
        dag = http.get(path)
        if dag.status_code != 200:
            return [Triggered(c, None, _error(dag)) for c in confs]
        if dag.json().get("is_paused"):
            unpaused = http.patch(path, json={"is_paused": False})
            if unpaused.status_code != 200:
                return [Triggered(c, None, _error(unpaused)) for c in confs]
        for conf in confs:
            resp = http.post(f"{path}/dagRuns", json={"logical_date": None, "conf": conf})
            if resp.status_code == 200:
                out.append(Triggered(conf, resp.json()["dag_run_id"]))
            else:
                out.append(Triggered(conf, None, _error(resp)))
    return out


def _error(resp: httpx.Response) -> str:
    try:
        detail = resp.json().get("detail", resp.text)
    except ValueError:
        detail = resp.text
    return f"Airflow answered {resp.status_code}: {detail}"
