"""docker-compose.yaml without a Docker engine: valid against the compose specification's JSON schema
(tests/compose/compose-spec.json), in Airflow 3's official shape, and naming only paths, variables,
Airflow options and connections that exist."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yaml"
SCHEMA = ROOT / "tests" / "compose" / "compose-spec.json"
ENV_EXAMPLE = ROOT / ".env.example"
AIRFLOW_SERVICES = (
    "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker", "airflow-triggerer",
    "airflow-init",
)
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $
VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {k: v for k, v in pairs}


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation of one string value (an unset required variable is an error)."""
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$$"
        name, op, arg = match.groups()
        value = env.get(name)
        if op in (":?", "?") and (value is None or (op == ":?" and value == "")):
            raise AssertionError(f"required variable {name} is unset: {arg}")
        if op in (":-", "-") and (value is None or (op == ":-" and value == "")):
            return arg
        return value or ""

    return VARIABLE.sub(one, text)


def interpolated(value: Any, env: dict[str, str]) -> Any:
    """Compose interpolates string values after parsing the YAML, so a value stays one string."""
    if isinstance(value, dict):
        return {k: interpolated(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolated(v, env) for v in value]
    return interpolate(value, env) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return interpolated(yaml.safe_load(COMPOSE.read_text()), env_example())


def test_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_catches_a_broken_file(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    broken = {**compose, "services": {**compose["services"], "redis": {**compose["services"]["redis"], "restart": 3}}}
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(broken)


def test_every_variable_is_documented_and_required_ones_have_values() -> None:
    used = {m.group(1) for m in VARIABLE.finditer(COMPOSE.read_text()) if m.group(1)}
    documented = env_example()
    assert used - set(documented) == set(), "variables docker-compose.yaml reads but .env.example omits"
    assert set(documented) - used == set(), ".env.example documents variables the compose file never reads"
    required = {m.group(1) for m in VARIABLE.finditer(COMPOSE.read_text()) if m.group(2) in (":?", "?")}
    assert required == {"AIRFLOW_JWT_SECRET"}
    assert all(documented[name] for name in required)


def test_every_bind_mounted_path_exists(compose: dict[str, Any]) -> None:
    sources = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/")):
                sources.add(source)
            else:
                assert source in compose["volumes"], f"named volume {source} is not declared"
    assert {"./dags", "./plugins", "./include"} <= sources
    for source in sources:
        assert (ROOT / source).exists(), f"{source} is mounted but does not exist"


def test_airflow_3_official_shape(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(AIRFLOW_SERVICES) | {"postgres", "redis", "warehouse"} <= set(services)
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES[:-1]}
    assert commands == {
        "airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor", "airflow-worker": "celery worker",
        "airflow-triggerer": "triggerer",
    }
    secrets = set()
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert "redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
        assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert "@warehouse:5432/" in env["AIRFLOW_CONN_ADS_WAREHOUSE"], "warehouse apart from metadata"
        secrets.add(env["AIRFLOW__API_AUTH__JWT_SECRET"])
    assert len(secrets) == 1, "every component must share one JWT secret"


def test_every_airflow_option_exists(compose: dict[str, Any], airflow_db: Path) -> None:
    from airflow.configuration import conf

    options = {
        key for service in compose["services"].values() for key in (service.get("environment") or {})
        if key.startswith("AIRFLOW__")
    }
    assert options
    unknown = [
        key for key in sorted(options)
        if _option(key) not in _options(conf, key)
    ]
    assert unknown == [], "not Airflow options (a typo is silently ignored by Airflow)"


def _option(key: str) -> str:
    return key.removeprefix("AIRFLOW__").split("__", 1)[1].lower()


def _options(conf: Any, key: str) -> set[str]:
    section = key.removeprefix("AIRFLOW__").split("__", 1)[0].lower()
    return set(conf.get_options_including_defaults(section))


def test_connections_match_what_the_bundle_uses(compose: dict[str, Any]) -> None:
    from ads_sync.platforms import PLATFORMS
    from ads_sync.settings_loader import load

    env = compose["services"]["airflow-worker"]["environment"]
    from_env = {k.removeprefix("AIRFLOW_CONN_").lower() for k in env if k.startswith("AIRFLOW_CONN_")}
    needed = {"ads_warehouse"} | {p.default_conn_id for p in PLATFORMS.values()}
    assert needed <= from_env
    settings = {c.conn_id for c in load(ROOT / "airflow_settings.yaml").connections}
    assert settings <= from_env, "a connection in airflow_settings.yaml that the compose file does not set"


def test_warehouse_sized_as_the_embedded_one(compose: dict[str, Any]) -> None:
    """The compose warehouse runs with the server settings the embedded warehouse starts with (issue 14)."""
    from ads_sync import embedded

    command = compose["services"]["warehouse"]["command"]
    assert command[0] == "postgres"
    flags, values = command[1::2], command[2::2]
    assert set(flags) == {"-c"}
    settings = dict(v.split("=", 1) for v in values)
    assert settings.pop("wal_compression") == "lz4", "the image has lz4, cheaper than the embedded pglz"
    assert settings == {k: v for k, v in embedded.SETTINGS.items() if k != "wal_compression"}
    assert "synchronous_commit" not in embedded.SETTINGS, "the sync log's durability: commits stay synchronous"
