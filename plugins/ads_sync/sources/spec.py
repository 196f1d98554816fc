"""What a platform declares about itself: the one record dispatch reads (see CONTRIBUTING.md, "Adding a
platform"). Kept free of client libraries, so importing a spec costs nothing at DAG parse: everything
heavy is named as a "module:attribute" string and imported by `load` when a task (or a CLI command) runs.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Invalid(ValueError):
    """A registry value an option's check refuses; its text is the whole message (the value, what is
    wrong, the fix), which the registry reports against the entry and the option's key."""


@dataclass(frozen=True)
class Option:
    """A registry key only this platform's entries may set (Google's `login_customer_id`, Meta's
    `action_types`). The registry refuses it on other platforms' entries, naming the platforms it is for."""

    name: str
    #: one line for the JSON Schema (editors show it)
    description: str
    #: value as written (never None: null means "not set") and the platform -> the value stored; raises
    #: Invalid. Pure and light: it runs at DAG parse for every entry.
    check: Callable[[Any, PlatformInfo], Any]
    #: the value's JSON Schema (editors validate and complete `accounts.yaml` with it)
    schema: Mapping[str, Any] = field(default_factory=dict)


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
    #: registry keys of this platform's own (validated by the option's check)
    options: tuple[Option, ...] = ()
    #: other names the CLI and the discovery DAG accept for the platform (`google`)
    aliases: tuple[str, ...] = ()
    #: the pool's size and description where dev wiring creates it (`make airflow`, `make settings`)
    pool_slots: int = 4
    pool_description: str = ""
    # --- the Airflow connection type (provider.py registers it; the Connections form and Test read it)
    #: prefixed `ads_sync_`: the bare names belong to other providers (a type registered twice goes to
    #: whichever provider loads first); empty: the platform registers none
    conn_type: str = ""
    #: "module.Class" of the hook, as Airflow's provider info spells it (imported only when used or tested)
    hook: str = ""
    hook_name: str = ""
    #: the Connections form's extra fields (see `conn_field`)
    conn_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: "module:function" (a running `sandbox.Sandbox`) -> the connection (Airflow's JSON form) pointing the
    #: platform's real client at the sandbox's emulator; empty: no emulator, dev wiring skips the platform
    sandbox_connection: str = ""
    # --- the API version (versions.py: the sunset table, warnings, `ads-sync status`)
    #: "module:attribute" of the version string the hook passes to the client library; empty: unversioned
    api_version: str = ""
    #: how messages name the API ("Google Ads API")
    api_label: str = ""
    #: "module:attribute" of the platform's `versions.ApiVersion` rows (releases and published sunsets,
    #: with the page each was read from); a version in use must have its row
    api_versions: str = ""
    # --- discovery (`ads-sync discover`, the ads_sync__discover DAG)
    #: the module of the account walk: `walk(conn_id, root) -> Discovery`, `roots(accounts) ->
    #: set[(root, conn_id)]` (what the registry implies) and `in_scope(account, found, conn_id) -> bool`
    #: (where a walk can say an account is gone); empty: the platform has no discovery
    discovery: str = ""
    #: what the walk starts from, as the CLI option (`--manager`) and the DAG's conf key name it
    discovery_root: str = ""
    discovery_root_help: str = ""
    #: whether a walk needs a root (Google: the manager); else None walks the connection's own accounts
    discovery_root_required: bool = False

    @property
    def default_reports(self) -> tuple[str, ...]:
        """What an entry without `reports:` loads."""
        return tuple(r for r in self.reports if r not in self.opt_in_reports)

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


def load(path: str) -> Any:
    """The object named by "module:attribute"."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def conn_field(label: str, description: str, *, secret: bool = False,
               examples: list[str] | None = None) -> dict[str, Any]:
    """One extra field of the Connections form: a label, a description under it, and for non-secrets
    `examples`, which Airflow's form offers as you type and announces in the field's placeholder."""
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if secret:
        schema["format"] = "password"
    if examples:
        schema["examples"] = examples
    return {"label": label, "description": description, "schema": schema}


SANDBOX_ONLY = "Offline sandbox only; leave empty for the real API."

# ------------------------------------------------------------------------------ helpers for option checks


def show(value: object) -> str:
    """A value for a message: repr (quotes and escapes newlines, so hostile text stays inert), truncated."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:59] + "…")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return type_name(value)


def type_name(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
    }.get(type(value), "a mapping" if isinstance(value, Mapping) else f"a {type(value).__name__}")


def check_account_id(value: Any, info: PlatformInfo) -> str:
    """An id must match the platform's pattern exactly; ints are accepted (YAML reads bare digits as int).
    Ids are never rewritten: a near miss (dashes, Meta's act_ prefix) is refused with the spelling to use."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid(f"must be a string ({info.account_id_hint}), got {type_name(value)}; quote it")
    text = str(value)
    if info.account_id_pattern.fullmatch(text):
        return text
    hint = info.account_id_hint
    if isinstance(value, str):
        stripped = text.strip()
        for candidate, why in (
            (stripped.replace("-", "").replace(" ", ""), "without dashes or spaces"),
            (
                stripped[4:] if stripped.lower().startswith("act_") else "",
                "without the act_ prefix (ids are stored without it)",
            ),
        ):
            if candidate and candidate != text and info.account_id_pattern.fullmatch(candidate):
                hint = f"write it {why}: {candidate!r}"
                break
    else:
        hint += "; quote it so YAML keeps it exactly as written"
    raise Invalid(f"{show(value)} is not a valid {info.label} account id; {hint}")
