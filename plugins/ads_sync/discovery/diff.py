"""What discovery found against what the registry says: new, changed, gone, and listed apart.

Changed compares name, time zone, currency and status (an account the platform says cannot deliver but
the registry has active, or the other way round). Gone is only claimed where the walk would have seen
the account: Google entries that log in through the walked managers, Meta entries on the same connection
when the token's own accounts were listed (a business walk cannot say an account is gone).
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ads_sync.discovery import Discovery, Found

if TYPE_CHECKING:
    from ads_sync.registry import Account, Registry

COMPARED = ("name", "timezone", "currency")


@dataclass(frozen=True)
class Change:
    field: str
    registry: object
    platform: object


@dataclass
class Diff:
    platform: str
    root: str
    new: list[Found] = field(default_factory=list)
    changed: list[tuple[Found, list[Change]]] = field(default_factory=list)
    gone: list[Account] = field(default_factory=list)
    #: test, cancelled, suspended ... accounts not in the registry, proposed only with a flag
    apart: list[Found] = field(default_factory=list)
    unchanged: int = 0
    managers: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.gone)

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform, "root": self.root, "managers": self.managers,
            "new": [f.as_dict() for f in self.new],
            "changed": [{**f.as_dict(), "changes": {c.field: {"registry": c.registry, "platform": c.platform}
                                                    for c in changes}} for f, changes in self.changed],
            "gone": [{"platform": a.platform, "account_id": a.account_id, "name": a.name} for a in self.gone],
            "apart": [f.as_dict() for f in self.apart],
            "unchanged": self.unchanged,
        }


def compare(
    found: Discovery, registry: Registry, *, conn_id: str | None = None,
    include_test: bool = False, include_inactive: bool = False,
) -> Diff:
    diff = Diff(platform=found.platform, root=found.root, managers=list(found.managers))
    known = {a.account_id: a for a in registry.accounts if a.platform == found.platform}
    for account in found.accounts:
        entry = known.get(account.account_id)
        if entry is None:
            wanted = account.apart is None or (include_test if account.apart == "test" else include_inactive)
            (diff.new if wanted else diff.apart).append(account)
            continue
        changes = [Change(f, getattr(entry, f), getattr(account, f)) for f in COMPARED
                   if getattr(entry, f) != getattr(account, f)]
        delivers = account.apart is None
        if entry.active != delivers and not (account.apart == "test" and not entry.active):
            changes.append(Change("status", "active" if entry.active else "inactive", account.status))
        if changes:
            diff.changed.append((account, changes))
        else:
            diff.unchanged += 1
    seen = {a.account_id for a in found.accounts}
    diff.gone = [a for a in known.values() if a.account_id not in seen and a.active and _in_scope(a, found, conn_id)]
    return diff


def _in_scope(account: Account, found: Discovery, conn_id: str | None) -> bool:
    """Where the walk would have seen the account, as the platform's discovery module says."""
    from ads_sync.platforms import PLATFORMS

    spec = PLATFORMS.get(found.platform)
    if spec is None or not spec.discovery:
        return False
    return bool(importlib.import_module(spec.discovery).in_scope(account, found, conn_id))


def _line(f: Found) -> str:
    via = f"  login via {f.login_customer_id}" if f.login_customer_id else ""
    return f"{f.platform} {f.account_id} {f.name!r}  {f.timezone} {f.currency} {f.status}{via}"


def render_text(diffs: Sequence[Diff]) -> str:
    out: list[str] = []
    for d in diffs:
        walked = f", {len(d.managers)} managers walked" if d.managers else ""
        out.append(f"discover {d.platform} from {d.root}{walked}: {len(d.new)} new, {len(d.changed)} changed, "
                   f"{len(d.gone)} gone, {len(d.apart)} listed apart, {d.unchanged} unchanged")
        out += [f"  + new      {_line(f)}" for f in d.new]
        for f, changes in d.changed:
            what = "; ".join(f"{c.field} {c.registry!r} -> {c.platform!r}" for c in changes)
            out.append(f"  ~ changed  {f.platform} {f.account_id} {f.name!r}: {what}")
        out += [f"  - gone     {a.platform} {a.account_id} {a.name!r}: not found (--write marks it active: false)"
                for a in d.gone]
        out += [f"  ! apart    {_line(f)} ({f.apart}; add with --include-{'test' if f.apart == 'test' else 'inactive'})"
                for f in d.apart]
    if any(not d.empty for d in diffs):
        out.append("review, then apply with --write (keeps comments, order and hand-set fields; never deletes)")
    else:
        out.append("the registry matches the platform")
    return "\n".join(out)


def render_json(diffs: Sequence[Diff]) -> str:
    return json.dumps({"discoveries": [d.as_dict() for d in diffs]}, indent=2)
