"""The ad API versions we call, and when each platform turns them off: one table per platform, in its
folder (`sources/<platform>/versions.py`, named by its spec's `api_versions`), read here.

Connectors break on the sunset day (airbytehq/airbyte #33029, #60851, #76483), so the dates are kept
with the page each was read from, and every run, `ads-sync status`, the Ads Sync view and the
notifications read them through `warnings()`. The versions in use come from the constants the hooks
pass to the client libraries, as each platform's spec names them (`api_version`:
`sources.google_ads.reports.API_VERSION` -> `GoogleAdsClient(version=...)`,
`sources.meta.reports.API_VERSION` -> `FacebookAdsApi(api_version=...)`), never from a copy.

A sunset of None means the platform has not published one yet. Dates given only as a month by the
platform are stored as the month's first day (`approximate`), so a warning comes early, never late.
Re-check the pages when upgrading a client library, and add the new version's row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

#: warn (log line, status column, UI banner) from this many days before the sunset of a version in use
WARN_DAYS = 90
#: notify people from this many days before
NOTIFY_DAYS = 30

@dataclass(frozen=True)
class ApiVersion:
    platform: str
    version: str
    released: date | None
    sunset: date | None
    #: the platform gave only a month ("February 2027"): `sunset` is its first day
    approximate: bool
    #: where the sunset (or its absence) was read, checked 2026-12
    source: str


def table() -> tuple[ApiVersion, ...]:
    """Every declared platform's rows (its spec's `api_versions`, kept in the platform's folder)."""
    from ads_sync.platforms import PLATFORMS
    from ads_sync.sources.spec import load

    return tuple(row for spec in PLATFORMS.values() if spec.api_versions for row in load(spec.api_versions))


Level = Literal["ok", "warn", "notify", "sunset"]


@dataclass(frozen=True)
class VersionStatus:
    platform: str
    version: str
    sunset: date | None
    days_left: int | None
    level: Level
    source: str

    @property
    def message(self) -> str:
        """One sentence for a log line, a status cell, a banner or a notification."""
        from ads_sync.platforms import PLATFORMS

        spec = PLATFORMS.get(self.platform)
        label = spec.api_label if spec is not None and spec.api_label else self.platform
        if not self.version:
            return f"{label}: no versioned API (its spec names no api_version)"
        if self.sunset is None:
            return f"{label} {self.version}: no sunset date published ({self.source})"
        when = self.sunset.isoformat()
        if self.level == "sunset":
            return (f"{label} {self.version} was turned off on {when}: upgrade ads-sync / the client library "
                    f"({self.source})")
        return (f"{label} {self.version} sunsets on {when} ({self.days_left} days): upgrade ads-sync / the "
                f"client library before then ({self.source})")

    def as_dict(self) -> dict[str, object]:
        return {"platform": self.platform, "version": self.version,
                "sunset": self.sunset.isoformat() if self.sunset else None, "days_left": self.days_left,
                "level": self.level, "message": self.message, "source": self.source}


def in_use() -> dict[str, str]:
    """platform -> the version our hooks pass to the client library, for every declared platform whose spec
    names one (`api_version`: the constant itself, never a copy)."""
    from ads_sync.platforms import PLATFORMS
    from ads_sync.sources.spec import load

    return {name: str(load(spec.api_version)) for name, spec in PLATFORMS.items() if spec.api_version}


def lookup(platform: str, version: str) -> ApiVersion | None:
    for row in table():
        if row.platform == platform and row.version == version:
            return row
    return None


def status(platform: str, version: str, *, today: date) -> VersionStatus:
    """Where `version` stands on `today`. A version missing from the table is an error: whoever bumps a
    client library adds its row (with the source) here, and the tests say so."""
    row = lookup(platform, version)
    if row is None:
        raise KeyError(f"{platform} API {version} is not in the platform's version table (its spec's "
                       "api_versions); add its row with the published sunset date and the page it is on")
    if row.sunset is None:
        return VersionStatus(platform, version, None, None, "ok", row.source)
    days = (row.sunset - today).days
    level: Level = "sunset" if days <= 0 else "notify" if days <= NOTIFY_DAYS else "warn" if days <= WARN_DAYS else "ok"
    return VersionStatus(platform, version, row.sunset, days, level, row.source)


def current(platform: str, *, today: date) -> VersionStatus:
    """The status of the version this platform is called with; always "ok" for a platform whose spec names
    no versioned API."""
    version = in_use().get(platform)
    if version is None:
        return VersionStatus(platform, "", None, None, "ok", "")
    return status(platform, version, today=today)


def warnings(*, today: date | None = None) -> list[VersionStatus]:
    """The versions in use within WARN_DAYS of their sunset (or past it): what the Ads Sync view shows as
    a banner and every run logs. Empty when nothing needs doing."""
    today = today or date.today()
    found = [current(p, today=today) for p in sorted(in_use())]
    return [s for s in found if s.level != "ok"]


def sunset_of(platform: str, version: str | None = None) -> date | None:
    """The published sunset of a version (default: the one in use); None when unknown."""
    row = lookup(platform, version or in_use()[platform])
    return row.sunset if row else None


def unsupported(platform: str, served: str, library: str, detail: str, *, sunset_word: str = "sunset") -> Any:
    """The error of a sunset API version (fails the run at once, never retried), worded once for every
    platform: `served` is how the platform names what it stopped serving ("API", "Marketing API")."""
    from ads_sync.errors import UnsupportedApiVersion

    version = in_use()[platform]
    sunset = sunset_of(platform, version)
    when = f" (its published {sunset_word}: {sunset.isoformat()})" if sunset else ""
    return UnsupportedApiVersion(
        f"{served} {version}{when}: {detail}. "
        f"Upgrade ads-sync / the client library ({library}) to a version that calls a supported API version"
    )


def log_state(logger: Any, platform: str, *, today: date | None = None) -> VersionStatus:
    """The line every run logs: a warning from WARN_DAYS before the sunset, else which version is called."""
    state = current(platform, today=today or date.today())
    if state.level == "ok":
        logger.info("API version: %s", state.message)
    else:
        logger.warning("API version: %s", state.message)
    return state
