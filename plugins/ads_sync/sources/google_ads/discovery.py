"""Google Ads: the client accounts under a manager (MCC), walked breadth-first over `customer_client`.

`ListAccessibleCustomers` returns only the customers the user reaches directly and ignores
`login-customer-id`, so it misses accounts reached through a manager. Instead each manager is asked for
itself and its direct children (`customer_client.level <= 1`), and every child that is a manager is
asked in turn; the manager discovery starts from is the login-customer-id for all of them.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ads_sync.discovery import Apart, Discovery, Found

if TYPE_CHECKING:
    from ads_sync.registry import Account

QUERY = (
    "SELECT customer_client.client_customer, customer_client.id, customer_client.level, "
    "customer_client.manager, customer_client.descriptive_name, customer_client.currency_code, "
    "customer_client.time_zone, customer_client.status, customer_client.test_account "
    "FROM customer_client WHERE customer_client.level <= 1"
)
#: CustomerStatus values that cannot deliver ads
APART_STATUS: dict[str, Apart] = {"CANCELED": "cancelled", "SUSPENDED": "suspended", "CLOSED": "closed"}


def _status_name(client: Any) -> str:
    enum = client.DESCRIPTOR.fields_by_name["status"].enum_type
    value = enum.values_by_number.get(client.status)
    return value.name if value else f"UNRECOGNIZED_{client.status}"


def walk(conn_id: str, root: str | None) -> Discovery:
    """What the spec's `discovery` names: every account below the manager `root`, logging in through it."""
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    if not root:
        raise ValueError("Google Ads discovery needs the manager account id (--manager 1234567890)")
    manager = root.replace("-", "")
    return discover(GoogleAdsApiHook(conn_id, login_customer_id=manager), manager)


def roots(accounts: Iterable[Account]) -> set[tuple[str | None, str]]:
    """The managers the registry logs in through, with their connections: what a walk of everything starts
    from."""
    return {(a.option("login_customer_id"), a.conn_id) for a in accounts if a.option("login_customer_id")}


def in_scope(account: Account, found: Discovery, conn_id: str | None) -> bool:
    """A walk sees the entries that log in through the walked managers: only those can be gone."""
    login = account.option("login_customer_id")
    return login is not None and (login == found.root or login in found.managers)


def discover(hook: Any, manager_id: str) -> Discovery:
    """Every account below `manager_id`; `hook` is a GoogleAdsApiHook logging in through it."""
    result = Discovery(platform="google_ads", root=manager_id)
    queue, seen = deque([manager_id]), {manager_id}
    while queue:
        manager = queue.popleft()
        result.managers.append(manager)
        for row in hook.search_stream(manager, QUERY):
            client = row.customer_client
            account_id = str(client.id)
            if client.level == 0 or account_id in seen:
                continue  # the manager itself, or an account reached through two managers
            seen.add(account_id)
            if client.manager:
                queue.append(account_id)
                continue
            status = _status_name(client)
            apart: Apart | None = "test" if client.test_account else APART_STATUS.get(status)
            result.accounts.append(Found(
                platform="google_ads", account_id=account_id, name=client.descriptive_name,
                timezone=client.time_zone, currency=client.currency_code, status=status, apart=apart,
                login_customer_id=manager_id, parent=manager,
            ))
    result.requests = hook.requests
    return result
