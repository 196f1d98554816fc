"""The declared platforms, by name: each is one folder under sources/ with a `spec.SPEC`."""
from __future__ import annotations

from ads_sync.sources.google_ads.spec import SPEC as GOOGLE_ADS
from ads_sync.sources.meta.spec import SPEC as META
from ads_sync.sources.spec import PlatformInfo

PLATFORMS: dict[str, PlatformInfo] = {spec.name: spec for spec in (GOOGLE_ADS, META)}
