"""The exported JSON Schema: committed and current, and it says about the demo registry what the
validator says (editors must not flag a valid file, and do flag what the model refuses)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ads_sync import registry_schema
from ads_sync.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "include" / "accounts.yaml"


def test_committed_schema_is_current() -> None:
    assert registry_schema.SCHEMA_FILE == ROOT / "include" / "accounts.schema.json"
    assert registry_schema.SCHEMA_FILE.read_text(encoding="utf-8") == registry_schema.render(), (
        "include/accounts.schema.json is stale: run `make schema` and commit it")
    assert registry_schema.main(["--check"]) == 0


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "accounts.schema.json"
    stale.write_text("{}\n")
    assert registry_schema.main(["--check", "--output", str(stale)]) == 1


def test_the_registry_names_the_schema_on_its_first_line() -> None:
    assert REGISTRY.read_text().splitlines()[0] == "# yaml-language-server: $schema=accounts.schema.json"


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(registry_schema.SCHEMA_FILE.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_demo_registry_is_valid_for_both() -> None:
    assert load_registry(REGISTRY).errors == ()
    assert list(_validator().iter_errors(yaml.safe_load(REGISTRY.read_text()))) == []


ENTRY = {"platform": "google_ads", "account_id": "1234567890", "name": "A", "timezone": "UTC", "currency": "EUR"}


@pytest.mark.parametrize("entry", [
    {**ENTRY, "timezne": "UTC"},
    {**ENTRY, "platform": "bing"},
    {**ENTRY, "account_id": "123-456-7890"},
    {**ENTRY, "reports": ["campaign_dialy"]},
    {**ENTRY, "action_types": ["purchase"]},  # Meta only
    {**ENTRY, "platform": "meta", "account_id": "42", "reports": ["keyword_daily"]},  # a Google report
    {**ENTRY, "frequency": "weekly"},
    {**ENTRY, "lookback_days": 91},
    {**ENTRY, "notify": {"emial": ["a@b.co"]}},
])
def test_what_the_model_refuses_the_schema_flags(entry: dict[str, object]) -> None:
    from ads_sync.registry import parse_registry

    assert parse_registry({"accounts": [entry]}).errors
    assert list(_validator().iter_errors({"accounts": [entry]}))


@pytest.mark.parametrize("frequency", ["daily", "30min", "hourly", "manual"])
def test_every_frequency_is_valid_for_both(frequency: str) -> None:
    from ads_sync.registry import parse_registry

    entry = {**ENTRY, "frequency": frequency, "reports": ["campaign_daily", "ad_daily", "keyword_daily"]}
    assert parse_registry({"accounts": [entry]}).errors == ()
    assert list(_validator().iter_errors({"accounts": [entry]})) == []
