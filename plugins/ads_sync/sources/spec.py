"""What a platform declares about itself: the one record dispatch reads (see CONTRIBUTING.md, "Adding a
platform"). Kept free of client libraries, so importing a spec costs nothing at DAG parse."""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlatformInfo:
    name: str
    label: str
    default_conn_id: str
    #: reports a registry entry may ask for, in load order
    reports: tuple[str, ...]
    #: how far back the API serves metrics, in months
    retention_months: int
    account_id_pattern: re.Pattern[str]
    account_id_hint: str
    pool: str
    #: reports loaded only for entries that name them in `reports:` (so adding a report never makes every
    #: account start loading it); the others are the default set
    opt_in_reports: tuple[str, ...] = ()
    #: "module:Class" of the platform's Connector, imported only when a task runs (parsing stays light)
    connector: str = ""
    #: "module:Class" of an ExtractOperator subclass when the platform needs its own (Meta's async report
    #: runs defer to a trigger); empty for the plain one
    extract_operator: str = ""

    @property
    def default_reports(self) -> tuple[str, ...]:
        """What an entry without `reports:` loads."""
        return tuple(r for r in self.reports if r not in self.opt_in_reports)


def load(path: str) -> Any:
    """The object named by "module:attribute"."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
