"""One discovery, from a platform name to a diff: what the CLI and the DAG both call."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ads_sync.discovery.diff import Diff, compare

if TYPE_CHECKING:
    from ads_sync.registry import Registry
    from ads_sync.sources.spec import PlatformInfo


def names() -> dict[str, str]:
    """Every name the CLI and the DAG's conf accept -> the platform: each declared platform with a
    discovery, by its name and its aliases (`google`)."""
    from ads_sync.platforms import PLATFORMS

    return {alias: name for name, spec in PLATFORMS.items() if spec.discovery
            for alias in (name, *spec.aliases)}


def spec_of(platform: str) -> PlatformInfo:
    """The spec of a platform named by its name or an alias; ValueError naming the choices otherwise."""
    from ads_sync.platforms import PLATFORMS

    known = names()
    if platform not in known:
        raise ValueError(f"no discovery for platform {platform!r}; choose from: {', '.join(known)}")
    return PLATFORMS[known[platform]]


def discover(
    platform: str, *, registry: Registry, root: str | None, conn_id: str | None = None,
    include_test: bool = False, include_inactive: bool = False,
) -> Diff:
    """Walk the platform from `root` (Google: the manager id, required; Meta: a business id, or None
    for the token's own accounts), as its spec's discovery module does, and compare with the registry."""
    spec = spec_of(platform)
    conn = conn_id or spec.default_conn_id
    found = importlib.import_module(spec.discovery).walk(conn, root)
    return compare(found, registry, conn_id=conn, include_test=include_test, include_inactive=include_inactive)
