"""Apply a discovery diff to the registry YAML with a round trip (ruamel.yaml): comments, key order,
quoting and every field a person set by hand stay as they were; only the diff's fields change.

Never deletes: a gone account, or one the platform says cannot deliver, gets `active: false`. An
account the registry has inactive is not switched back on: someone may have turned it off on purpose.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ads_sync.discovery.diff import Diff


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _entry(accounts: Any, platform: str, account_id: str) -> Any:
    for item in accounts:
        if str(item.get("platform")) == platform and str(item.get("account_id")) == account_id:
            return item
    return None


def apply(path: Path, diffs: Sequence[Diff]) -> dict[str, int]:
    """Write the diffs into the registry file at `path`; return how many entries were added / updated."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    accounts = data["accounts"]
    counts = {"added": 0, "updated": 0, "deactivated": 0}
    for diff in diffs:
        for found in diff.new:
            entry = CommentedMap()
            entry["platform"] = found.platform
            entry["account_id"] = Quoted(found.account_id)
            entry["name"] = found.name
            entry["timezone"] = found.timezone
            entry["currency"] = found.currency
            if found.login_customer_id:
                entry["login_customer_id"] = Quoted(found.login_customer_id)
            if found.apart is not None:
                entry["active"] = False
            accounts.append(entry)
            # a blank line before each new entry, like the hand-written ones
            accounts.yaml_set_comment_before_after_key(len(accounts) - 1, before="\n")
            counts["added"] += 1
        for found, changes in diff.changed:
            entry = _entry(accounts, found.platform, found.account_id)
            if entry is None:
                continue
            for change in changes:
                if change.field == "status":
                    if change.registry == "active":
                        entry["active"] = False
                        counts["deactivated"] += 1
                else:
                    entry[change.field] = change.platform
            counts["updated"] += 1
        for account in diff.gone:
            entry = _entry(accounts, account.platform, account.account_id)
            if entry is not None:
                entry["active"] = False
                counts["deactivated"] += 1
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)
    return counts
