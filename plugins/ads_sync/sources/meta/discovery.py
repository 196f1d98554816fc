"""Meta: the ad accounts a token can read (`/me/adaccounts`), or those a business owns and manages for
clients (`/<business>/owned_ad_accounts` and `/<business>/client_ad_accounts`)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ads_sync.discovery import Apart, Discovery, Found

if TYPE_CHECKING:
    from ads_sync.registry import Account

FIELDS = ("account_id", "name", "timezone_name", "currency", "account_status")
#: account_status codes (Marketing API AdAccount reference)
STATUS = {1: "ACTIVE", 2: "DISABLED", 3: "UNSETTLED", 7: "PENDING_RISK_REVIEW", 8: "PENDING_SETTLEMENT",
          9: "IN_GRACE_PERIOD", 100: "PENDING_CLOSURE", 101: "CLOSED", 201: "ANY_ACTIVE", 202: "ANY_CLOSED"}
#: statuses that cannot deliver; unsettled and grace-period accounts still can, so they stay in
APART_STATUS: dict[int, Apart] = {2: "disabled", 100: "closed", 101: "closed", 202: "closed"}
EDGES = ("owned_ad_accounts", "client_ad_accounts")
PAGE_LIMIT = 100


def walk(conn_id: str, root: str | None) -> Discovery:
    """What the spec's `discovery` names: a business's accounts, or (no root) the token's own."""
    from ads_sync.sources.meta.hook import MetaAdsHook

    return discover(MetaAdsHook(conn_id), root)


def roots(accounts: Iterable[Account]) -> set[tuple[str | None, str]]:
    """Each connection's own accounts (a business is walked only when asked for)."""
    return {(None, a.conn_id) for a in accounts}


def in_scope(account: Account, found: Discovery, conn_id: str | None) -> bool:
    """Only a walk of the token's own accounts can say one is gone (a business walk cannot)."""
    return found.root == "me" and (conn_id is None or account.conn_id == conn_id)


def discover(hook: Any, business_id: str | None = None) -> Discovery:
    """`hook` is a MetaAdsHook; with a business, its owned then its client accounts, each once."""
    result = Discovery(platform="meta", root=business_id or "me")
    params = {"fields": ",".join(FIELDS), "limit": PAGE_LIMIT}
    sources = [((business_id, edge), edge) for edge in EDGES] if business_id else [(("me", "adaccounts"), "me")]
    seen: set[str] = set()
    for path, parent in sources:
        for obj in hook.paged(path, params, what="/".join(path)):
            account_id = str(obj.get("account_id") or str(obj["id"]).removeprefix("act_"))
            if account_id in seen:
                continue
            seen.add(account_id)
            code = int(obj.get("account_status") or 0)
            result.accounts.append(Found(
                platform="meta", account_id=account_id, name=str(obj.get("name") or ""),
                timezone=str(obj.get("timezone_name") or ""), currency=str(obj.get("currency") or ""),
                status=STATUS.get(code, f"UNKNOWN_{code}"), apart=APART_STATUS.get(code), parent=parent,
            ))
    result.requests = hook.requests
    return result
