"""The declared platforms, by name: each is one folder under sources/ with a `spec.SPEC`.

Everything that differs by platform reads these specs (see CONTRIBUTING.md, "Adding a platform"): a new
platform is its folder and one line here. `register` is for a platform declared outside the package (the
test suite's fake platform, tests/fakeplatform/).
"""
from __future__ import annotations

from ads_sync.sources.google_ads.spec import SPEC as GOOGLE_ADS
from ads_sync.sources.meta.spec import SPEC as META
from ads_sync.sources.spec import PlatformInfo

BUILT_IN: tuple[PlatformInfo, ...] = (GOOGLE_ADS, META)
PLATFORMS: dict[str, PlatformInfo] = {spec.name: spec for spec in BUILT_IN}


def register(spec: PlatformInfo) -> None:
    """Declare one more platform (in this process). A name already declared by another spec is refused:
    two specs must never answer for one platform."""
    current = PLATFORMS.get(spec.name)
    if current is not None and current is not spec:
        raise ValueError(f"platform {spec.name!r} is already declared")
    PLATFORMS[spec.name] = spec


def unregister(name: str) -> None:
    """Forget a platform `register` declared (the built-in ones stay)."""
    if any(spec.name == name for spec in BUILT_IN):
        raise ValueError(f"platform {name!r} is built in")
    PLATFORMS.pop(name, None)
