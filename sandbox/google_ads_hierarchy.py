"""The account hierarchy behind the demo manager (MCC) and `FROM customer_client` over it.

Like the real API, `customer_client` on a customer returns that customer itself (level 0) and every
account below it with its level; `WHERE customer_client.level <= 1` keeps the customer and its direct
children, which is how discovery walks the tree breadth-first, one query per manager. The tree holds
nested managers, a cancelled, a suspended and a test account, so discovery has each case to sort.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from google.ads.googleads.v26.services.types import google_ads_service

from .data import Volume
from .gaql import Condition, GaqlError, parse

_Row = google_ads_service.GoogleAdsRow.pb()


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    currency: str
    time_zone: str
    status: str = "ENABLED"  # CustomerStatus: ENABLED, CANCELED, SUSPENDED, CLOSED
    manager: bool = False
    test: bool = False
    children: tuple[Customer, ...] = ()


DEMO_MCC = "9990001112"

TREE = Customer(
    DEMO_MCC, "Wave Agency MCC", "USD", "America/Los_Angeles", manager=True, children=(
        # in the demo registry (named there "Sunset Surf Co (via agency MCC)")
        Customer("3456789012", "Sunset Surf Co", "USD", "America/Los_Angeles"),
        Customer("9990002223", "Wave Agency EMEA", "EUR", "Europe/Berlin", manager=True, children=(
            Customer("4567890123", "Alpen Ski Verleih", "EUR", "Europe/Vienna"),
            Customer("5678901234", "Closed Bakery GmbH", "EUR", "Europe/Berlin", status="CANCELED"),
            Customer("9990003334", "Wave Agency Nordics", "SEK", "Europe/Stockholm", manager=True, children=(
                Customer("6789012345", "Nordic Tea House", "SEK", "Europe/Stockholm"),
            )),
        )),
        Customer("7890123456", "Wave QA test account", "USD", "America/New_York", test=True),
        Customer("8901234567", "Paused Policy Shop", "USD", "America/Chicago", status="SUSPENDED"),
    ),
)


#: what CustomerService.ListAccessibleCustomers answers: the customers the OAuth user reaches directly (the
#: demo registry's two standalone accounts and the agency manager), not the ones below the manager
DIRECTLY_ACCESSIBLE = ("1234567890", "2345678901", DEMO_MCC)


def _index(node: Customer, out: dict[str, Customer]) -> dict[str, Customer]:
    out[node.id] = node
    for child in node.children:
        _index(child, out)
    return out


CUSTOMERS = _index(TREE, {})


def _below(node: Customer, level: int = 0) -> Iterator[tuple[Customer, int]]:
    yield node, level
    for child in node.children:
        yield from _below(child, level + 1)


def _value(customer: Customer, level: int, field: str) -> Any:
    return {
        "customer_client.client_customer": f"customers/{customer.id}",
        "customer_client.id": int(customer.id),
        "customer_client.level": level,
        "customer_client.manager": customer.manager,
        "customer_client.descriptive_name": customer.name,
        "customer_client.currency_code": customer.currency,
        "customer_client.time_zone": customer.time_zone,
        "customer_client.status": customer.status,
        "customer_client.test_account": customer.test,
        "customer_client.hidden": False,
    }[field]


FIELDS = frozenset({
    "customer_client.client_customer", "customer_client.id", "customer_client.level", "customer_client.manager",
    "customer_client.descriptive_name", "customer_client.currency_code", "customer_client.time_zone",
    "customer_client.status", "customer_client.test_account", "customer_client.hidden",
})


def _coerce(value: Any, like: Any) -> Any:
    if isinstance(like, bool):
        return str(value).upper() == "TRUE"
    if isinstance(like, int):
        return int(value)
    return str(value)


def _holds(cond: Condition, actual: Any) -> bool:
    values = [_coerce(v, actual) for v in cond.values]
    ops = {
        "=": lambda: actual == values[0], "!=": lambda: actual != values[0], "<": lambda: actual < values[0],
        "<=": lambda: actual <= values[0], ">": lambda: actual > values[0], ">=": lambda: actual >= values[0],
        "IN": lambda: actual in values, "NOT IN": lambda: actual not in values,
    }
    if cond.op not in ops:
        raise GaqlError("INVALID_OPERATOR", f"Error in query: the sandbox does not emulate {cond.op} on "
                        f"{cond.field}.")
    return bool(ops[cond.op]())


@dataclass(frozen=True)
class HierarchyPlan:
    fields: tuple[str, ...]
    conditions: tuple[Condition, ...]

    def rows(self, customer_id: str, volume: Volume, as_of: date, now: object = None) -> Iterator[bytes]:
        """Encoded GoogleAdsRow messages: the customer and the accounts below it that pass the WHERE."""
        node = CUSTOMERS.get(customer_id)
        if node is None:  # a customer outside the demo tree has only itself
            node = Customer(customer_id, f"Sandbox account {customer_id}", "USD", "America/New_York")
        for customer, level in _below(node):
            if not all(_holds(c, _value(customer, level, c.field)) for c in self.conditions):
                continue
            row = _Row()
            client = row.customer_client
            for field in self.fields:
                value = _value(customer, level, field)
                attr = field.split(".", 1)[1]
                if attr == "status":
                    client.status = client.DESCRIPTOR.fields_by_name["status"].enum_type.values_by_name[value].number
                else:
                    setattr(client, attr, value)
            client.resource_name = f"customers/{customer_id}/customerClients/{customer.id}"
            yield row.SerializeToString()


def plan(text: str) -> HierarchyPlan:
    query = parse(text)
    for name in (*query.fields, *(c.field for c in query.conditions)):
        if name not in FIELDS:
            raise GaqlError("UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{name}'.")
    return HierarchyPlan(query.fields, query.conditions)
