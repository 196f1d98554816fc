"""The registry read once per file version: in the process and, across processes, from a private JSON cache."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ads_sync import registry_cache
from ads_sync.registry import load_registry

ENTRIES = """\
defaults: {currency: EUR}
accounts:
  - {platform: google_ads, account_id: "1111111111", name: One, timezone: UTC, reports: [campaign_daily]}
  - {platform: meta, account_id: "42", name: Two, timezone: Europe/Berlin, action_types: [purchase]}
  - {platform: meta, account_id: "act_7", name: Bad, timezone: UTC}
"""


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(registry_cache.CACHE_DIR_ENV, str(folder))
    monkeypatch.setattr(registry_cache, "_memory", {})
    return folder


def test_same_result_as_load_registry_from_memory_and_from_disk(tmp_path: Path, cache_dir: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(ENTRIES)
    expected = load_registry(path)
    first = registry_cache.cached_registry(path)
    assert first == expected and len(first.accounts) == 2 and len(first.errors) == 1
    assert registry_cache.cached_registry(path) is first  # in-process hit
    [cached] = cache_dir.glob("registry-*.json")
    registry_cache._memory.clear()  # a new process: only the disk cache is left
    again = registry_cache.cached_registry(path)
    assert again == expected and again is not first
    assert again.accounts[0].reports == ("campaign_daily",)  # tuples, as validated
    assert again.get("meta__42") == expected.get("meta__42")


def test_an_edit_is_seen_and_replaces_the_old_cache_file(tmp_path: Path, cache_dir: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(ENTRIES)
    assert len(registry_cache.cached_registry(path).accounts) == 2
    path.write_text(ENTRIES.replace('account_id: "act_7"', 'account_id: "7"'))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    edited = registry_cache.cached_registry(path)
    assert len(edited.accounts) == 3 and edited.errors == ()
    assert len(list(cache_dir.glob("registry-*.json"))) == 1


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path, cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o777)
    cache_dir.chmod(0o777)
    path = tmp_path / "accounts.yaml"
    path.write_text(ENTRIES)
    assert registry_cache.cached_registry(path) == load_registry(path)
    assert list(cache_dir.iterdir()) == []


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path, cache_dir: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(ENTRIES)
    registry_cache.cached_registry(path)
    [cached] = cache_dir.glob("registry-*.json")
    cached.write_text('{"accounts": [{"platform": 1}]')
    registry_cache._memory.clear()
    assert registry_cache.cached_registry(path) == load_registry(path)


def test_a_missing_registry_is_its_usual_error(tmp_path: Path, cache_dir: Path) -> None:
    found = registry_cache.cached_registry(tmp_path / "nope.yaml")
    assert found.accounts == () and "does not exist" in str(found.errors[0])


def test_notify_survives_the_disk_cache(tmp_path: Path, cache_dir: Path) -> None:
    """Account.notify and the top-level notify come back as Notify, not as the JSON's dicts."""
    path = tmp_path / "accounts.yaml"
    path.write_text("notify: {email: [ops@example.com], stale_after_days: 5}\n" + ENTRIES)
    expected = load_registry(path)
    registry_cache.cached_registry(path)
    registry_cache._memory.clear()
    again = registry_cache.cached_registry(path)
    assert again == expected and again.notify == expected.notify and again.notify is not None
    assert again.accounts[0].notify == expected.accounts[0].notify
    assert again.accounts[0].notify.channels == ("email",)
