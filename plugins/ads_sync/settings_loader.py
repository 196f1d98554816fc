"""Load `airflow_settings.yaml` (the Astro CLI format) into a plain Airflow: connections, pools, variables.

Only the Astro CLI reads that file; plain Airflow's `connections import`, `pools import` and
`variables import` each want a different shape. So the project reads it itself (`make settings`):
parsing is pure and strict, and names the line at fault, because a typo in a pool name or a port
otherwise surfaces hours later as a task that is never scheduled. Applying is idempotent: an entry that
already matches is left alone and counted as unchanged, so `make settings` can run at every start.

    python -m ads_sync.settings_loader [--file airflow_settings.yaml] [--check]
"""
# AIR311: writing the metadata database needs the ORM models; airflow.sdk has only the task-side API
# ruff: noqa: AIR311
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "airflow_settings.yaml"

CONNECTION_KEYS = (
    "conn_id", "conn_type", "conn_host", "conn_schema", "conn_login", "conn_password", "conn_port",
    "conn_extra",
)
POOL_KEYS = ("pool_name", "pool_slot", "pool_description")
VARIABLE_KEYS = ("variable_name", "variable_value")
SECTIONS = ("connections", "pools", "variables")
_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,250}")


class SettingsError(ValueError):
    """A malformed settings file: the message starts with `<file>:<line>:`."""


@dataclass(frozen=True)
class ConnectionSpec:
    conn_id: str
    conn_type: str
    host: str | None
    schema: str | None
    login: str | None
    password: str | None = field(repr=False)
    port: int | None
    extra: dict[str, Any]
    line: int


@dataclass(frozen=True)
class PoolSpec:
    name: str
    slots: int
    description: str
    line: int


@dataclass(frozen=True)
class VariableSpec:
    key: str
    value: str = field(repr=False)
    line: int


@dataclass(frozen=True)
class Settings:
    connections: tuple[ConnectionSpec, ...]
    pools: tuple[PoolSpec, ...]
    variables: tuple[VariableSpec, ...]


@dataclass
class Outcome:
    """What applying changed, per kind: created / updated / unchanged names."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def record(self, name: str, *, existed: bool, changed: bool) -> None:
        (self.unchanged if existed and not changed else self.updated if existed else self.created).append(name)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


# --------------------------------------------------------------------------------------------- parsing


class _Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers where it and each of its keys were written (1-based lines)."""

    line: int
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Mapping:  # type: ignore[override]
        mapping = _Mapping(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            str(key.value): key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
        }
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node, deep=True),  # type: ignore[arg-type]
)


def parse(text: str, source: str = "airflow_settings.yaml") -> Settings:
    """The settings a file holds; SettingsError naming `source:line` for anything malformed."""
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise SettingsError(f"{source}:{line}: not valid YAML: {problem}") from None

    def fail(line: int, message: str) -> SettingsError:
        return SettingsError(f"{source}:{line}: {message}")

    if document is None:
        return Settings((), (), ())
    if not isinstance(document, _Mapping):
        raise fail(1, "the file must be a mapping with one key, `airflow:` (the Astro CLI format)")
    for key in document:
        if key != "airflow":
            raise fail(document.key_lines.get(str(key), document.line),
                       f"unknown top-level key {key!r}; the Astro CLI format has only `airflow:`")
    airflow = document.get("airflow")
    if airflow is None:
        return Settings((), (), ())
    if not isinstance(airflow, _Mapping):
        raise fail(document.key_lines["airflow"], "`airflow:` must hold connections, pools and variables")
    for key in airflow:
        if key not in SECTIONS:
            raise fail(airflow.key_lines.get(str(key), airflow.line),
                       f"unknown key {key!r} under airflow; expected {', '.join(SECTIONS)}")

    def entries(section: str, allowed: tuple[str, ...]) -> list[_Mapping]:
        value = airflow.get(section)
        if value is None:
            return []
        if not isinstance(value, list):
            raise fail(airflow.key_lines[section], f"airflow.{section} must be a list of entries")
        found = []
        for index, entry in enumerate(value):
            if not isinstance(entry, _Mapping):
                raise fail(airflow.key_lines[section] + 1 + index,
                           f"entry {index + 1} of airflow.{section} must be a mapping, got {entry!r}")
            for key in entry:
                if key not in allowed:
                    raise fail(entry.key_lines.get(str(key), entry.line),
                               f"unknown key {key!r} in airflow.{section}; allowed: {', '.join(allowed)}")
            found.append(entry)
        return found

    def text_of(entry: _Mapping, key: str, *, required: bool = False) -> str | None:
        value = entry.get(key)
        line = entry.key_lines.get(key, entry.line)
        if value is None or value == "":
            if required:
                raise fail(line, f"{key} is required")
            return None
        if isinstance(value, (dict, list)):
            raise fail(line, f"{key} must be a single value, got {type(value).__name__}")
        return str(value)

    def ident(entry: _Mapping, key: str) -> str:
        value = text_of(entry, key, required=True)
        if value is None or not _ID_RE.fullmatch(value):
            raise fail(entry.key_lines[key], f"{key} {value!r} may hold only letters, digits, '_', '.', '-'")
        return value

    def unique(items: list[Any], name: str, section: str) -> None:
        seen: dict[str, int] = {}
        for item in items:
            key = getattr(item, name)
            if key in seen:
                raise fail(item.line, f"{key!r} appears twice in airflow.{section} (first on line {seen[key]})")
            seen[key] = item.line

    connections = [_connection(e, ident, text_of, fail) for e in entries("connections", CONNECTION_KEYS)]
    unique(connections, "conn_id", "connections")
    pools = [_pool(e, ident, text_of, fail) for e in entries("pools", POOL_KEYS)]
    unique(pools, "name", "pools")
    variables = [_variable(e, ident, fail) for e in entries("variables", VARIABLE_KEYS)]
    unique(variables, "key", "variables")
    return Settings(tuple(connections), tuple(pools), tuple(variables))


def _connection(entry: _Mapping, ident: Any, text_of: Any, fail: Any) -> ConnectionSpec:
    port = entry.get("conn_port")
    if port in (None, ""):
        port = None
    elif isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise fail(entry.key_lines["conn_port"], f"conn_port must be a port number (1-65535), got {port!r}")
    extra = entry.get("conn_extra")
    if extra in (None, ""):
        extra = {}
    elif isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except json.JSONDecodeError as exc:
            raise fail(entry.key_lines["conn_extra"], f"conn_extra is not a mapping nor JSON: {exc.msg}") from None
    if not isinstance(extra, Mapping):
        raise fail(entry.key_lines["conn_extra"], f"conn_extra must be a mapping, got {type(extra).__name__}")
    return ConnectionSpec(
        conn_id=ident(entry, "conn_id"),
        conn_type=ident(entry, "conn_type"),
        host=text_of(entry, "conn_host"),
        schema=text_of(entry, "conn_schema"),
        login=text_of(entry, "conn_login"),
        password=text_of(entry, "conn_password"),
        port=port,
        extra=_plain(extra),
        line=entry.line,
    )


def _pool(entry: _Mapping, ident: Any, text_of: Any, fail: Any) -> PoolSpec:
    slots = entry.get("pool_slot")
    line = entry.key_lines.get("pool_slot", entry.line)
    if slots is None:
        raise fail(line, "pool_slot is required (-1 for unlimited)")
    if isinstance(slots, bool) or not isinstance(slots, int) or slots < -1:
        raise fail(line, f"pool_slot must be an integer of -1 (unlimited) or more, got {slots!r}")
    return PoolSpec(ident(entry, "pool_name"), slots, text_of(entry, "pool_description") or "", entry.line)


def _variable(entry: _Mapping, ident: Any, fail: Any) -> VariableSpec:
    key = ident(entry, "variable_name")
    if "variable_value" not in entry or entry["variable_value"] is None:
        raise fail(entry.key_lines.get("variable_value", entry.line),
                   f"variable {key!r} needs a variable_value (write '' for an empty one)")
    value = entry["variable_value"]
    # Airflow variables are strings; structured values are stored as JSON for `deserialize_json=True`
    text = json.dumps(_plain(value)) if isinstance(value, (dict, list)) else str(value)
    return VariableSpec(key, text, entry.line)


def _plain(value: Any) -> Any:
    """Drop the line-tracking mapping type (it must not leak into JSON or Airflow)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load(path: Path) -> Settings:
    return parse(path.read_text(), source=path.name)


# -------------------------------------------------------------------------------------------- applying


def with_platform_pools(settings: Settings) -> Settings:
    """The file's pools, and each declared platform's pool it does not list (the spec's `pool`,
    `pool_slots`, `pool_description`): a new platform's extracts never wait on a pool nobody created."""
    from ads_sync.platforms import PLATFORMS

    listed = {p.name for p in settings.pools}
    extra = tuple(PoolSpec(spec.pool, spec.pool_slots, spec.pool_description or f"Concurrent {spec.label} extracts",
                           0) for spec in PLATFORMS.values() if spec.pool not in listed)
    return replace(settings, pools=settings.pools + extra)


def apply(settings: Settings) -> dict[str, Outcome]:
    """Create or update every entry in the Airflow metadata database, in one transaction."""
    from airflow.models import Connection, Pool, Variable
    from airflow.utils.session import create_session
    from sqlalchemy import select

    outcomes = {section: Outcome() for section in SECTIONS}
    with create_session() as session:
        for spec in settings.connections:
            conn = session.scalar(select(Connection).where(Connection.conn_id == spec.conn_id))
            wanted = {
                "conn_type": spec.conn_type, "host": spec.host, "schema": spec.schema, "login": spec.login,
                "password": spec.password, "port": spec.port,
            }
            existed = conn is not None
            if conn is None:
                conn = Connection(conn_id=spec.conn_id)
                session.add(conn)
            changed = any(getattr(conn, k) != v for k, v in wanted.items()) or conn.extra_dejson != spec.extra
            if changed:
                for key, value in wanted.items():
                    setattr(conn, key, value)
                conn.extra = json.dumps(spec.extra) if spec.extra else None
            outcomes["connections"].record(spec.conn_id, existed=existed, changed=changed)

        for pool in settings.pools:
            current = session.scalar(select(Pool).where(Pool.pool == pool.name))
            changed = current is None or (current.slots, current.description or "") != (
                pool.slots, pool.description
            )
            if changed:
                Pool.create_or_update_pool(
                    pool.name, pool.slots, pool.description, include_deferred=False, session=session
                )
            outcomes["pools"].record(pool.name, existed=current is not None, changed=changed)

        for variable in settings.variables:
            current = session.scalar(select(Variable).where(Variable.key == variable.key))
            changed = current is None or current.val != variable.value
            if changed:
                Variable.set(variable.key, variable.value, session=session)
            outcomes["variables"].record(variable.key, existed=current is not None, changed=changed)
    return outcomes


def shadowed_connections(settings: Settings, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Connection ids that an `AIRFLOW_CONN_*` variable overrides (Airflow reads the environment first)."""
    return [c.conn_id for c in settings.connections if f"AIRFLOW_CONN_{c.conn_id.upper()}" in environ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ads-sync settings", description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--check", action="store_true", help="only validate the file; touch no database")
    args = parser.parse_args(argv)
    try:
        settings = load(args.file)
    except SettingsError as exc:
        print(f"settings: {exc}", file=sys.stderr)
        return 1
    settings = with_platform_pools(settings)
    counts = ", ".join(f"{len(getattr(settings, s))} {s}" for s in SECTIONS)
    if args.check:
        print(f"settings: {args.file.name} is valid: {counts}")
        return 0
    outcomes = apply(settings)
    for section, outcome in outcomes.items():
        print(f"settings: {section}: {outcome.summary()}")
    for conn_id in shadowed_connections(settings):
        print(f"settings: connection {conn_id} is also set by AIRFLOW_CONN_{conn_id.upper()}, "
              "which Airflow reads first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
