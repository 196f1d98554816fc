"""The token's user (`/me`, what a connection test asks) and the ad accounts it can read: `/me/adaccounts`,
and a business's `owned_ad_accounts` and `client_ad_accounts`, for discovery. The demo business owns the
Fjord & Fell accounts (one of them closed) and manages Prairie Pantry and a disabled account for clients.
"""

from __future__ import annotations

from typing import Any

from .httpd import Request, Response, Router

DEMO_BUSINESS = "3000000000001"

#: account_status: 1 ACTIVE, 2 DISABLED, 3 UNSETTLED, 7 PENDING_RISK_REVIEW, 9 IN_GRACE_PERIOD, 101 CLOSED
_ACCOUNTS: dict[str, dict[str, Any]] = {
    str(a["account_id"]): {"id": f"act_{a['account_id']}", **a} for a in (
        {"account_id": "104857600123456", "name": "Fjord & Fell Knitwear", "timezone_name": "Europe/Oslo",
         "currency": "NOK", "account_status": 1},
        {"account_id": "301000000000001", "name": "Fjord & Fell Outlet", "timezone_name": "Europe/Oslo",
         "currency": "NOK", "account_status": 1},
        {"account_id": "301000000000002", "name": "Fjord & Fell 2019 Archive", "timezone_name": "Europe/Oslo",
         "currency": "NOK", "account_status": 101},
        {"account_id": "209715200654321", "name": "Prairie Pantry Co", "timezone_name": "America/Chicago",
         "currency": "USD", "account_status": 1},
        {"account_id": "302000000000003", "name": "Maple Leaf Gifts", "timezone_name": "America/Toronto",
         "currency": "CAD", "account_status": 2},
    )
}
BUSINESSES: dict[str, dict[str, tuple[str, ...]]] = {
    DEMO_BUSINESS: {
        "owned_ad_accounts": ("104857600123456", "301000000000001", "301000000000002"),
        "client_ad_accounts": ("209715200654321", "302000000000003"),
    },
}
#: the system user the sandbox's access token belongs to
SYSTEM_USER = {"id": "122100000000000001", "name": "ads-sync sandbox system user"}
#: what the system user's token sees: every account of the business
ME = tuple(a for edges in BUSINESSES.values() for ids in edges.values() for a in ids)


def mount_accounts(router: Router, graph: Any, base: str) -> None:
    """Routes on the Graph emulator (`graph` is its MetaGraph: logging, auth, faults and paging)."""

    def listing(request: Request, ids: tuple[str, ...], resource: str) -> Response:
        from .meta import _decode

        def handle(params: dict[str, str]) -> dict[str, Any]:
            fields = [f for f in params.get("fields", "id").split(",") if f] or ["id"]
            start = _decode(params["after"])[1] if params.get("after") else 0
            rows = (((0, i + 1), {k: _ACCOUNTS[a][k] for k in ["id", *fields] if k in _ACCOUNTS[a]})
                    for i, a in enumerate(ids) if i >= start)
            return graph._page(request.path, params, rows, graph._limit(params))

        return graph._serve(request, resource, None, handle)

    def me(request: Request) -> Response:
        return listing(request, ME, "adaccounts")

    def business(request: Request) -> Response:
        from .meta import GraphError

        edge = request.path.rsplit("/", 1)[-1]
        ids = BUSINESSES.get(request.params["business"], {}).get(edge)
        if ids is None:
            def refuse(_: dict[str, str]) -> dict[str, Any]:
                raise GraphError(400, 100, f"Unsupported get request. Object with ID '{request.params['business']}' "
                                 "does not exist, cannot be loaded due to missing permissions, or does not support "
                                 "this operation.", subcode=33, kind="GraphMethodException")

            return graph._serve(request, edge, None, refuse)
        return listing(request, ids, edge)

    def user(request: Request) -> Response:
        def handle(params: dict[str, str]) -> dict[str, Any]:
            fields = [f for f in params.get("fields", "id,name").split(",") if f] or ["id", "name"]
            return {k: SYSTEM_USER[k] for k in ["id", *fields] if k in SYSTEM_USER}

        return graph._serve(request, "me", None, handle)

    router.add("GET", f"{base}/me", user)
    router.add("GET", f"{base}/me/adaccounts", me)
    for edge in ("owned_ad_accounts", "client_ad_accounts"):
        router.add("GET", f"{base}/{{business}}/{edge}", business)
