"""The registry, read once per file modification: every shard DAG file and every task start asks for it.

The bundle's DAG files are shards of one registry (`dag_factory.SHARDS`), so a parse cycle reads the
registry once per shard file, and every task start reads it again to build its one DAG. Validating
5,000 entries from YAML costs ~0.6 s, about a sixth of a task start; reading back the validated result
costs ~30 ms. So the validated registry is kept twice, keyed by the file's path, modification time and
size (and by this package's validation code, so an upgrade never serves a stale verdict):
- in the process (a DagBag that imports several shard files, tests);
- on disk as JSON in a private cache folder, for the next process (the dag-processor forks one per
  file, the task runner is a fresh interpreter). JSON, not pickle: a cache file can never run code.

A cache that cannot be read or written is skipped silently: the registry file stays the truth.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from ads_sync import platforms, registry
from ads_sync.registry import Account, Notify, Registry, RegistryError, load_registry

#: bump when the JSON layout below changes
FORMAT = 3
#: ADS_SYNC_CACHE_DIR overrides the folder; "off" disables the disk cache
CACHE_DIR_ENV = "ADS_SYNC_CACHE_DIR"

_memory: dict[str, tuple[tuple[Any, ...], Registry]] = {}


def cached_registry(path: Path) -> Registry:
    """`load_registry(path)`, unless this file version was already validated (here or by another process)."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return load_registry(path)  # its own clear error (missing file, permissions)
    stamp = (str(path.resolve()), st.st_mtime_ns, st.st_size, _code_stamp())
    hit = _memory.get(stamp[0])
    if hit is not None and hit[0] == stamp:
        return hit[1]
    cache_file = _cache_file(stamp)
    found = _read(cache_file) if cache_file is not None else None
    if found is None:
        found = load_registry(path)
        if cache_file is not None:
            _write(cache_file, found)
    _memory[stamp[0]] = (stamp, found)
    return found


def _code_stamp() -> tuple[Any, ...]:
    """The validation code's own version: a changed validator must re-validate every registry. The models
    live in registry.py; the declared platforms and their options' checks in their specs."""
    from ads_sync.sources import spec

    out: list[Any] = [FORMAT, *sorted(platforms.PLATFORMS)]
    checks = {sys.modules[o.check.__module__] for p in platforms.PLATFORMS.values() for o in p.options}
    for module in (registry, platforms, spec, *sorted(checks, key=lambda m: m.__name__)):
        try:
            st = os.stat(module.__file__ or "")
            out += [st.st_mtime_ns, st.st_size]
        except OSError:
            out.append(None)
    return tuple(out)


def _cache_dir() -> Path | None:
    """A folder only this user can write to (a shared /tmp must not let others plant a registry)."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured == "off":
        return None
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / f"ads-sync-cache-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder


def _cache_file(stamp: tuple[Any, ...]) -> Path | None:
    folder = _cache_dir()
    if folder is None:
        return None
    of_path = hashlib.sha256(stamp[0].encode()).hexdigest()[:16]
    version = hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:16]
    return folder / f"registry-{of_path}-{version}.json"


def _read(cache_file: Path) -> Registry | None:
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        return Registry(
            accounts=tuple(Account(**a) for a in data["accounts"]),
            errors=tuple(RegistryError(**e) for e in data["errors"]),
            overview_sheet=data["overview_sheet"],
            notify=Notify(**{**data["notify"], "email": tuple(data["notify"]["email"])}) if data["notify"] else None,
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write(cache_file: Path, found: Registry) -> None:
    data = {
        "accounts": [dataclasses.asdict(a) for a in found.accounts],
        "errors": [dataclasses.asdict(e) for e in found.errors],
        "overview_sheet": found.overview_sheet,
        "notify": dataclasses.asdict(found.notify) if found.notify is not None else None,
    }
    try:
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".registry-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(tmp, cache_file)  # atomic: a concurrent reader sees the old file or the whole new one
    except (OSError, TypeError, ValueError):
        Path(tmp).unlink(missing_ok=True)
        return
    of_path = cache_file.name.rsplit("-", 1)[0]
    for old in cache_file.parent.glob(f"{of_path}-*.json"):  # earlier versions of the same registry file
        if old != cache_file:
            old.unlink(missing_ok=True)
