"""The embedded warehouse runs with the settings sized for concurrent merges (issue 14), on a new data
directory and on one made before them (they are given at every start, not written at initdb)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg

from ads_sync import embedded


def _shown(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in (*embedded.SETTINGS, "synchronous_commit")}


def test_embedded_server_starts_with_the_warehouse_settings() -> None:
    base = Path(tempfile.mkdtemp(prefix="ads-sync-test-settings-"))  # not pytest's tmp (see tests/conftest.py)
    data_dir = base / "pgdata"
    try:
        server = embedded.start(data_dir, port=55462, settings={})  # a data directory from before the settings
        before = _shown(server.url)
        embedded.stop(data_dir)
        server = embedded.start(data_dir, port=55462)
        after = _shown(server.url)
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(base, ignore_errors=True)
    assert before["wal_buffers"] != embedded.SETTINGS["wal_buffers"], before  # the server's own default
    assert {k: after[k] for k in embedded.SETTINGS} == embedded.SETTINGS
    assert after["synchronous_commit"] == "on", "the sync log commits durably"
