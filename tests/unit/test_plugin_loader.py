"""Airflow's plugin loader runs only plugins/ads_sync_plugin.py: nothing else under plugins/ lands in
sys.modules under a bare name, and the plugin registers the app and the two UI entries."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"

PROBE = """
import json, sys
from pathlib import Path
before = set(sys.modules)
from airflow import plugins_manager
plugins, errors = plugins_manager._get_plugins()
plugins_dir = Path(sys.argv[1]).resolve()
loaded = {}
for name, mod in list(sys.modules.items()):
    path = getattr(mod, "__file__", None)
    if path and Path(path).resolve().is_relative_to(plugins_dir):
        loaded[name] = str(Path(path).resolve().relative_to(plugins_dir))
ours = [p for p in plugins if p.name == "ads_sync"]
print(json.dumps({
    "errors": errors, "loaded": loaded,
    "apps": [{"url_prefix": a["url_prefix"], "name": a["name"]} for p in ours for a in p.fastapi_apps],
    "views": [{k: v.get(k) for k in ("name", "href", "destination", "url_route")}
              for p in ours for v in p.external_views],
}))
"""


@pytest.mark.parametrize("syntax", ["glob", "regexp"])
def test_the_ignore_file_leaves_only_the_entry_file(syntax: str) -> None:
    from airflow._shared.module_loading.file_discovery import find_path_from_directory

    found = {
        Path(p).relative_to(PLUGINS).as_posix()
        for p in find_path_from_directory(PLUGINS, ".airflowignore", syntax) if p.endswith(".py")
    }
    assert found == {"ads_sync_plugin.py"}


def test_airflows_plugin_loader_imports_no_bare_module_from_plugins(tmp_path: Path) -> None:
    env = {
        **os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PYTHONPATH": os.pathsep.join([str(PLUGINS), str(ROOT)]),
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(PLUGINS)], env=env, capture_output=True, text=True, check=True, cwd=tmp_path
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == {}
    # the entry file, and (lazily) nothing of the package: no `meta`, `errors`, `cli`, `__init__`, ...; only
    # the providers manager reads the provider info (the connection types) through its entry point, by name
    bare = {k: v for k, v in result["loaded"].items() if k != "ads_sync" and not k.startswith("ads_sync.")}
    assert bare == {"ads_sync_plugin": "ads_sync_plugin.py"}
    # the provider info lists the declared platforms' connection types from their specs: the specs (light
    # records, no client library) are all it imports
    from ads_sync.platforms import PLATFORMS

    specs = {m for name in PLATFORMS for m in (f"ads_sync.sources.{name}", f"ads_sync.sources.{name}.spec")}
    assert set(result["loaded"]) - set(bare) <= {"ads_sync", "ads_sync.provider", "ads_sync.platforms",
                                                 "ads_sync.sources", "ads_sync.sources.spec", *specs}
    assert result["apps"] == [{"url_prefix": "/ads-sync", "name": "Ads Sync"}]
    assert result["views"] == [
        {"name": "Ads Sync", "href": "/ads-sync/", "destination": "nav", "url_route": "ads-sync"},
        {"name": "Coverage", "href": "/ads-sync/dag/{DAG_ID}", "destination": "dag", "url_route": "ads-sync-coverage"},
    ]
