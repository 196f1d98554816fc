"""Who may see and repair which account, decided by Airflow's configured auth manager.

Airflow mounts plugin apps without authentication, so every route of the app depends on
`airflow.api_fastapi.core_api.security.get_user` (401/403 without a valid token, from the
Authorization header or the UI's `_token` cookie). An account is visible only to a user who may read
every one of its DAGs; an action needs the right to trigger runs of its force_sync DAG. A hidden
account answers 404, like one that does not exist, so its existence does not leak either.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, status

from ads_sync.dag_factory import dag_id, kinds_for

NOT_FOUND = "No such account (or you may not see it)"

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

    from ads_sync.registry import Account, Registry


def account_dag_ids(account: Account) -> list[str]:
    return [dag_id(account, kind) for kind in kinds_for(account)]


def visible_accounts(user: BaseUser, accounts: Iterable[Account]) -> list[Account]:
    """The accounts whose every DAG the user may read (one auth-manager call for all of them)."""
    from airflow.api_fastapi.app import get_auth_manager

    readable = get_auth_manager().get_authorized_dag_ids(user=user, method="GET")
    return [a for a in accounts if set(account_dag_ids(a)) <= readable]


def _team_requests(dag_ids: Sequence[str], method: str, entity: object | None) -> list[dict[str, object]]:
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails
    from airflow.models.dag import DagModel

    teams = DagModel.get_dag_id_to_team_name_mapping(list(dag_ids))
    return [
        {"method": method, "access_entity": entity, "details": DagDetails(id=d, team_name=teams.get(d))}
        for d in dag_ids
    ]


def may_read(user: BaseUser, account: Account) -> bool:
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager().batch_is_authorized_dag(
        _team_requests(account_dag_ids(account), "GET", None), user=user  # type: ignore[arg-type]
    )


def may_trigger(user: BaseUser, account: Account) -> bool:
    """What Airflow's own POST /api/v2/dags/{dag_id}/dagRuns requires, for the force_sync DAG."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity

    return get_auth_manager().batch_is_authorized_dag(
        _team_requests([dag_id(account, "force_sync")], "POST", DagAccessEntity.RUN),  # type: ignore[arg-type]
        user=user,
    )


def readable_account(registry: Registry, user: BaseUser, platform: str, account_id: str) -> Account:
    """The registry account named by the path, if the user may read it; 404 otherwise."""
    account = next(
        (a for a in registry.accounts if a.platform == platform and a.account_id == account_id), None
    )
    if account is None or not may_read(user, account):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return account


def account_of_dag(registry: Registry, the_dag_id: str) -> Account | None:
    return next((a for a in registry.accounts if the_dag_id in account_dag_ids(a)), None)


def user_token(request: Request) -> str:
    """The caller's own token (header first, as Airflow's get_user decides), to act in their name."""
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE_NAME_JWT_TOKEN, "")


def same_origin(request: Request) -> None:
    """Refuse a state-changing request another site's page made (the cookie is SameSite=Lax already)."""
    from urllib.parse import urlsplit

    origin = request.headers.get("origin")
    # hosts, not schemes: behind a TLS-terminating proxy the browser's https is plain http here
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Cross-origin request refused")
